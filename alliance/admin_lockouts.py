"""The login lockouts of django-axes in the admin: the secretariat sees them and lifts them."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import audit
from .roles import is_secretariat


class SecretariatOnly:
    """Login records name users and addresses: the secretariat (and superusers) only."""

    show_full_result_count = False
    date_hierarchy = None

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessAttempt)
class LockoutAdmin(SecretariatOnly, AccessAttemptAdmin):
    actions = ["lift_lockout"]

    def has_delete_permission(self, request, obj=None):
        return is_secretariat(request.user)

    @admin.action(description=_("Lift the lockout"), permissions=["delete"])
    def lift_lockout(self, request, queryset):
        lifted = 0
        for attempt in queryset:
            lifted += reset(ip=attempt.ip_address, username=attempt.username)
            audit.record(
                "alliance.login.lockout_lifted",
                actor=request.user,
                username=attempt.username,
                ip_address=attempt.ip_address,
                failures=attempt.failures_since_start,
            )
        message = ngettext(
            "%(count)d lockout lifted: the user can log in again.",
            "%(count)d lockouts lifted: the users can log in again.",
            lifted,
        ) % {"count": lifted}
        self.message_user(request, message)


@admin.register(AccessFailureLog)
class FailureLogAdmin(SecretariatOnly, AccessFailureLogAdmin):
    pass


@admin.register(AccessLog)
class LoginLogAdmin(SecretariatOnly, AccessLogAdmin):
    pass
