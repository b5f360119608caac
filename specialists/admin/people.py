"""Specialists: the roster, their status history, the status actions, the exit decision and the
liaison assignment pages."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin
from alliance.exceptions import BusinessRuleError
from alliance.xlsx import xlsx_response

from .. import documents, exports, selectors, services
from ..enums import MotionKind, MotionResult, SpecialistStatus
from ..lifecycle import RULE_LABELS, change_reason
from ..models import CommitteeMembership, ContactLog, LedgerEntry, Motion, ProgrammeSettings, Specialist, StatusChange
from .common import (
    NamedStaffListFilter,
    ReadOnlyAdmin,
    ReadOnlyInline,
    StaffChoiceField,
    each_selected,
    each_selected_with_text,
    person_label,
)
from .documents import IssuedDocumentInline


class ContactOverdueFilter(admin.SimpleListFilter):
    """第六条 5: flag specialists without liaison contact for the configured number of days."""

    title = _("liaison contact")
    parameter_name = "contact"

    def lookups(self, request, model_admin):
        days = ProgrammeSettings.current().contact_flag_days
        return [("overdue", _("No contact in %(days)s days") % {"days": days})]

    def queryset(self, request, queryset):
        if self.value() == "overdue":
            flagged = selectors.specialists_without_contact(as_of=timezone.localdate()).values("pk")
            return queryset.filter(pk__in=flagged)
        return queryset


# Why a status changed, by its rule: the lifecycle rules (第七条, 第八条) and the staff's decisions.
STATUS_RULE_LABELS = {
    **RULE_LABELS,
    "committee_exit_vote": _("Art. 9: exit confirmed by the committee's vote"),
    "exit_not_confirmed": _("Exit not confirmed: stays on the roster"),
    "voluntary_exit": _("Voluntary exit"),
    "roster_return_on_application": _("Returned to the general list on application"),
}


def status_rule_label(rule):
    return STATUS_RULE_LABELS.get(rule, rule) if rule else _("staff decision")


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["as_of", "from_status", "to_status", "rule_label", "changed_by", "reason"]
    readonly_fields = fields
    show_change_link = False

    @admin.display(description=_("rule"))
    def rule_label(self, change):
        return status_rule_label(change.rule)

    @admin.display(description=_("reason"))
    def reason(self, change):
        return (change.evidence and change_reason(change.rule, change.evidence)) or "—"


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fk_name = "specialist"
    fields = ["occurred_on", "kind", "rule", "quantity", "amount", "level", "points", "description"]
    readonly_fields = fields
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule")


class MembershipInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    fields = ["committee", "role", "started_on", "ended_on"]

    def has_add_permission(self, request, obj=None):
        return False  # joining goes through the 1/3 cap check (membership admin)

    def has_delete_permission(self, request, obj=None):
        return False  # a membership ends with its end date


class ContactInline(admin.TabularInline):
    model = ContactLog
    extra = 0
    fields = ["contacted_on", "channel", "staff_name", "notes"]
    readonly_fields = ["staff_name"]
    can_delete = False

    @admin.display(description=_("staff member"))
    def staff_name(self, contact):
        return person_label(contact.staff) if contact.staff_id else "-"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("staff__profile")

    def has_change_permission(self, request, obj=None):
        return False


class NoteActionForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class SpecialistForm(forms.ModelForm):
    class Meta:
        model = Specialist
        fields = ["user", "name", "email", "phone", "applied_on", "committee"]


@admin.register(Specialist)
class SpecialistAdmin(LargeTableMixin, admin.ModelAdmin):
    form = SpecialistForm
    list_display = ["name", "status", "balance", "status_since", "committee", "liaison_name", "last_contact"]
    list_filter = [
        "status",
        "committee",
        ContactOverdueFilter,
        "roster_without_icebreaker",
        ("liaison", NamedStaffListFilter),
        "status_since",
    ]
    search_fields = ["name", "email", "phone", "user__username", "user__profile__organisation__name"]
    list_select_related = ["committee", "liaison__profile", "user"]
    autocomplete_fields = ["user"]
    readonly_fields = [
        "status",
        "status_since",
        "balance",
        "approved_on",
        "probation_ends",
        "roster_without_icebreaker",
        "exited_on",
        "exit_decision",
        "liaison_person",
        "standing",
    ]
    inlines = [StatusChangeInline, MembershipInline, ContactInline, IssuedDocumentInline, LedgerInline]

    def get_inlines(self, request, obj):
        # A new application has no documents yet.
        return [i for i in self.inlines if obj is not None or i is not IssuedDocumentInline]

    action_form = NoteActionForm
    actions = ["approve_today", "reject_today", "voluntary_exit", "reinstate", "issue_certificates", "export_roster"]

    def has_delete_permission(self, request, obj=None):
        return False  # the ledger and the status history name the specialist; one leaves by exit (第九条)

    def get_queryset(self, request):
        # A correlated subquery, computed for the page's rows only (an aggregate would group every
        # specialist's contacts before the page is cut).
        last = ContactLog.objects.filter(specialist=OuterRef("pk")).order_by("-contacted_on").values("contacted_on")
        return super().get_queryset(request).annotate(last_contact_on=Subquery(last[:1]))

    @admin.display(description=_("liaison"), ordering="liaison__username")
    def liaison_name(self, specialist):
        liaison = specialist.liaison
        return liaison and (getattr(getattr(liaison, "profile", None), "name", "") or liaison.username)

    @admin.display(description=Specialist._meta.get_field("liaison").verbose_name)
    def liaison_person(self, specialist):
        return person_label(specialist.liaison) if specialist.liaison_id else "-"

    @admin.display(description=_("last contact"), ordering="last_contact_on")
    def last_contact(self, specialist):
        return specialist.last_contact_on

    @admin.display(description=_("good standing"))
    def standing(self, specialist):
        if not specialist.pk:
            return "-"
        items = selectors.standing(specialist, as_of=timezone.localdate())
        return format_html("<br>".join(["{}"] * len(items)), *[i["message"] for i in items]) if items else "-"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # An application registered here goes through the same service as the API: an applicant with its
        # history row, the specialist role, a profile and an audit entry.
        created = services.specialist_create(
            name=obj.name,
            email=obj.email,
            applied_on=obj.applied_on,
            username=obj.user.get_username(),
            phone=obj.phone,
            created_by=request.user,
        )
        if obj.committee_id:
            created.committee_id = obj.committee_id
            created.save(update_fields=["committee"])
        obj.pk, obj._state.adding = created.pk, False  # the admin saves the inlines and logs against obj
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for instance in instances:
            if isinstance(instance, ContactLog) and not instance.staff_id:
                instance.staff = request.user
            instance.save()
        formset.save_m2m()
        for obj in formset.deleted_objects:
            obj.delete()

    @admin.action(description=_("Approve applications (probation starts today)"))
    def approve_today(self, request, queryset):
        on = timezone.localdate()
        each_selected(self, request, queryset, lambda s: services.specialist_approve(s, on=on, actor=request.user))

    @admin.action(description=_("Reject applications"))
    def reject_today(self, request, queryset):
        on = timezone.localdate()
        each_selected(
            self, request, queryset, lambda s: services.specialist_reject_application(s, on=on, actor=request.user)
        )

    @admin.action(
        description=_(
            "Record a voluntary exit today (note: the application; published as written on the public exit list)"
        )
    )
    def voluntary_exit(self, request, queryset):
        each_selected_with_text(
            self,
            request,
            queryset,
            "note",
            _("Write a note for this action."),
            lambda s, note, on: services.specialist_voluntary_exit(s, on=on, actor=request.user, reason=note),
        )

    @admin.action(description=_("Return to the general list on application (note: the performance)"))
    def reinstate(self, request, queryset):
        each_selected_with_text(
            self,
            request,
            queryset,
            "note",
            _("Write a note for this action."),
            lambda s, note, on: services.specialist_reinstate(s, on=on, actor=request.user, performance_note=note),
        )

    @admin.action(description=_("Issue certificates (appointment, work ID, rights letter) to general specialists"))
    def issue_certificates(self, request, queryset):
        on = timezone.localdate()
        each_selected(self, request, queryset, lambda s: documents.documents_issue(s, actor=request.user, on=on))

    @admin.action(description=_("Export the selected specialists (.xlsx)"))
    def export_roster(self, request, queryset):
        return xlsx_response("specialists-roster.xlsx", [exports.roster_sheet(queryset)])

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/exit/", view(self.confirm_exit_view), name="specialists_specialist_confirm_exit"),
            path("<int:pk>/liaison/", view(self.liaison_view), name="specialists_specialist_liaison"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        specialist = self.get_object(request, object_id)
        extra_context = {**(extra_context or {})}
        if specialist is not None:
            extra_context["specialist_links"] = [
                (reverse("admin:specialists_specialist_liaison", args=[specialist.pk]), _("Assign liaison")),
            ]
            if specialist.status == SpecialistStatus.EXIT_PENDING:
                extra_context["specialist_links"].append(
                    (reverse("admin:specialists_specialist_confirm_exit", args=[specialist.pk]), _("Decide exit"))
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def confirm_exit_view(self, request, pk):
        """第九条 3, 5: confirm (or decline) a flagged exit, citing the committee's vote."""
        specialist = get_object_or_404(Specialist, pk=pk)
        if not self.has_change_permission(request, specialist):
            return redirect("admin:index")
        form = ExitDecisionForm(request.POST or None, specialist=specialist)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["outcome"] == "exit":
                    services.specialist_confirm_exit(
                        specialist, on=data["on"], decision=data["decision"], motion=data["motion"], actor=request.user
                    )
                    self.message_user(request, _("%(name)s has exited.") % {"name": specialist.name}, messages.SUCCESS)
                else:
                    services.specialist_keep_on_roster(
                        specialist, on=data["on"], actor=request.user, reason=data["decision"]
                    )
                    self.message_user(request, _("%(name)s stays on the roster.") % {"name": specialist.name})
                return redirect("admin:specialists_specialist_change", specialist.pk)
            except BusinessRuleError as exc:
                form.add_error(None, exc.message)
        flag = StatusChange.objects.filter(specialist=specialist, to_status=SpecialistStatus.EXIT_PENDING).first()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Decide the exit of %(name)s") % {"name": specialist.name},
            "opts": self.model._meta,
            "original": specialist,
            "form": form,
            "flag": flag,
        }
        return TemplateResponse(request, "admin/specialists/confirm_exit.html", context)

    def liaison_view(self, request, pk):
        """第三条: assign or change the specialist's alliance liaison."""
        specialist = get_object_or_404(Specialist, pk=pk)
        if not self.has_change_permission(request, specialist):
            return redirect("admin:index")
        form = LiaisonForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.liaison_assign(
                    specialist,
                    form.cleaned_data["liaison"],
                    on=timezone.localdate(),
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
                self.message_user(request, _("Liaison assigned."), messages.SUCCESS)
                return redirect("admin:specialists_specialist_change", specialist.pk)
            except BusinessRuleError as exc:
                form.add_error("liaison", exc.message)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assign a liaison to %(name)s") % {"name": specialist.name},
            "opts": self.model._meta,
            "original": specialist,
            "form": form,
        }
        return TemplateResponse(request, "admin/specialists/simple_form.html", context)


class ExitDecisionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=[("exit", _("Exit confirmed by the vote")), ("keep", _("Exit not confirmed"))]
    )
    on = forms.DateField(label=_("Date"), initial=timezone.localdate)
    motion = forms.ModelChoiceField(label=_("Recorded exit vote"), queryset=Motion.objects.none(), required=False)
    decision = forms.CharField(
        label=_("Decision (cite the vote)"),
        max_length=300,
        required=False,
        help_text=_(
            "Published as written: this text appears as the basis on the public list of specialists who have "
            "left. Cite the vote or the rule; leave out private details and internal remarks."
        ),
    )

    def __init__(self, *args, specialist, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["motion"].queryset = Motion.objects.filter(
            kind=MotionKind.EXIT, subject=specialist, result=MotionResult.PASSED
        ).select_related("meeting")

    def clean(self):
        data = super().clean()
        if data.get("outcome") == "exit" and not data.get("motion") and not data.get("decision"):
            raise ValidationError(_("Choose the recorded exit vote or cite the committee's decision."))
        if data.get("outcome") == "keep" and not data.get("decision"):
            self.add_error("decision", _("Say why the exit is not confirmed."))
        return data


class LiaisonForm(forms.Form):
    liaison = StaffChoiceField(label=_("Liaison"))
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class LifecycleRuleFilter(admin.SimpleListFilter):
    """The lifecycle rules by their names (a fixed list: not the column's distinct values, a scan)."""

    title = _("rule")
    parameter_name = "rule"

    def lookups(self, request, model_admin):
        return list(RULE_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(rule=self.value()) if self.value() in RULE_LABELS else queryset


@admin.register(StatusChange)
class StatusChangeAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["as_of", "specialist", "from_status", "to_status", "rule_label", "changed_by", "run"]
    list_filter = ["to_status", "from_status", LifecycleRuleFilter]
    fields = [
        *("specialist", "as_of", "from_status", "to_status", "rule_label", "reason"),
        *("changed_by", "run", "created_at"),
    ]
    readonly_fields = fields
    rule_label = StatusChangeInline.rule_label
    reason = StatusChangeInline.reason
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "changed_by", "run"]
    ordering = ["-pk"]  # newest first, by the primary key's index (as_of has none)
    sortable_by = []
