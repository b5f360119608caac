from django.urls import path

from . import api

app_name = "nominations-api"

urlpatterns = [
    path("campaigns/", api.CampaignCreateView.as_view(), name="campaigns"),
    path("campaigns/<int:year>/nominations/", api.CampaignNominationsView.as_view(), name="campaign-nominations"),
    path("campaigns/<int:year>/experts/", api.ExpertAssignView.as_view(), name="campaign-experts"),
    path("campaigns/<int:year>/ranking/", api.RankingView.as_view(), name="campaign-ranking"),
    path("campaigns/<int:year>/shortlist/", api.ShortlistView.as_view(), name="campaign-shortlist"),
    path("campaigns/<int:year>/list/", api.PublishedListView.as_view(), name="campaign-list"),
    path("nominations/<int:pk>/", api.NominationDetailView.as_view(), name="nomination"),
    path("nominations/<int:pk>/submit/", api.NominationSubmitView.as_view(), name="nomination-submit"),
    path("nominations/<int:pk>/evaluations/", api.EvaluationView.as_view(), name="nomination-evaluations"),
    path("nominations/<int:pk>/form.pdf", api.NominationPdfView.as_view(), name="nomination-pdf"),
    path("nominations/<int:pk>/attachments/", api.NominationAttachmentsView.as_view(), name="nomination-attachments"),
    path(
        "nominations/<int:pk>/attachments/<str:kind>/",
        api.NominationAttachmentView.as_view(),
        name="nomination-attachment",
    ),
]
