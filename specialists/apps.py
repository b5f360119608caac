from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SpecialistsConfig(AppConfig):
    name = "specialists"
    verbose_name = _("Specialists")

    def ready(self):
        from alliance import roles

        # The alliance app grants staff permissions after its own post_migrate, before this
        # app's permissions exist; grant again once they do.
        post_migrate.connect(roles.grant_staff_permissions, sender=self, dispatch_uid="specialists-staff-permissions")
