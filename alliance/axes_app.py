"""django-axes under a Chinese name in the admin (its own AppConfig has none)."""

from axes.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(AppConfig):
    verbose_name = _("Login protection")
