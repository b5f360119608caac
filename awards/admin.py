"""The award office's admin for the nonmetal-mining S&T award (seed 001).

Rounds, special-prize limits, the leadership group, the committee, the reviewers' pool and peer
assignments are written through awards.services (the committee's rotation warning is acknowledged
on the form).  Applications and everything recorded about them — the form's team, attachments,
history, checks, opinions, scores, votes, objections, bans — are records: shown, filtered by round,
never edited here.
"""

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from alliance.admin_base import LargeTableMixin, ReadOnlyAdmin, ReadOnlyInline
from alliance.exceptions import BusinessRuleError

from . import services
from .models import (
    Application,
    Attachment,
    AttachmentRequirement,
    Ban,
    CommitteeMember,
    CommitteeScore,
    CompletingUnit,
    ConfidentialityPledge,
    ConflictDeclaration,
    Contributor,
    FormalCheck,
    IneligibilityItem,
    LeadershipMember,
    Notice,
    Objection,
    PeerAssignment,
    PeerReview,
    PeerReviewer,
    QuotaRule,
    Reconsideration,
    ReconsiderationVote,
    Revocation,
    Round,
    SpecialGradeLimit,
    StatusChange,
)


def _refused(modeladmin, request, exc):
    modeladmin.message_user(request, exc.message, messages.ERROR)


def attachment_kind_label(attachment):
    """第二十六条's name of an attachment's kind (data/attachments.yaml), not its code."""
    names = _attachment_names()
    return names.get(attachment.kind, attachment.kind)


def _attachment_names():
    return dict(AttachmentRequirement.objects.values_list("code", "name"))


def checklist_lines(check):
    """第二十八条's items as the office answered them: "名称：是/否"."""
    names = dict(IneligibilityItem.objects.values_list("code", "name"))
    yes, no = _("yes"), _("no")
    return format_html_join(
        mark_safe("<br>"),
        "{}：{}",
        ((names.get(code, code), yes if value else no) for code, value in check.answers.items()),
    )


class RoundFilter(admin.SimpleListFilter):
    """By round year: the rounds' own small table, not the distinct values of the filtered one."""

    title = _("round")
    parameter_name = "round"
    path = "round"

    def lookups(self, request, model_admin):
        return [(str(pk), str(year)) for pk, year in Round.objects.order_by("-year").values_list("pk", "year")]

    def queryset(self, request, queryset):
        value = self.value()
        return queryset.filter(**{f"{self.path}_id": value}) if value and value.isdigit() else queryset


class ApplicationRoundFilter(RoundFilter):
    path = "application__round"


