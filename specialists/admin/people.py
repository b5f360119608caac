"""The staff tool for the specialists programme: every model, read-only ledger and history,
actions and pages that call the services and report what they did."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db.models import Max, Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from alliance.exceptions import BusinessRuleError
from alliance.roles import Role
from alliance.xlsx import SheetErrors, xlsx_response

from .. import documents, exports, selectors, services
from ..enums import FROZEN_STATES, MotionKind, MotionResult, SpecialistStatus
from ..imports import COLUMNS as IMPORT_COLUMNS
from ..imports import activities_import
from ..lifecycle import lifecycle_run
from ..models import (
    Activity,
    Attendance,
    Committee,
    CommitteeMembership,
    ContactLog,
    DocumentRequest,
    ExcellentNomination,
    IssuedDocument,
    LedgerEntry,
    LiaisonAssignment,
    LiaisonChangeRequest,
    LifecycleRun,
    Meeting,
    Motion,
    PointRule,
    ProgrammeSettings,
    Redemption,
    Reward,
    Specialist,
    StatusChange,
    Transfer,
    Vote,
)


def _report(modeladmin, request, done, failures):
    if done:
        modeladmin.message_user(request, _("Done: %(n)s.") % {"n": done}, messages.SUCCESS)
    for obj, message in failures:
        modeladmin.message_user(request, f"{obj}: {message}", messages.ERROR)


def _each(modeladmin, request, queryset, call):
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


# ---- Settings and reference data ------------------------------------------------------------


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "probation_min_points", "contact_flag_days"]

    def has_add_permission(self, request):
        return not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def get_urls(self):
        return [
            path("summary/", self.admin_site.admin_view(self.summary_view), name="specialists_committee_summary"),
            *super().get_urls(),
        ]

    def summary_view(self, request):
        """第九条 4: the monthly summary ranking the committees' activities."""
        today = timezone.localdate()
        try:
            year, month = (int(x) for x in request.GET.get("month", f"{today:%Y-%m}").split("-"))
            dt.date(year, month, 1)
        except ValueError:
            messages.error(request, _("Give the month as YYYY-MM."))
            year, month = today.year, today.month
        summary = selectors.committee_monthly_summary(year, month)
        if request.GET.get("format") == "xlsx":
            return xlsx_response(
                f"committee-summary-{year}-{month:02d}.xlsx", [exports.committee_summary_sheet(summary, year, month)]
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Committee activity summary"),
            "opts": self.model._meta,
            "month": f"{year}-{month:02d}",
            "summary": summary,
            "activities": selectors.activities_in_month(year, month),
        }
        return TemplateResponse(request, "admin/specialists/committee_summary.html", context)


@admin.register(PointRule)
class PointRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "points", "per_amount", "unit", "active", "order"]
    list_editable = ["points", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def has_delete_permission(self, request, obj=None):
        # Entries name their rule; a retired rule is deactivated, not deleted.
        return False


@admin.register(Reward)
class RewardAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "kind", "cost", "floor", "rate", "active", "order"]
    list_editable = ["cost", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def has_delete_permission(self, request, obj=None):
        return False


# ---- Specialists -------------------------------------------------------------------------------


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


class StatusChangeInline(ReadOnlyInline):
    model = StatusChange
    fields = ["as_of", "from_status", "to_status", "rule", "changed_by", "evidence"]
    readonly_fields = fields
    show_change_link = False


class LedgerInline(ReadOnlyInline):
    model = LedgerEntry
    fk_name = "specialist"
    fields = ["occurred_on", "kind", "rule", "quantity", "amount", "level", "points", "description"]
    readonly_fields = fields
    max_num = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("rule")


class IssuedDocumentInline(ReadOnlyInline):
    model = IssuedDocument
    fields = ["kind", "year", "number", "issued_on", "pdf"]
    readonly_fields = fields
    show_change_link = False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("PDF"))
    def pdf(self, document):
        if not document.ready:
            return _("being rendered")
        return format_html('<a href="{}">{}</a>', reverse("specialists:document", args=[document.pk]), _("Download"))


class MembershipInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    fields = ["committee", "role", "started_on", "ended_on"]

    def has_add_permission(self, request, obj=None):
        return False  # joining goes through the 1/3 cap check (membership admin)


class ContactInline(admin.TabularInline):
    model = ContactLog
    extra = 0
    fields = ["contacted_on", "channel", "staff", "notes"]
    readonly_fields = ["staff"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False


class NoteActionForm(ActionForm):
    note = forms.CharField(label=_("Note"), required=False, max_length=300)


class SpecialistForm(forms.ModelForm):
    class Meta:
        model = Specialist
        fields = ["user", "name", "email", "phone", "applied_on", "committee"]


@admin.register(Specialist)
class SpecialistAdmin(admin.ModelAdmin):
    form = SpecialistForm
    list_display = ["name", "status", "balance", "status_since", "committee", "liaison_name", "last_contact"]
    list_filter = [
        "status",
        "committee",
        ContactOverdueFilter,
        "roster_without_icebreaker",
        ("liaison", admin.RelatedOnlyFieldListFilter),
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
        "liaison",
        "standing",
    ]
    inlines = [StatusChangeInline, MembershipInline, ContactInline, IssuedDocumentInline, LedgerInline]

    def get_inlines(self, request, obj):
        # A new application has no documents yet.
        return [i for i in self.inlines if obj is not None or i is not IssuedDocumentInline]

    action_form = NoteActionForm
    actions = ["approve_today", "reject_today", "voluntary_exit", "reinstate", "issue_certificates", "export_roster"]
    date_hierarchy = "status_since"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(last_contact_on=Max("contacts__contacted_on"))

    @admin.display(description=_("liaison"), ordering="liaison__username")
    def liaison_name(self, specialist):
        liaison = specialist.liaison
        return liaison and (getattr(getattr(liaison, "profile", None), "name", "") or liaison.username)

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
        # An application registered here starts as an applicant with its history row.
        obj.status = SpecialistStatus.APPLICANT
        obj.status_since = obj.applied_on
        super().save_model(request, obj, form, change)
        obj.user.groups.add(Group.objects.get_or_create(name=Role.SPECIALIST)[0])
        StatusChange.objects.create(
            specialist=obj, to_status=SpecialistStatus.APPLICANT, as_of=obj.applied_on, changed_by=request.user
        )

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
        _each(self, request, queryset, lambda s: services.specialist_approve(s, on=on, actor=request.user))

    @admin.action(description=_("Reject applications"))
    def reject_today(self, request, queryset):
        on = timezone.localdate()
        _each(self, request, queryset, lambda s: services.specialist_reject_application(s, on=on, actor=request.user))

    @admin.action(description=_("Record a voluntary exit today (note: the application)"))
    def voluntary_exit(self, request, queryset):
        note, on = request.POST.get("note", "").strip(), timezone.localdate()
        if not note:
            self.message_user(request, _("Write a note for this action."), messages.ERROR)
            return
        _each(
            self,
            request,
            queryset,
            lambda s: services.specialist_voluntary_exit(s, on=on, actor=request.user, reason=note),
        )

    @admin.action(description=_("Return to the general list on application (note: the performance)"))
    def reinstate(self, request, queryset):
        note, on = request.POST.get("note", "").strip(), timezone.localdate()
        if not note:
            self.message_user(request, _("Write a note for this action."), messages.ERROR)
            return
        _each(
            self,
            request,
            queryset,
            lambda s: services.specialist_reinstate(s, on=on, actor=request.user, performance_note=note),
        )

    @admin.action(description=_("Issue certificates (appointment, work ID, rights letter) to general specialists"))
    def issue_certificates(self, request, queryset):
        on = timezone.localdate()
        _each(self, request, queryset, lambda s: documents.documents_issue(s, actor=request.user, on=on))

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
    decision = forms.CharField(label=_("Decision (cite the vote)"), max_length=300, required=False)

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
    liaison = forms.ModelChoiceField(
        label=_("Liaison"), queryset=Specialist._meta.get_field("liaison").related_model.objects.filter(is_staff=True)
    )
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


# ---- Ledger, redemptions, transfers --------------------------------------------------------------


class ReverseActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


class ActivityEntryForm(forms.ModelForm):
    """Adding an entry here records an activity through the service (附件一 rules)."""

    class Meta:
        model = LedgerEntry
        fields = [
            "specialist",
            "rule",
            "quantity",
            "amount",
            "level",
            "occurred_on",
            "activity",
            "description",
            "source_document",
        ]

    def clean(self):
        data = super().clean()
        rule, specialist = data.get("rule"), data.get("specialist")
        if specialist and specialist.status in FROZEN_STATES:
            self.add_error("specialist", _("This specialist has left the programme; their points are frozen."))
        if rule is None:
            self.add_error("rule", _("Choose the rule."))
            return data
        try:
            services.rule_points(
                rule, quantity=data.get("quantity"), amount=data.get("amount"), level=data.get("level")
            )
        except BusinessRuleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        if data.get("occurred_on") and data["occurred_on"] > timezone.localdate():
            self.add_error("occurred_on", _("The activity date cannot be in the future."))
        return data


@admin.register(LedgerEntry)
class LedgerEntryAdmin(admin.ModelAdmin):
    """Read-only ledger; "add" records an activity through the service, corrections are reversals."""

    form = ActivityEntryForm
    action_form = ReverseActionForm
    list_display = ["occurred_on", "specialist", "kind", "rule", "quantity", "amount", "points", "recorded_by"]
    list_filter = ["kind", "rule", "occurred_on"]
    search_fields = ["specialist__name", "specialist__user__username", "description"]
    list_select_related = ["specialist", "rule", "recorded_by"]
    autocomplete_fields = ["specialist", "activity"]
    date_hierarchy = "occurred_on"
    actions = ["reverse_entries", "export_ledger"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [f.name for f in LedgerEntry._meta.fields]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        entry = services.activity_record(
            data["specialist"],
            rule=data["rule"],
            quantity=data.get("quantity"),
            amount=data.get("amount"),
            level=data.get("level") or "",
            occurred_on=data["occurred_on"],
            activity=data.get("activity"),
            description=data.get("description") or "",
            source_document=data.get("source_document"),
            actor=request.user,
        )
        obj.pk = entry.pk
        obj.points = entry.points

    @admin.action(description=_("Reverse the selected entries (give a reason)"))
    def reverse_entries(self, request, queryset):
        reason = request.POST.get("reason", "").strip()
        if not reason:
            self.message_user(request, _("Give a reason for the reversal."), messages.ERROR)
            return
        on = timezone.localdate()
        _each(self, request, queryset, lambda e: services.ledger_reverse(e, on=on, actor=request.user, reason=reason))

    @admin.action(description=_("Export the selected entries (.xlsx)"))
    def export_ledger(self, request, queryset):
        return xlsx_response("points-ledger.xlsx", [exports.ledger_sheet(queryset)])

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="specialists_ledgerentry_import"),
            *super().get_urls(),
        ]

    def import_view(self, request):
        """Bulk activity import: all rows recorded, or none with every row error listed."""
        if not self.has_add_permission(request):
            return redirect("admin:index")
        form = ImportForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                entries = activities_import(form.cleaned_data["file"], actor=request.user)
            except SheetErrors as exc:
                errors = exc.errors
            else:
                self.message_user(request, _("Imported %(n)s activities.") % {"n": len(entries)}, messages.SUCCESS)
                return redirect("admin:specialists_ledgerentry_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import activities (.xlsx)"),
            "opts": self.model._meta,
            "form": form,
            "errors": errors,
            "columns": IMPORT_COLUMNS,
        }
        return TemplateResponse(request, "admin/specialists/import.html", context)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))

    def clean_file(self):
        from django.conf import settings

        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an .xlsx workbook."))
        if upload.size > settings.MAX_UPLOAD_BYTES:
            raise ValidationError(_("The file is too large."))
        return upload


