"""Points: the read-only ledger (activities recorded through the service, corrections as reversals,
the bulk import), redemptions, transfers, and the events whose attendance counts as activity."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, YearListFilter
from alliance.exceptions import BusinessRuleError
from alliance.models import ImportJob
from alliance.xlsx import xlsx_response

from .. import exports, services
from .. import imports as activity_imports
from ..enums import RuleKind
from ..models import Activity, Attendance, LedgerEntry, PointRule, Redemption, Transfer
from .common import ReadOnlyAdmin, each_selected, each_selected_with_text


class ReverseActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=300)


def _by_points(levels):
    """A rule's levels, lowest points first (the database keeps a JSON object's keys in its own order)."""
    return sorted(levels.items(), key=lambda item: (item[1]["points"], item[0]))


def rule_label(rule):
    """The rule with what it scores, from its row of 附件一: 参加培训（10 分/次）, 赞助（每 100 元 1 分）,
    推荐会员（按级别）."""
    if rule.kind == RuleKind.BY_LEVEL:
        return gettext("%(name)s (by level)") % {"name": rule.name}
    if rule.kind == RuleKind.PER_AMOUNT:
        return gettext("%(name)s (%(points)s points per %(amount)s yuan)") % {
            "name": rule.name,
            "points": rule.points,
            "amount": f"{rule.per_amount:,}",  # 1,000: the locale groups by four without a separator
        }
    if rule.unit:
        return gettext("%(name)s (%(points)s points/%(unit)s)") % {
            "name": rule.name,
            "points": rule.points,
            "unit": rule.unit,
        }
    return gettext("%(name)s (%(points)s points each)") % {"name": rule.name, "points": rule.points}


class RuleChoiceField(forms.ModelChoiceField):
    """A rule of 附件一 chosen with its points and unit in the label."""

    def label_from_instance(self, obj):
        return rule_label(obj)


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
        field_classes = {"rule": RuleChoiceField}

    level = forms.ChoiceField(
        label=LedgerEntry._meta.get_field("level").verbose_name,
        required=False,
        help_text=_("Only for a rule scored by level: choose one of that rule's levels."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "level" not in self.fields:  # the change page shows a recorded entry read-only
            return
        # The active rules only: the service refuses the others.
        self.fields["rule"].queryset = PointRule.objects.filter(active=True).order_by("order", "code")
        # 附件一's levels, grouped by the rule that defines them (the service checks the pair).
        self.fields["level"].choices = [("", "---------")] + [
            (
                rule.name,
                [(code, f"{v['name']}（{v['points']}）") for code, v in _by_points(rule.levels)],
            )
            for rule in PointRule.objects.exclude(levels={}).order_by("order", "code")
        ]

    def clean(self):
        data = super().clean()
        if data.get("rule") is None:
            self.add_error("rule", _("Choose the rule."))
        refusals = services.activity_refusals(
            data.get("specialist"),
            data.get("rule"),
            occurred_on=data.get("occurred_on"),
            quantity=data.get("quantity"),
            amount=data.get("amount"),
            level=data.get("level") or "",
        )
        for exc in refusals:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


@admin.register(LedgerEntry)
class LedgerEntryAdmin(LargeTableMixin, admin.ModelAdmin):
    """Read-only ledger; "add" records an activity through the service, corrections are reversals.

    The ledger grows without bound (LargeTableMixin): years instead of a date hierarchy, search on the
    specialist's login name (a prefix, served by its index), sorting by date only (the index)."""

    form = ActivityEntryForm
    action_form = ReverseActionForm
    list_display = ["occurred_on", "specialist", "kind", "rule", "quantity", "amount", "points", "recorded_by"]
    list_filter = ["kind", "rule", "occurred_on", ("occurred_on", YearListFilter)]
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "rule", "recorded_by"]
    sortable_by = ["occurred_on"]
    autocomplete_fields = ["specialist", "activity"]
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
        each_selected_with_text(
            self,
            request,
            queryset,
            "reason",
            _("Give a reason for the reversal."),
            lambda e, reason, on: services.ledger_reverse(e, on=on, actor=request.user, reason=reason),
        )

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
        """Bulk activity import: stores the file and starts its job (alliance.imports), then shows the job."""
        from alliance import import_views, imports

        if not self.has_add_permission(request):
            return redirect("admin:index")
        importer = imports.get_importer(activity_imports.KEY)
        form = import_views.UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = import_views.upload(request, importer.key, form)
            if job is not None:
                return redirect("import-detail", pk=job.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import activities (.xlsx)"),
            "opts": self.model._meta,
            "form": form,
            "importer": importer,
            "jobs": ImportJob.objects.filter(importer=importer.key, requested_by=request.user).defer(
                "errors", "result"
            )[:10],
        }
        return TemplateResponse(request, "admin/specialists/import.html", context, status=400 if form.errors else 200)


class CancelRedemptionsForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept on the refund entry in the ledger and in the audit log."),
    )


@admin.register(Redemption)
class RedemptionAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["created_at", "specialist", "reward", "quantity", "price", "cash_yuan", "points", "status"]
    list_filter = ["status", "reward"]
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "reward"]
    ordering = ["-pk"]  # newest first, by the primary key's index (created_at has none)
    sortable_by = []
    actions = ["fulfil", "cancel"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Redemption._meta.fields if f.name != "note"]

    @admin.action(description=_("Mark fulfilled"))
    def fulfil(self, request, queryset):
        each_selected(self, request, queryset, lambda r: services.redemption_fulfil(r, actor=request.user))

    @admin.action(description=_("Cancel and refund the points"))
    def cancel(self, request, queryset):
        """A confirmation page first (what is cancelled, how many points go back, and why): a refund is a
        ledger entry that cannot be taken back, so it is never one click."""
        form = CancelRedemptionsForm(request.POST if "confirmed" in request.POST else None)
        if form.is_bound and form.is_valid():
            note = form.cleaned_data["reason"]
            each_selected(
                self, request, queryset, lambda r: services.redemption_cancel(r, actor=request.user, note=note)
            )
            return None
        redemptions = list(queryset.select_related("specialist", "reward"))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Cancel redemptions and refund their points"),
            "opts": self.model._meta,
            "redemptions": redemptions,
            "points": sum(r.points for r in redemptions),
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/specialists/redemption/confirm_cancel.html", context)


@admin.register(Transfer)
class TransferAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["created_at", "sender", "recipient", "points"]
    search_fields = ["sender__user__username__startswith"]
    list_select_related = ["sender", "recipient"]
    ordering = ["-pk"]  # newest first, by the primary key's index (created_at has none)
    sortable_by = []


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["specialist", "recorded_by"]
    readonly_fields = ["recorded_by"]
    autocomplete_fields = ["specialist"]

    def has_add_permission(self, request, obj=None):
        # Attendance is recorded on the event's page through the service: whoever may change the event.
        return request.user.has_perm("specialists.change_activity")

    def has_change_permission(self, request, obj=None):
        return False  # recorded through the service (attendance_record), not rewritten here

    def has_delete_permission(self, request, obj=None):
        return False  # icebreakers and points were counted from it


@admin.register(Activity)
class ActivityAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["held_on", "title", "kind", "committee", "attendance_count"]
    list_filter = ["kind", "committee", ("held_on", YearListFilter)]
    search_fields = ["title"]
    list_select_related = ["committee"]
    inlines = [AttendanceInline]

    def has_delete_permission(self, request, obj=None):
        return False  # attendance and ledger entries name the event

    def get_queryset(self, request):
        # The page's attendance counts in its one query: a correlated count, computed for the page's rows.
        counted = Attendance.objects.filter(activity=OuterRef("pk")).order_by().values("activity")
        counted = counted.annotate(n=Count("pk")).values("n")
        return super().get_queryset(request).annotate(attendance_total=Coalesce(Subquery(counted), 0))

    @admin.display(description=_("attendance"))
    def attendance_count(self, activity):
        return activity.attendance_total

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            try:
                services.attendance_record(instance.specialist, form.instance, actor=request.user)
            except BusinessRuleError as exc:
                self.message_user(request, f"{instance.specialist}: {exc.message}", messages.ERROR)
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Attendance)
class AttendanceAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["held_on", "specialist", "activity", "is_icebreaker"]
    list_filter = ["is_icebreaker"]
    search_fields = ["specialist__user__username__startswith"]
    list_select_related = ["specialist", "activity"]
    ordering = ["-pk"]  # newest first, by the primary key's index (held_on leads no index)
    sortable_by = []