class ServiceAddAdmin(admin.ModelAdmin):
    """Rows added through a service (`create(request, obj, form)`), never changed or deleted here."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        try:
            created = self.create(request, obj, form)
        except BusinessRuleError as exc:
            _refused(self, request, exc)
            return
        obj.pk = created.pk
        obj._state.adding = False


# ---- reference data --------------------------------------------------------------------------------


@admin.register(QuotaRule)
class QuotaRuleAdmin(ReadOnlyAdmin):
    list_display = ["category", "grade", "max_contributors", "max_units"]
    list_filter = ["category"]


@admin.register(AttachmentRequirement)
class AttachmentRequirementAdmin(ReadOnlyAdmin):
    list_display = ["category", "position", "name", "required"]
    list_filter = ["category"]


@admin.register(IneligibilityItem)
class IneligibilityItemAdmin(ReadOnlyAdmin):
    list_display = ["position", "name"]


# ---- rounds and bodies ------------------------------------------------------------------------------


class RoundForm(forms.ModelForm):
    class Meta:
        model = Round
        fields = ["year", "title", "application_deadline", "peer_review_deadline", "committee_deadline"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["year"].disabled = True


class CommitteeInline(ReadOnlyInline):
    model = CommitteeMember
    fields = ["user", "role", "rotation_acknowledged"]
    readonly_fields = fields


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    form = RoundForm
    list_display = ["year", "__str__", "application_deadline", "committee_confirmed_at", "leadership_approved_at"]
    readonly_fields = ["committee_confirmed_at", "leadership_approved_at", "final_approved_at"]
    inlines = [CommitteeInline]
    actions = ["confirm_committee"]

    def save_model(self, request, obj, form, change):
        if change:
            values = {name: form.cleaned_data[name] for name in form.changed_data if name != "year"}
            try:
                services.round_update(Round.objects.get(pk=obj.pk), by=request.user, **values)
            except BusinessRuleError as exc:
                _refused(self, request, exc)
            return
        try:
            created = services.round_create(by=request.user, **form.cleaned_data)
        except BusinessRuleError as exc:
            _refused(self, request, exc)
            return
        obj.pk = created.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # applications refer to it

    @admin.action(description=_("Confirm the review committee (第七条)"), permissions=["change"])
    def confirm_committee(self, request, queryset):
        for round_ in queryset:
            try:
                services.committee_confirm(round_, by=request.user)
            except BusinessRuleError as exc:
                _refused(self, request, exc)
            else:
                self.message_user(request, _("The %(year)s committee is confirmed.") % {"year": round_.year})


class SpecialGradeLimitForm(forms.ModelForm):
    class Meta:
        model = SpecialGradeLimit
        fields = ["round", "category", "max_contributors", "max_units"]


@admin.register(SpecialGradeLimit)
class SpecialGradeLimitAdmin(admin.ModelAdmin):
    form = SpecialGradeLimitForm
    list_display = ["round", "category", "max_contributors", "max_units", "set_by", "set_at"]
    list_select_related = ["round", "set_by"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            limit = services.special_limit_set(
                data["round"],
                category=data["category"],
                max_contributors=data["max_contributors"],
                max_units=data["max_units"],
                by=request.user,
            )
        except BusinessRuleError as exc:
            _refused(self, request, exc)
            return
        obj.pk = limit.pk
        obj._state.adding = False


@admin.register(LeadershipMember)
class LeadershipMemberAdmin(ServiceAddAdmin):
    list_display = ["user", "round", "is_chair"]
    list_filter = [RoundFilter]
    list_select_related = ["user", "round"]
    fields = ["round", "user", "is_chair"]

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.leadership_add(data["round"], user=data["user"], is_chair=data["is_chair"], by=request.user)


class CommitteeMemberForm(forms.ModelForm):
    acknowledge_rotation = forms.BooleanField(
        label=_("Appoint for a third consecutive year anyway"),
        required=False,
        help_text=_("第七条: a member who served two consecutive years should rotate out in the third."),
    )

    class Meta:
        model = CommitteeMember
        fields = ["round", "user", "role"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if services.consecutive_years(data["round"], data["user"]) >= 2 and not data.get("acknowledge_rotation"):
            self.add_error(
                "acknowledge_rotation",
                _("%(name)s has served two consecutive years; tick the box to appoint anyway.")
                % {"name": data["user"]},
            )
        return data


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(ServiceAddAdmin):
    form = CommitteeMemberForm
    list_display = ["user", "role", "round", "rotation_acknowledged"]
    list_filter = [RoundFilter, "role"]
    list_select_related = ["user", "round"]

    def get_fields(self, request, obj=None):
        return ["round", "user", "role", "acknowledge_rotation"] if obj is None else ["round", "user", "role"]

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.committee_add(
            data["round"],
            user=data["user"],
            role=data["role"],
            by=request.user,
            acknowledge_rotation=data.get("acknowledge_rotation", False),
        )


@admin.register(PeerReviewer)
class PeerReviewerAdmin(admin.ModelAdmin):
    list_display = ["user", "specialties", "active"]
    list_filter = ["active"]
    list_select_related = ["user"]
    search_fields = ["user__username__startswith", "specialties"]

    def has_delete_permission(self, request, obj=None):
        return False  # set inactive


@admin.register(ConfidentialityPledge)
class ConfidentialityPledgeAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["user", "round", "accepted_at"]
    list_filter = [RoundFilter]
    list_select_related = ["user", "round"]
    search_fields = ["user__username__startswith"]
    ordering = ["-pk"]


# ---- applications --------------------------------------------------------------------------------------


class ContributorInline(ReadOnlyInline):
    model = Contributor
    fields = ["order", "name", "unit_name", "title"]
    readonly_fields = fields


class CompletingUnitInline(ReadOnlyInline):
    model = CompletingUnit
    fields = ["order", "organisation"]
    readonly_fields = fields


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["kind_name", "file", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("kind"))
    def kind_name(self, attachment):
        return attachment_kind_label(attachment)


class HistoryInline(ReadOnlyInline):
    model = StatusChange
    fields = ["at", "from_status", "to_status", "by", "note"]
    readonly_fields = fields


@admin.register(Application)
class ApplicationAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["title", "organisation", "category", "requested_grade", "proposed_grade", "status", "round"]
    list_filter = [RoundFilter, "status", "category"]
    list_select_related = ["organisation", "round"]
    search_fields = ["title__startswith", "organisation__name__startswith"]
    ordering = ["round", "pk"]
    inlines = [ContributorInline, CompletingUnitInline, AttachmentInline, HistoryInline]
    actions = ["tally_peer_review"]

    @admin.action(description=_("Tally the peer review (≥ 2/3 agree → committee)"), permissions=["view"])
    def tally_peer_review(self, request, queryset):
        done = 0
        for application in queryset:
            try:
                services.peer_tally(application, by=request.user)
                done += 1
            except BusinessRuleError as exc:
                _refused(self, request, exc)
        if done:
            self.message_user(request, _("%(count)s applications tallied.") % {"count": done})


@admin.register(Contributor)
class ContributorAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["name", "order", "application"]
    list_select_related = ["application"]
    search_fields = ["name__startswith"]
    ordering = ["application", "order"]


@admin.register(CompletingUnit)
class CompletingUnitAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["organisation", "order", "application"]
    list_select_related = ["organisation", "application"]
    search_fields = ["organisation__name__startswith"]
    ordering = ["application", "order"]


@admin.register(Attachment)
class AttachmentAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["__str__", "kind_name", "application", "uploaded_at"]
    exclude = ["kind"]
    readonly_fields = ["kind_name"]

    @admin.display(description=_("kind"))
    def kind_name(self, attachment):
        return attachment_kind_label(attachment)

    list_select_related = ["application"]
    ordering = ["-pk"]


@admin.register(StatusChange)
class StatusChangeAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["application", "from_status", "to_status", "by", "at"]
    list_filter = [ApplicationRoundFilter]
    list_select_related = ["application", "by"]
    ordering = ["-pk"]


@admin.register(FormalCheck)
class FormalCheckAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["application", "result", "deadline", "checked_by", "checked_at"]
    exclude = ["answers"]
    readonly_fields = ["checklist"]

    @admin.display(description=_("checklist answers"))
    def checklist(self, check):
        return checklist_lines(check)

    list_filter = [ApplicationRoundFilter, "result"]
    list_select_related = ["application", "checked_by"]
    ordering = ["-pk"]


class PeerAssignmentForm(forms.ModelForm):
    class Meta:
        model = PeerAssignment
        fields = ["application", "reviewer"]


@admin.register(PeerAssignment)
class PeerAssignmentAdmin(LargeTableMixin, ServiceAddAdmin):
    form = PeerAssignmentForm
    list_display = ["reviewer", "application", "assigned_at"]
    list_filter = [ApplicationRoundFilter]
    list_select_related = ["reviewer", "application"]
    search_fields = ["reviewer__username__startswith"]
    ordering = ["-pk"]
    raw_id_fields = ["application"]

    def create(self, request, obj, form):
        data = form.cleaned_data
        return services.peer_assign(data["application"], reviewer=data["reviewer"], by=request.user)


@admin.register(PeerReview)
class PeerReviewAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["assignment", "agree", "submitted_at"]
    list_select_related = ["assignment__application", "assignment__reviewer"]
    ordering = ["-pk"]


@admin.register(ConflictDeclaration)
class ConflictDeclarationAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["user", "application", "declared_at"]
    list_select_related = ["user", "application"]
    ordering = ["-pk"]


@admin.register(CommitteeScore)
class CommitteeScoreAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["application", "member", "score", "recommended_grade", "submitted_at"]
    list_filter = [ApplicationRoundFilter]
    list_select_related = ["application", "member__user"]
    ordering = ["application", "member"]


@admin.register(Reconsideration)
class ReconsiderationAdmin(ReadOnlyAdmin):
    list_display = ["application", "called_by", "called_at", "closed", "result_grade"]
    list_select_related = ["application", "called_by"]


@admin.register(ReconsiderationVote)
class ReconsiderationVoteAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["reconsideration", "member", "grade", "voted_at"]
    list_select_related = ["reconsideration__application", "member__user"]
    ordering = ["-pk"]


@admin.register(Notice)
class NoticeAdmin(ReadOnlyAdmin):
    list_display = ["round", "starts_on", "objections_until", "closed_on"]
    list_select_related = ["round"]


@admin.register(Objection)
class ObjectionAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["application", "kind", "name", "received_on", "status", "answer_deadline"]
    list_filter = [ApplicationRoundFilter, "kind", "status"]
    list_select_related = ["application"]
    ordering = ["-pk"]


@admin.register(Ban)
class BanAdmin(ReadOnlyAdmin):
    list_display = ["organisation", "user", "reason", "first_year", "last_year", "application"]
    list_select_related = ["organisation", "user", "application"]


@admin.register(Revocation)
class RevocationAdmin(ReadOnlyAdmin):
    list_display = ["application", "reason", "decided_on", "decided_by"]
    list_select_related = ["application", "decided_by"]
