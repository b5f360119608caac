from django.urls import path

from . import views

app_name = "greenmine"

urlpatterns = [
    path("", views.assessment_list, name="list"),
    path("<int:pk>/score/", views.score_page, name="score"),
    path("<int:pk>/submit/", views.submit_page, name="submit"),
    path("<int:pk>/evidence/<int:evidence_id>/remove/", views.evidence_remove, name="evidence-remove"),
    path("<int:pk>/prerequisites/", views.prerequisites_page, name="prerequisites"),
    path("<int:pk>/site-visits/", views.site_visit_page, name="site-visits"),
    path("<int:pk>/result/", views.result_page, name="result"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/reopen/", views.reopen_assessment, name="reopen-assessment"),
    path("<int:pk>/reopen/<int:assignment_id>/", views.reopen, name="reopen"),
]
