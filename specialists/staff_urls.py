"""Staff/public pages of the specialists programme built with the core (include under "specialists/")."""

from django.urls import path

from . import staff_views

app_name = "specialists_staff"

urlpatterns = [
    path("exits/", staff_views.exit_list, name="exit-list"),
    path("exits.xlsx", staff_views.exit_list_xlsx, name="exit-list-xlsx"),
]
