"""The secretariat's admin for the leading-technology list nominations (seed 004).

Campaigns are created and changed through nominations.services (the deadlines default from the data
file and stay in order); experts are assigned and taken off through the services.  Nominations,
evaluations and published lists are records written by the units, the experts and the services:
the admin shows them, filtered by campaign, field and status, and never edits them.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, ReadOnlyAdmin, ReadOnlyInline
from alliance.exceptions import BusinessRuleError
from alliance.roles import Role
from alliance.validation import check_year

from . import reference, services
from .enums import CRITERION_CODES, Field
from .models import (
    Campaign,
    Evaluation,
    ExpertAssignment,
    FieldConsortium,
    IndustryCode,
    Nomination,
    NominationAttachment,
    Publication,
)


def _refused(modeladmin, request, exc):
    modeladmin.message_user(request, exc.message, messages.ERROR)


# ---- campaigns ------------------------------------------------------------------------------------


class CampaignForm(forms.ModelForm):
    class Meta:
        model = Campaign
        fields = [
            "year",
            "title",
            *services.STAGE_FIELDS,
            "cap_per_field",
            "preselection_cap",
            "shortlist_min",
            "shortlist_max",
            "list_size",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True
        else:
            # A new campaign's deadlines default from the seed's timetable (data/campaign.yaml).
            for name in services.STAGE_FIELDS:
                self.fields[name].required = False
                self.fields[name].help_text = _("Empty: the seed's date in the campaign's year.")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = {name: data.get(name) for name in self.Meta.fields if name != "year"}
        try:
            if self.instance.pk:
                merged = {name: values[name] or getattr(self.instance, name) for name in services.STAGE_FIELDS}
                services.check_timetable(merged)
            else:
                data["year"] = check_year(data["year"])
                seed_dates = services.default_deadlines(data["year"])
                for name in services.STAGE_FIELDS:
                    data[name] = values[name] = values[name] or seed_dates[name]
                    setattr(self.instance, name, data[name])
                services.check_timetable(values)
        except BusinessRuleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        return data


class SelectedInline(admin.TabularInline):
    model = Nomination
    fk_name = "campaign"
    fields = ["list_position", "name", "unit", "field"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("the published list")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(status="selected").select_related("unit").order_by("list_position")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    form = CampaignForm
    list_display = [
        "year",
        "__str__",
        "recommendation_deadline",
        "preliminary_deadline",
        "final_review_deadline",
        "publication_date",
        "cap_per_field",
    ]
    ordering = ["-year"]
    inlines = [SelectedInline]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data.get(name) for name in form.Meta.fields if name != "year"}
        try:
            if change:
                services.campaign_update(obj, actor=request.user, **values)
                obj.refresh_from_db()
                return
            campaign = services.campaign_create(year=obj.year, actor=request.user, **values)
        except BusinessRuleError as exc:
            _refused(self, request, exc)
            return
        obj.pk = campaign.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # nominations refer to it


@admin.register(FieldConsortium)
class FieldConsortiumAdmin(admin.ModelAdmin):
    list_display = ["field", "name", "contact", "phone", "addressee", "mobile"]
    fields = ["field", "name", "contact", "phone", "address", "addressee", "mobile"]
    readonly_fields = ["field"]

    def has_add_permission(self, request):
        return False  # the five fields of 一、榜单设置

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IndustryCode)
class IndustryCodeAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "level", "parent"]
    list_filter = ["level"]
    list_select_related = ["parent"]
    search_fields = ["=code", "name"]
    ordering = ["position"]


# ---- nominations ----------------------------------------------------------------------------------


class CampaignFilter(admin.SimpleListFilter):
    """By campaign year: the campaigns' own small table, not the distinct values of the filtered one."""

    title = _("campaign")
    parameter_name = "campaign"
    path = "campaign"

    def lookups(self, request, model_admin):
        return [(str(pk), str(year)) for pk, year in Campaign.objects.order_by("-year").values_list("pk", "year")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{f"{self.path}_id": value}) if value and value.isdigit() else queryset


