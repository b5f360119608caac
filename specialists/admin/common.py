"""Helpers the specialists admin modules share: actions that call a service per selected object and
report the outcome, and the read-only admin and inline for append-only records."""

from django.contrib import messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import ReadOnlyAdmin  # noqa: F401 - the admin modules import it from here
from alliance.admin_base import ReadOnlyInline as BaseReadOnlyInline
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


def each_selected_with_text(modeladmin, request, queryset, field, missing, call):
    """An action whose action form's `field` (a reason, a note) must be written: refuse the whole action
    with the message `missing` when it is empty, else `call(obj, text, today)` per selected object."""
    text = request.POST.get(field, "").strip()
    if not text:
        modeladmin.message_user(request, missing, messages.ERROR)
        return
    on = timezone.localdate()
    each_selected(modeladmin, request, queryset, lambda obj: call(obj, text, on))


class ReadOnlyInline(BaseReadOnlyInline):
    show_change_link = True
