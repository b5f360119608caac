"""The portal's URLs plus the exit list, as the lead wires it (path("specialists/", include(...)))."""

from django.urls import include, path

from alliance.urls import urlpatterns as portal

urlpatterns = [path("specialists/", include("specialists.staff_urls")), *portal]
