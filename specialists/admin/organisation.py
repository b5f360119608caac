"""Liaisons and contact: assignment history, change requests, the contact log."""

from django import forms
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, YearListFilter
from alliance.exceptions import BusinessRuleError

from .. import services
from ..enums import FROZEN_STATES, LiaisonChangeStatus
from ..models import ContactLog, LiaisonAssignment, LiaisonChangeRequest
from .common import NamedStaffListFilter, ReadOnlyAdmin, StaffChoiceField, each_selected, person_label


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["specialist", "liaison_name", "started_on", "ended_on", "reason"]
    search_fields = ["specialist__name", "liaison__username"]
    list_select_related = ["specialist", "liaison__profile"]

    @admin.display(description=_("liaison"), ordering="liaison__username")
    def liaison_name(self, assignment):
        return person_label(assignment.liaison)


class LiaisonChangeResolveForm(forms.ModelForm):
    """The request's change page: choose the new liaison (by name) and the request is resolved with the
    assignment (services.organisation.liaison_change_request_resolve)."""

    new_liaison = StaffChoiceField(
        label=_("New liaison"),
        required=False,
        help_text=_("Choose the new liaison and save: the liaison is assigned and the request marked done."),
    )
    assignment_reason = forms.CharField(
        label=_("Reason for the assignment"),
        max_length=300,
        required=False,
        help_text=_("Leave empty to record the specialist's request as the reason."),
    )

    class Meta:
        model = LiaisonChangeRequest
        fields = []

    def clean(self):
        data = super().clean()
        liaison = data.get("new_liaison")
        if liaison is None:
            return data
        request = self.instance
        if request.status != LiaisonChangeStatus.OPEN:
            self.add_error(
                "new_liaison",
                _("This request has already been handled: only an open request is resolved by assigning a liaison."),
            )
        elif request.specialist.status in FROZEN_STATES:
            self.add_error(
                "new_liaison",
                _("%(name)s is no longer on the specialist list: decline the request instead.")
                % {"name": request.specialist.name},
            )
        elif request.specialist.liaison_id == liaison.pk:
            self.add_error("new_liaison", _("That liaison is already assigned."))
        return data


@admin.register(LiaisonChangeRequest)
class LiaisonChangeRequestAdmin(LargeTableMixin, admin.ModelAdmin):
    form = LiaisonChangeResolveForm
    list_display = ["created_at", "specialist", "status", "reason", "resolved_by_name"]
    list_filter = ["status"]
    search_fields = ["specialist__name", "reason"]
    list_select_related = ["specialist", "resolved_by__profile"]
    fields = [
        *("specialist", "current_liaison", "reason", "status", "created_at", "resolved_by_name", "resolved_at"),
        *("new_liaison", "assignment_reason"),
    ]
    readonly_fields = [
        *("specialist", "current_liaison", "reason", "status", "created_at", "resolved_by_name", "resolved_at"),
    ]
    actions = ["decline"]

    @admin.display(description=_("current liaison"))
    def current_liaison(self, request):
        return person_label(request.specialist.liaison)

    @admin.display(description=_("handled by"))
    def resolved_by_name(self, request):
        return person_label(request.resolved_by) if request.resolved_by_id else "-"

    def save_model(self, request, obj, form, change):
        """Nothing on the request is edited by hand: a chosen liaison resolves it through the service."""
        liaison = form.cleaned_data.get("new_liaison")
        if liaison is None:
            return
        try:
            services.liaison_change_request_resolve(
                obj,
                liaison,
                on=timezone.localdate(),
                actor=request.user,
                reason=form.cleaned_data.get("assignment_reason") or "",
            )
        except BusinessRuleError as exc:  # handled by someone else since the form was checked
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.refresh_from_db()
        self.message_user(
            request,
            _("%(liaison)s is now the liaison of %(name)s; the request is done.")
            % {"liaison": person_label(liaison), "name": obj.specialist.name},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # 第三条: the request and its outcome are kept

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        each_selected(self, request, queryset, lambda r: services.liaison_change_request_decline(r, actor=request.user))


@admin.register(ContactLog)
class ContactLogAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["contacted_on", "specialist", "staff_name", "channel", "notes"]
    list_filter = ["channel", ("staff", NamedStaffListFilter), ("contacted_on", YearListFilter)]
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "staff__profile"]
    sortable_by = ["contacted_on"]
    autocomplete_fields = ["specialist"]
    exclude = ["staff"]

    def has_delete_permission(self, request, obj=None):
        return False  # 第六条 5: the contact flag is computed from this log

    @admin.display(description=_("staff member"), ordering="staff__username")
    def staff_name(self, contact):
        return person_label(contact.staff)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.staff = request.user
        super().save_model(request, obj, form, change)
