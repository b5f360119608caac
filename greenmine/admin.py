from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.admin_base import LargeTableMixin, ReadOnlyAdmin, ReadOnlyInline
from alliance.exceptions import BusinessRuleError

from . import services
from .enums import AssessmentStatus
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
from .scoring import effective_rule


def describe_inputs(rule, inputs):
    """An expert's scoring inputs as lines people read, named by the rule's own labels (the catalogue):
    "管理区与生活区分区不明显：1 处" rather than {"findings": {"admin_living": 1}}."""
    kind = rule.get("kind")
    if kind == "all_or_nothing" and "passed" in inputs:
        return [_("Met") if inputs["passed"] is True else _("Not met")]
    if kind == "deduction":
        labels = {f["key"]: f.get("label", f["key"]) for f in rule.get("findings", [])}
        found = inputs.get("findings") or {}
        return [_("%(finding)s: %(count)s found") % {"finding": labels.get(k, k), "count": n} for k, n in found.items()]
    if kind == "additive":
        labels = {i["key"]: i.get("label", i["key"]) for i in rule.get("items", [])}
        items = inputs.get("items") or {}
        return [
            f"{labels.get(k, k)}：{_('yes') if v is True else _('no') if v is False else v}" for k, v in items.items()
        ]
    if kind == "choice" and inputs.get("option"):
        options = {o["key"]: o for o in rule.get("options", [])}
        option = options.get(inputs["option"], {})
        chosen = describe_inputs(option.get("rule") or {}, inputs.get("input") or {})
        return [option.get("label", inputs["option"]), *chosen]
    return []


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
    # The scoring rule as data (`rule`) is the machine form of the scoring text shown here.
    exclude = ["rule"]
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
    fields = ["prerequisite", "passed", "record", "checked_by", "checked_at"]
    readonly_fields = fields

    @admin.display(description=_("prerequisite"))
    def prerequisite(self, check):
        return check.name


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

    def has_delete_permission(self, request, obj=None):
        return False  # the expert's scores hang on the assignment; no service unassigns one

    def get_readonly_fields(self, request, obj=None):
        fixed = ["status", "submitted_at"]
        return fixed + ["assessment", "expert", "reopen_link"] if obj else fixed

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.expert_assign(obj.assessment, username=obj.expert.username, assigned_by=request.user)
        obj.pk = created.pk
        obj.refresh_from_db()

    @admin.display(description=_("Reopen"))
    def reopen_link(self, obj):
        """Sending scores back needs a reason: the result page's confirmation step asks for it."""
        if obj is None or services.reopen_refusal(obj) is not None:
            return "—"
        url = reverse("greenmine:reopen", args=[obj.assessment_id, obj.pk])
        return format_html('<a class="button" href="{}">{}</a>', url, _("Send back for correction…"))


@admin.register(ExpertScore)
class ExpertScoreAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["assignment", "indicator", "score", "not_applicable", "updated_at"]
    list_filter = ["not_applicable", "assignment__assessment"]
    search_fields = ["assignment__expert__username__startswith"]  # the mine: the assessment filter
    list_select_related = ["assignment__assessment", "assignment__expert", "indicator"]
    fields = ["assignment", "indicator", "score", "not_applicable", "reason", "record", "scoring_inputs", "updated_at"]
    readonly_fields = fields

    @admin.display(description=_("scoring inputs"))
    def scoring_inputs(self, score):
        method = score.assignment.assessment.mining_method
        lines = describe_inputs(effective_rule(score.indicator.rule, method) or {}, score.inputs or {})
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines)) if lines else "—"


@admin.register(Evidence)
class EvidenceAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["original_name", "assessment", "indicator", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "assessment__mine_name"]
    list_select_related = ["assessment", "indicator", "uploaded_by"]
    fields = ["assessment", "indicator", "download", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=pgettext_lazy("green-mine", "file"))
    def download(self, obj):
        return EvidenceInline.download(self, obj)


@admin.register(SiteVisit)
class SiteVisitAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["visited_on", "assessment", "location", "visitors"]
    search_fields = ["assessment__mine_name", "location", "visitors", "observations"]
    list_select_related = ["assessment"]