@admin.register(Redemption)
class RedemptionAdmin(admin.ModelAdmin):
    list_display = ["created_at", "specialist", "reward", "quantity", "price", "cash_yuan", "points", "status"]
    list_filter = ["status", "reward"]
    search_fields = ["specialist__name", "specialist__user__username", "idempotency_key"]
    list_select_related = ["specialist", "reward"]
    date_hierarchy = "created_at"
    actions = ["fulfil", "cancel"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Redemption._meta.fields if f.name != "note"]

    @admin.action(description=_("Mark fulfilled"))
    def fulfil(self, request, queryset):
        _each(self, request, queryset, lambda r: services.redemption_fulfil(r, actor=request.user))

    @admin.action(description=_("Cancel and refund the points"))
    def cancel(self, request, queryset):
        _each(self, request, queryset, lambda r: services.redemption_cancel(r, actor=request.user))


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "sender", "recipient", "points"]
    search_fields = ["sender__name", "recipient__name"]
    list_select_related = ["sender", "recipient"]
    date_hierarchy = "created_at"


@admin.register(StatusChange)
class StatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "specialist", "from_status", "to_status", "rule", "changed_by", "run"]
    list_filter = ["to_status", "from_status", "rule"]
    search_fields = ["specialist__name", "rule"]
    list_select_related = ["specialist", "changed_by", "run"]
    date_hierarchy = "as_of"


