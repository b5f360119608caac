"""Helpers the specialists admin modules share: actions that call a service per selected object and
report the outcome, and the read-only admin and inline for append-only records."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from alliance.exceptions import BusinessRuleError


def _report(modeladmin, request, done, failures):
    if done:
        modeladmin.message_user(request, _("Done: %(n)s.") % {"n": done}, messages.SUCCESS)
    for obj, message in failures:
        modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)


def each_selected(modeladmin, request, queryset, call):
    """Call a service for each selected object; report successes and the rule that refused the rest."""
    done, failures = 0, []
    for obj in queryset:
        try:
            call(obj)
            done += 1
        except BusinessRuleError as exc:
            failures.append((obj, exc.message))
    _report(modeladmin, request, done, failures)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: viewable, never edited or deleted here."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