class EvaluationCampaignFilter(CampaignFilter):
    path = "nomination__campaign"


class EvaluationFieldFilter(admin.SimpleListFilter):
    title = _("technical field")
    parameter_name = "field"

    def lookups(self, request, model_admin):
        return Field.choices

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(nomination__field=value) if value in Field.values else queryset


class AttachmentInline(ReadOnlyInline):
    model = NominationAttachment
    fields = ["kind", "original_name", "size", "characters", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Nomination)
class NominationAdmin(LargeTableMixin, ReadOnlyAdmin):
    inlines = [AttachmentInline]
    list_display = ["name", "unit", "field", "status", "trl", "shortlist_rank", "campaign"]
    list_filter = [CampaignFilter, "field", "status", "project_type"]
    list_select_related = ["unit", "campaign"]
    search_fields = ["name__startswith", "unit__name__startswith"]
    ordering = ["campaign", "field", "pk"]
    readonly_fields = ["trl_meaning", "industry_list"]
    fieldsets = [
        (
            _("Technology"),
            {"fields": ["campaign", "name", "field", "industry_list", "project_type", ("trl", "trl_meaning")]},
        ),
        (_("Team"), {"fields": [("contact", "phone"), "address", "email", "team_intro"]}),
        (_("Intellectual property and awards"), {"fields": ["ip", "awards"]}),
        (_("Technical level"), {"fields": ["tech_level", "tech_level_detail"]}),
        (_("Benefits"), {"fields": ["benefits", "benefits_detail"]}),
        (
            _("Units and opinions"),
            {
                "fields": [
                    "unit",
                    "recommender",
                    "preselected_by",
                    ("pledge_accepted", "pledge_accepted_at"),
                    "recommender_opinion",
                ]
            },
        ),
        (
            _("Progress"),
            {"fields": ["status", "submitted_at", "shortlist_rank", "list_position", "created_by", "created_at"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("unit", "campaign")

    @admin.display(description=_("readiness level means"))
    def trl_meaning(self, nomination):
        return reference.trl_description(nomination.trl, nomination.project_type) or "—"

    @admin.display(description=_("key industries served"))
    def industry_list(self, nomination):
        return "；".join(str(code) for code in nomination.industries.all()) or "—"


class ExpertAssignmentForm(forms.ModelForm):
    class Meta:
        model = ExpertAssignment
        fields = ["campaign", "field", "expert"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "expert" in self.fields:
            self.fields["expert"].queryset = (
                get_user_model().objects.filter(groups__name=Role.EXPERT).order_by("username").distinct()
            )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("expert") is not None:
            try:
                services.check_assignable(data["campaign"], data["field"], data["expert"])
            except BusinessRuleError as exc:
                self.add_error("expert", exc.message)
        return data


@admin.register(ExpertAssignment)
class ExpertAssignmentAdmin(admin.ModelAdmin):
    form = ExpertAssignmentForm
    list_display = ["expert", "field", "campaign", "assigned_at"]
    list_filter = ["campaign", "field"]
    list_select_related = ["expert", "campaign"]
    search_fields = ["expert__username"]

    def has_change_permission(self, request, obj=None):
        return False  # take the expert off and assign another

    def save_model(self, request, obj, form, change):
        assignment = services.expert_assign(
            obj.campaign, field=obj.field, username=obj.expert.get_username(), actor=request.user
        )
        obj.pk = assignment.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            services.expert_unassign(obj, actor=request.user)
        except BusinessRuleError as exc:
            _refused(self, request, exc)

    def delete_queryset(self, request, queryset):
        for assignment in queryset:
            self.delete_model(request, assignment)


@admin.register(Evaluation)
class EvaluationAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["nomination", "expert", *CRITERION_CODES, "total", "updated_at"]
    list_filter = [EvaluationCampaignFilter, EvaluationFieldFilter]
    list_select_related = ["nomination", "expert"]
    search_fields = ["nomination__name__startswith", "expert__username__startswith"]
    ordering = ["nomination", "pk"]


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "published_on", "size", "published_by"]
    list_select_related = ["campaign", "published_by"]