class LifecycleRunForm(forms.Form):
    as_of = forms.DateField(label=_("As of"), initial=timezone.localdate)


@admin.register(LifecycleRun)
class LifecycleRunAdmin(ReadOnlyAdmin):
    list_display = ["as_of", "started_at", "source", "evaluated", "changed", "triggered_by"]
    list_filter = ["source"]
    list_select_related = ["triggered_by"]
    date_hierarchy = "as_of"
    inlines = [type("RunChangeInline", (StatusChangeInline,), {"fk_name": "run"})]

    def get_urls(self):
        return [
            path("run/", self.admin_site.admin_view(self.run_view), name="specialists_lifecyclerun_run"),
            *super().get_urls(),
        ]

    def run_view(self, request):
        """ "Run now": a preview (dry run) of the changes for a date, then the real run on confirmation."""
        if not self.has_view_permission(request) or not request.user.has_perm("specialists.change_specialist"):
            return redirect("admin:index")
        form = LifecycleRunForm(request.POST or request.GET or None)
        changes = None
        if form.is_bound and form.is_valid():
            as_of = form.cleaned_data["as_of"]
            if request.method == "POST" and "confirm" in request.POST:
                run, applied = lifecycle_run(as_of=as_of, actor=request.user, source="admin")
                self.message_user(
                    request,
                    _("Lifecycle run for %(date)s: %(n)s change(s).") % {"date": as_of, "n": len(applied)},
                    messages.SUCCESS,
                )
                return redirect("admin:specialists_lifecyclerun_change", run.pk)
            _run, changes = lifecycle_run(as_of=as_of, dry_run=True)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Run the lifecycle rules"),
            "opts": self.model._meta,
            "form": form,
            "changes": changes,
            "status_labels": dict(SpecialistStatus.choices),
        }
        return TemplateResponse(request, "admin/specialists/lifecycle_run.html", context)


# ---- Events, organisation, meetings, documents -------------------------------------------------


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["specialist", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["specialist"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "kind", "committee", "attendance_count"]
    list_filter = ["kind", "committee"]
    search_fields = ["title"]
    list_select_related = ["committee"]
    date_hierarchy = "held_on"
    inlines = [AttendanceInline]

    @admin.display(description=_("attendance"))
    def attendance_count(self, activity):
        return activity.attendances.count()

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            try:
                services.attendance_record(instance.specialist, form.instance, actor=request.user)
            except BusinessRuleError as exc:
                self.message_user(request, f"{instance.specialist}: {exc.message}", messages.ERROR)
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Attendance)
class AttendanceAdmin(ReadOnlyAdmin):
    list_display = ["held_on", "specialist", "activity", "is_icebreaker"]
    list_filter = ["is_icebreaker"]
    search_fields = ["specialist__name", "activity__title"]
    list_select_related = ["specialist", "activity"]
    date_hierarchy = "held_on"


