from django.urls import path

from . import views

app_name = "liaisons"

urlpatterns = [
    path("me/", views.me, name="me"),
    path("me/contact/", views.contact_update, name="contact"),
    path("me/unit/", views.unit_update, name="unit"),
    path("me/unit/change-request/", views.change_request, name="change-request"),
    path("me/articles/", views.article_submit, name="article"),
    path("me/feedback/", views.feedback_raise, name="feedback"),
    path("me/fees/<int:pk>/confirm/", views.fee_confirm, name="fee-confirm"),
    path("photos/<int:pk>.jpg", views.photo, name="photo"),
    path("units/<int:pk>/registration.pdf", views.registration_pdf, name="registration-pdf"),
    path("assessment/", views.assessment_latest, name="assessment-latest"),
    path("assessment/<int:year>/", views.assessment, name="assessment"),
    path("assessment/<int:year>/letters/<int:liaison_id>.pdf", views.replacement_letter, name="replacement-letter"),
]
