from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GreenmineConfig(AppConfig):
    name = "greenmine"
    verbose_name = _("Green-mine evaluation")