class MembershipForm(forms.ModelForm):
    class Meta:
        model = CommitteeMembership
        fields = ["specialist", "committee", "role", "started_on", "ended_on"]

    def clean(self):
        data = super().clean()
        if self.instance.pk is None and data.get("specialist") and data.get("committee"):
            try:
                services.membership_check(data["specialist"], data["committee"])  # 第五条: the one-third cap
            except BusinessRuleError as exc:
                raise ValidationError(exc.message) from None
        return data


@admin.register(CommitteeMembership)
class CommitteeMembershipAdmin(admin.ModelAdmin):
    form = MembershipForm
    list_display = ["committee", "specialist", "role", "started_on", "ended_on"]
    list_filter = ["committee", "role", ("ended_on", admin.EmptyFieldListFilter)]
    search_fields = ["specialist__name"]
    list_select_related = ["committee", "specialist"]
    autocomplete_fields = ["specialist"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.membership_add(
            obj.specialist, obj.committee, on=obj.started_on, actor=request.user, role=obj.role
        )
        obj.pk = created.pk


@admin.register(LiaisonAssignment)
class LiaisonAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["specialist", "liaison", "started_on", "ended_on", "reason"]
    search_fields = ["specialist__name", "liaison__username"]
    list_select_related = ["specialist", "liaison"]


@admin.register(LiaisonChangeRequest)
class LiaisonChangeRequestAdmin(admin.ModelAdmin):
    list_display = ["created_at", "specialist", "status", "reason", "resolved_by"]
    list_filter = ["status"]
    search_fields = ["specialist__name", "reason"]
    list_select_related = ["specialist", "resolved_by"]
    readonly_fields = ["specialist", "reason", "created_at", "resolved_by", "resolved_at"]
    actions = ["decline"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Decline the selected requests"))
    def decline(self, request, queryset):
        _each(self, request, queryset, lambda r: services.liaison_change_request_decline(r, actor=request.user))


@admin.register(ContactLog)
class ContactLogAdmin(admin.ModelAdmin):
    list_display = ["contacted_on", "specialist", "staff", "channel", "notes"]
    list_filter = ["channel", "staff"]
    search_fields = ["specialist__name", "notes"]
    list_select_related = ["specialist", "staff"]
    autocomplete_fields = ["specialist"]
    exclude = ["staff"]
    date_hierarchy = "contacted_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.staff = request.user
        super().save_model(request, obj, form, change)


class MotionInline(admin.TabularInline):
    model = Motion
    extra = 0
    fields = ["kind", "title", "subject", "year", "result", "decided_on"]
    readonly_fields = ["result", "decided_on"]
    autocomplete_fields = ["subject"]
    show_change_link = True


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "kind", "committee"]
    list_filter = ["kind", "committee"]
    search_fields = ["title", "agenda", "minutes"]
    list_select_related = ["committee"]
    filter_horizontal = ["attendees"]
    date_hierarchy = "held_on"
    inlines = [MotionInline]


class VoteInline(admin.TabularInline):
    model = Vote
    extra = 0
    fields = ["voter", "choice", "cast_at"]
    readonly_fields = ["cast_at"]
    autocomplete_fields = ["voter"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Motion)
class MotionAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "subject", "meeting", "result", "tally"]
    list_filter = ["kind", "result"]
    search_fields = ["title", "subject__name"]
    list_select_related = ["subject", "meeting"]
    autocomplete_fields = ["subject"]
    readonly_fields = ["result", "decided_on"]
    inlines = [VoteInline]
    actions = ["close_vote"]

    @admin.display(description=_("votes (for / against / abstain)"))
    def tally(self, motion):
        t = services.motion_tally(motion)
        return f"{t['for']} / {t['against']} / {t['abstain']}"

    def save_formset(self, request, form, formset, change):
        for vote in formset.save(commit=False):
            try:
                services.vote_cast(form.instance, voter=vote.voter, choice=vote.choice)
            except BusinessRuleError as exc:
                self.message_user(request, f"{vote.voter}: {exc.message}", messages.ERROR)

    @admin.action(description=_("Close the vote and record the result"))
    def close_vote(self, request, queryset):
        on = timezone.localdate()
        _each(self, request, queryset, lambda m: services.motion_close(m, on=on, actor=request.user))


