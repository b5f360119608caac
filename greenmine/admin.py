from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.admin_base import ReadOnlyAdmin, ReadOnlyInline
from alliance.exceptions import BusinessRuleError

from . import services
from .enums import AssessmentStatus, AssignmentStatus
from .models import (
    Assessment,
    CatalogueVersion,
    Category,
    Evidence,
    ExpertAssignment,
    ExpertScore,
    Indicator,
    Prerequisite,
    PrerequisiteCheck,
    ProvinceRule,
    SiteVisit,
)


class CategoryInline(ReadOnlyInline):
    model = Category
    fields = ["number", "name", "points"]


class PrerequisiteInline(ReadOnlyInline):
    model = Prerequisite
    fields = ["order", "code", "name", "requirement"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(ReadOnlyAdmin):
    list_display = ["code", "title", "is_current", "loaded_at"]
    inlines = [CategoryInline, PrerequisiteInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "category", "subcategory", "points", "attribute", "variant", "method", "version"]
    list_filter = ["version", "category__name", "attribute", "variant"]
    search_fields = ["name", "subcategory", "scoring_text", "basis"]
    list_select_related = ["category", "version"]
    ordering = ["version", "number"]


@admin.register(ProvinceRule)
class ProvinceRuleAdmin(admin.ModelAdmin):
    list_display = ["province", "pass_line"]
    search_fields = ["province"]


class AssignmentInline(ReadOnlyInline):
    model = ExpertAssignment
    fk_name = "assessment"
    fields = ["expert", "status", "assigned_at", "submitted_at"]
    readonly_fields = fields


class PrerequisiteCheckInline(ReadOnlyInline):
    model = PrerequisiteCheck
    fields = ["code", "passed", "record", "checked_by", "checked_at"]
    readonly_fields = fields


class EvidenceInline(ReadOnlyInline):
    model = Evidence
    fields = ["indicator", "download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("green-mine", "file"))
    def download(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("greenmine-api:evidence-download", args=[obj.pk]), obj.original_name
        )


class SiteVisitInline(ReadOnlyInline):
    model = SiteVisit
    fields = ["visited_on", "visitors", "location", "observations", "recorded_by"]
    readonly_fields = fields


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["mine_name", "province", "variant", "mining_method", "pass_line", "status", "created_at"]
    list_filter = ["status", "variant", "mining_method", "province", "catalogue"]
    search_fields = ["mine_name", "province"]
    list_select_related = ["catalogue"]
    inlines = [AssignmentInline, PrerequisiteCheckInline, EvidenceInline, SiteVisitInline]
    actions = ["complete_assessments"]
    fields = [
        "mine_name",
        "organisation",
        "province",
        "variant",
        "mining_method",
        "pass_line",
        "catalogue",
        "status",
        "result_link",
    ]
    autocomplete_fields = ["organisation"]

    def has_delete_permission(self, request, obj=None):
        # Only an assessment entered by mistake, before anyone worked on it: once an expert is assigned
        # or anything is recorded, the scores, evidence and result are the assessment's record.
        if not super().has_delete_permission(request, obj):
            return False
        return obj is None or (
            obj.status == AssessmentStatus.DRAFT
            and not obj.assignments.exists()
            and not obj.prerequisite_checks.exists()
            and not obj.evidence.exists()
            and not obj.site_visits.exists()
        )

    def get_actions(self, request):
        # Bulk delete would skip the per-row check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fixed = ["catalogue", "status", "result_link"]
        if obj is not None:  # the rules of an open assessment are changed only through its services
            fixed += ["variant", "mining_method", "pass_line", "province"]
        return fixed

    @admin.display(description=_("result"))
    def result_link(self, obj):
        if not obj or not obj.pk:
            return "—"
        return format_html('<a href="{}">{}</a>', reverse("greenmine:result", args=[obj.pk]), _("Open the result page"))

    def save_model(self, request, obj, form, change):
        if change:
            services.assessment_update(obj, mine_name=obj.mine_name, organisation=obj.organisation, by=request.user)
            obj.refresh_from_db()
            return
        created = services.assessment_create(
            mine_name=obj.mine_name,
            variant=obj.variant,
            mining_method=obj.mining_method,
            pass_line=form.cleaned_data.get("pass_line"),
            province=obj.province,
            organisation=obj.organisation,
            created_by=request.user,
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("Complete: keep the result (all experts must have submitted)"))
    def complete_assessments(self, request, queryset):
        done = 0
        for assessment in queryset:
            try:
                services.assessment_complete(assessment, by=request.user)
                done += 1
            except BusinessRuleError as exc:
                self.message_user(request, f"{assessment}: {exc.message}", messages.ERROR)
        if done:
            self.message_user(request, _("%(n)d assessment(s) completed.") % {"n": done}, messages.SUCCESS)


class ExpertAssignmentForm(forms.ModelForm):
    class Meta:
        model = ExpertAssignment
        fields = ["assessment", "expert"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None and cleaned.get("assessment") and cleaned.get("expert"):
            try:
                services.expert_check_assignable(cleaned["assessment"], cleaned["expert"])
            except BusinessRuleError as exc:
                raise forms.ValidationError({"expert": exc.message} if exc.field else exc.message) from None
        return cleaned


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(admin.ModelAdmin):
    form = ExpertAssignmentForm
    list_display = ["assessment", "expert", "status", "assigned_at", "submitted_at"]
    list_filter = ["status"]
    search_fields = ["assessment__mine_name", "expert__username", "expert__profile__name"]
    list_select_related = ["assessment", "expert"]
    autocomplete_fields = ["expert"]
    actions = ["reopen_submissions"]

    def has_delete_permission(self, request, obj=None):
        return False  # the expert's scores hang on the assignment; no service unassigns one

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "submitted_at"]
        return fixed + ["assessment", "expert"] if obj else fixed

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.expert_assign(obj.assessment, username=obj.expert.username, assigned_by=request.user)
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.action(description=_("Reopen submitted scores"))
    def reopen_submissions(self, request, queryset):
        done = 0
        for assignment in queryset.filter(status=AssignmentStatus.SUBMITTED):
            try:
                services.assignment_reopen(assignment, by=request.user)
                done += 1
            except BusinessRuleError as exc:
                self.message_user(request, f"{assignment}: {exc.message}", messages.ERROR)
        self.message_user(request, _("%(n)d submission(s) reopened.") % {"n": done}, messages.SUCCESS)


@admin.register(ExpertScore)
class ExpertScoreAdmin(ReadOnlyAdmin):
    list_display = ["assignment", "indicator", "score", "not_applicable", "updated_at"]
    list_filter = ["not_applicable", "assignment__assessment"]
    search_fields = ["assignment__assessment__mine_name", "assignment__expert__username", "record", "reason"]
    list_select_related = ["assignment__assessment", "assignment__expert", "indicator"]


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    list_display = ["original_name", "assessment", "indicator", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "assessment__mine_name"]
    list_select_related = ["assessment", "indicator", "uploaded_by"]


@admin.register(SiteVisit)
class SiteVisitAdmin(ReadOnlyAdmin):
    list_display = ["visited_on", "assessment", "location", "visitors"]
    search_fields = ["assessment__mine_name", "location", "visitors", "observations"]
    list_select_related = ["assessment"]
