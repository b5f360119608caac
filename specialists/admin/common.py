"""Helpers the specialists admin modules share: actions that call a service per selected object and
report the outcome, and the read-only admin and inline for append-only records."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import (
    ReadOnlyAdmin,  # noqa: F401 - the admin modules import it from here
    StaffListFilter,
)
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


def person_label(user):
    """A staff member as people name them: 姓名（用户名）, or the login name alone when no name is on file."""
    if user is None:
        return "-"
    name = getattr(getattr(user, "profile", None), "name", "")
    return f"{name}（{user.get_username()}）" if name else user.get_username()


def staff_people(*, active_only=True):
    """The staff accounts a liaison is chosen from (or, with former staff, filtered by), by name."""
    people = get_user_model().objects.filter(is_staff=True).select_related("profile")
    return (people.filter(is_active=True) if active_only else people).order_by("profile__name", "username")


class StaffChoiceField(forms.ModelChoiceField):
    """A staff member chosen by name (姓名（用户名）), not by login name alone."""

    def __init__(self, queryset=None, **kwargs):
        super().__init__(staff_people() if queryset is None else queryset, **kwargs)

    def label_from_instance(self, obj):
        return person_label(obj)


class NamedStaffListFilter(StaffListFilter):
    """The staff filter with each person's name (姓名（用户名）) instead of the login name."""

    def field_choices(self, field, request, model_admin):
        return [(user.pk, person_label(user)) for user in staff_people(active_only=False)]
