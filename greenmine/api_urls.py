from django.urls import path

from . import api

app_name = "greenmine-api"

urlpatterns = [
    path("catalogue/", api.CatalogueView.as_view(), name="catalogue"),
    path("assessments/", api.AssessmentListView.as_view(), name="assessments"),
    path("assessments/<int:pk>/", api.AssessmentDetailView.as_view(), name="assessment"),
    path("assessments/<int:pk>/experts/", api.ExpertsView.as_view(), name="experts"),
    path("assessments/<int:pk>/reopen/", api.ReopenView.as_view(), name="reopen"),
    path("assessments/<int:pk>/prerequisites/", api.PrerequisitesView.as_view(), name="prerequisites"),
    path("assessments/<int:pk>/scores/", api.ScoresView.as_view(), name="scores"),
    path("assessments/<int:pk>/submit/", api.SubmitView.as_view(), name="submit"),
    path("assessments/<int:pk>/complete/", api.CompleteView.as_view(), name="complete"),
    path("assessments/<int:pk>/evidence/", api.EvidenceView.as_view(), name="evidence"),
    path("assessments/<int:pk>/site-visits/", api.SiteVisitsView.as_view(), name="site-visits"),
    path("assessments/<int:pk>/result/", api.ResultView.as_view(), name="result"),
    path("assessments/<int:pk>/export.xlsx", api.ExportView.as_view(), name="export"),
    path("assessments/<int:pk>/report.pdf", api.ReportView.as_view(), name="report"),
    path("evidence/<int:evidence_id>/", api.EvidenceDownloadView.as_view(), name="evidence-download"),
]
