from django.urls import path

from . import views

app_name = "nominations"

urlpatterns = [
    path("", views.index, name="index"),
    path("<int:year>/new/", views.nomination_new, name="new"),
    path("<int:year>/ranking/", views.ranking, name="ranking"),
    path("<int:year>/final/", views.final_review, name="final"),
    path("<int:year>/list/", views.published, name="list"),
    path("<int:year>/list.xlsx", views.published_xlsx, name="list-xlsx"),
    path("n/<int:pk>/", views.nomination_detail, name="detail"),
    path("n/<int:pk>/edit/", views.nomination_edit, name="edit"),
    path("n/<int:pk>/submit/", views.nomination_submit, name="submit"),
    path("n/<int:pk>/form.pdf", views.nomination_pdf, name="pdf"),
    path("n/<int:pk>/evaluate/", views.evaluate, name="evaluate"),
    path("n/<int:pk>/attachments/", views.attachment_upload, name="attachment-upload"),
    path("n/<int:pk>/attachments/<str:kind>/remove/", views.attachment_remove, name="attachment-remove"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment"),
]
