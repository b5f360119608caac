"""The specialist's self-service pages (included at the site root)."""

from django.urls import path

from . import views

app_name = "specialists"

urlpatterns = [
    path("me/points/", views.my_points, name="my-points"),
    path("me/points/redeem/", views.redeem, name="redeem"),
    path("me/points/transfer/", views.transfer, name="transfer"),
    path("me/documents/request/", views.document_request, name="document-request"),
    path("me/liaison/change/", views.liaison_change, name="liaison-change"),
    path("specialists/documents/<int:pk>.pdf", views.document_download, name="document"),
]
