from django.urls import path

from . import api

urlpatterns = [
    path("points/rules/", api.PointRuleList.as_view(), name="specialists-point-rules"),
    path("rewards/", api.RewardList.as_view(), name="specialists-rewards"),
    path("specialists/", api.SpecialistCreate.as_view(), name="specialists-create"),
    path("specialists/<int:pk>/", api.SpecialistDetail.as_view(), name="specialists-detail"),
    path("specialists/<int:pk>/approve/", api.SpecialistApprove.as_view(), name="specialists-approve"),
    path("specialists/<int:pk>/activities/", api.SpecialistActivities.as_view(), name="specialists-activities"),
    path("specialists/<int:pk>/icebreakers/", api.SpecialistIcebreakers.as_view(), name="specialists-icebreakers"),
    path("specialists/<int:pk>/exit/", api.SpecialistExit.as_view(), name="specialists-exit"),
    path("lifecycle/run/", api.LifecycleRunView.as_view(), name="specialists-lifecycle-run"),
    path("me/points/", api.MyPoints.as_view(), name="specialists-my-points"),
    path("me/redemptions/", api.MyRedemptions.as_view(), name="specialists-my-redemptions"),
    path("me/transfers/", api.MyTransfers.as_view(), name="specialists-my-transfers"),
]
