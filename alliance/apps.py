from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = _("Alliance")

    def ready(self):
        from . import exports, roles

        exports.autodiscover()
        # No sender: the roles' permissions must be set after the last app's permissions exist, so it
        # runs after every app's post_migrate (it is idempotent).
        post_migrate.connect(roles.sync_role_permissions, dispatch_uid="alliance-role-permissions")


class AllianceAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the project's site (alliance.admin_site) as `admin.site`.

    Not this module's default: "alliance" in INSTALLED_APPS is AllianceConfig.
    """

    default = False
    default_site = "alliance.admin_site.AllianceAdminSite"
