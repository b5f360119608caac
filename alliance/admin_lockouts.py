"""The login lockouts of django-axes in the admin: the secretariat sees them and lifts them."""

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from axes.utils import reset
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

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


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


# django-axes names its rows in English f-strings (its titles on the change pages and in breadcrumbs);
# the admin is the only place they are shown.
AccessAttempt.__str__ = lambda a: (
    gettext("Login attempts of %(user)s, last %(when)s")
    % {
        "user": a.username,
        "when": _when(a.attempt_time),
    }
)
AccessFailureLog.__str__ = lambda f: (
    gettext("Failed login of %(user)s at %(when)s from %(ip)s")
    % {
        "user": f.username,
        "when": _when(f.attempt_time),
        "ip": f.ip_address,
    }
)
AccessLog.__str__ = lambda log: (
    gettext("Login of %(user)s at %(when)s")
    % {
        "user": log.username,
        "when": _when(log.attempt_time),
    }
)


@admin.register(AccessAttempt)
class LockoutAdmin(SecretariatOnly, AccessAttemptAdmin):
    actions = ["lift_lockout"]

    @admin.display(description=_("status"))
    def status(self, obj):
        return super().status(obj)

    @admin.display(description=_("expires at"))
    def expiration(self, obj):
        return super().expiration(obj)

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