class NominationForm(forms.ModelForm):
    class Meta:
        model = ExcellentNomination
        fields = ["year", "specialist", "reason"]

    def clean_specialist(self):
        specialist = self.cleaned_data["specialist"]
        if specialist.status != SpecialistStatus.GENERAL:
            raise ValidationError(_("Only general specialists take part in the selection."))
        return specialist


@admin.register(ExcellentNomination)
class ExcellentNominationAdmin(admin.ModelAdmin):
    form = NominationForm
    list_display = ["year", "specialist", "year_points", "nominated_by", "awarded"]
    list_filter = ["year", "awarded"]
    search_fields = ["specialist__name", "reason"]
    list_select_related = ["specialist", "nominated_by"]
    autocomplete_fields = ["specialist"]
    readonly_fields = ["nominated_by", "motion", "awarded"]
    actions = ["issue_certificate"]

    @admin.action(description=_("Issue the excellent-specialist certificate (awarded nominations)"))
    def issue_certificate(self, request, queryset):
        on = timezone.localdate()
        _each(self, request, queryset, lambda n: documents.excellent_certificate_issue(n, actor=request.user, on=on))

    def get_urls(self):
        return [
            path("ranking/", self.admin_site.admin_view(self.ranking_view), name="specialists_excellent_ranking"),
            *super().get_urls(),
        ]

    def ranking_view(self, request):
        """第十二条: general specialists ranked by the year's points, to support nominations."""
        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = timezone.localdate().year
        nominated = set(ExcellentNomination.objects.filter(year=year).values_list("specialist_id", flat=True))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Excellent specialist: ranking by points"),
            "opts": self.model._meta,
            "year": year,
            "ranking": selectors.excellent_ranking(year),
            "nominated": nominated,
        }
        return TemplateResponse(request, "admin/specialists/excellent_ranking.html", context)

    @admin.display(description=_("points in the year"))
    def year_points(self, nomination):
        from django.db.models import Sum

        return (
            nomination.specialist.entries.filter(occurred_on__year=nomination.year)
            .filter(Q(points__gt=0, kind="activity") | Q(kind="correction"))
            .aggregate(t=Sum("points"))["t"]
            or 0
        )

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.excellent_nominate(obj.specialist, year=obj.year, reason=obj.reason, actor=request.user)
        obj.pk = created.pk


@admin.register(DocumentRequest)
class DocumentRequestAdmin(admin.ModelAdmin):
    list_display = ["requested_at", "specialist", "kind", "copies", "status", "sent_on"]
    list_filter = ["status", "kind"]
    search_fields = ["specialist__name", "address"]
    list_select_related = ["specialist"]
    readonly_fields = ["specialist", "kind", "copies", "address", "requested_at", "handled_by", "sent_on", "status"]
    actions = ["mark_sent"]

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Mark the paper copies as sent today"))
    def mark_sent(self, request, queryset):
        on = timezone.localdate()
        _each(self, request, queryset, lambda r: services.document_request_mark_sent(r, on=on, actor=request.user))


@admin.register(IssuedDocument)
class IssuedDocumentAdmin(ReadOnlyAdmin):
    list_display = ["number", "specialist", "kind", "year", "issued_on", "rendered_at", "download"]
    list_filter = ["kind", "year"]
    search_fields = ["number", "specialist__name"]
    list_select_related = ["specialist"]
    exclude = ["file"]
    actions = ["render_again"]

    @admin.display(description=_("PDF"))
    def download(self, document):
        if not document.ready:
            return _("being rendered")
        return format_html('<a href="{}">{}</a>', reverse("specialists:document", args=[document.pk]), _("Download"))

    @admin.action(description=_("Render the PDF again (after a change of name or unit)"))
    def render_again(self, request, queryset):
        from ..tasks import render_certificate

        ids = list(queryset.values_list("pk", flat=True))
        for pk in ids:
            render_certificate.delay(document_id=pk, force=True)
        self.message_user(request, _("Queued: %(n)s.") % {"n": len(ids)}, messages.SUCCESS)
