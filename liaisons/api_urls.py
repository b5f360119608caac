from django.urls import path

from . import api, api_files

app_name = "liaisons-api"

urlpatterns = [
    path("units/", api.UnitCreateView.as_view(), name="units"),
    path("units/<int:pk>/", api.UnitDetailView.as_view(), name="unit"),
    path("units/<int:pk>/liaison/", api.LiaisonRegisterView.as_view(), name="unit-liaison"),
    path("me/", api.MeView.as_view(), name="me"),
    path("me/unit-change/", api.MyUnitChangeView.as_view(), name="me-unit-change"),
    path("me/articles/", api.MyArticlesView.as_view(), name="me-articles"),
    path("me/feedback/", api.MyFeedbackView.as_view(), name="me-feedback"),
    path("me/fees/<int:pk>/handled/", api.MyFeeHandledView.as_view(), name="me-fee-handled"),
    path("articles/<int:pk>/decision/", api.ArticleDecisionView.as_view(), name="article-decision"),
    path("feedback/<int:pk>/answer/", api.FeedbackAnswerView.as_view(), name="feedback-answer"),
    path("notices/", api.NoticeCreateView.as_view(), name="notices"),
    path("notices/<int:pk>/", api.NoticeDetailView.as_view(), name="notice"),
    path("assessment/<int:year>/", api.AssessmentView.as_view(), name="assessment"),
    # The roster and the registration-form files.
    path("export.xlsx", api_files.RosterExportView.as_view(), name="export"),
    path("template.xlsx", api_files.TemplateView.as_view(), name="template"),
    path("import/", api_files.ImportView.as_view(), name="import"),
]
