"""Committees: their monthly summary, membership within the one-third cap, meetings, motions and
votes, and the excellent-specialist nominations with their ranking page."""

import datetime as dt

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliance.exceptions import BusinessRuleError
from alliance.xlsx import xlsx_response

from .. import documents, exports, selectors, services
from ..models import Committee, CommitteeMembership, ExcellentNomination, Meeting, Motion, Vote
from .common import each_selected


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order"]
    search_fields = ["name", "code"]
    ordering = ["order"]

    def has_delete_permission(self, request, obj=None):
        return False  # memberships and meetings name their committee

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

    def has_delete_permission(self, request, obj=None):
        return False  # 第五条: the one-third cap counts memberships; one ends with its end date

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.membership_add(
            obj.specialist, obj.committee, on=obj.started_on, actor=request.user, role=obj.role
        )
        obj.pk = created.pk


class MotionInline(admin.TabularInline):
    model = Motion
    extra = 0
    fields = ["kind", "title", "subject", "year", "result", "decided_on"]
    readonly_fields = ["result", "decided_on"]
    autocomplete_fields = ["subject"]
    show_change_link = True

    def has_delete_permission(self, request, obj=None):
        return False  # a motion and its votes are the committee's record


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["held_on", "title", "kind", "committee"]
    list_filter = ["kind", "committee"]
    search_fields = ["title", "agenda", "minutes"]
    list_select_related = ["committee"]
    filter_horizontal = ["attendees"]
    date_hierarchy = "held_on"
    inlines = [MotionInline]

    def has_delete_permission(self, request, obj=None):
        return False  # its motions and votes are the committee's record


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

    def has_delete_permission(self, request, obj=None):
        return False  # exit decisions and nominations cite the vote

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
        each_selected(self, request, queryset, lambda m: services.motion_close(m, on=on, actor=request.user))


class NominationForm(forms.ModelForm):
    class Meta:
        model = ExcellentNomination
        fields = ["year", "specialist", "reason"]

    def clean_specialist(self):
        specialist = self.cleaned_data["specialist"]
        try:
            services.excellent_check(specialist)
        except BusinessRuleError as exc:
            raise ValidationError(exc.message) from None
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

    def has_delete_permission(self, request, obj=None):
        return False  # 第十二条: the nomination is the record the award and its certificate rest on

    @admin.action(description=_("Issue the excellent-specialist certificate (awarded nominations)"))
    def issue_certificate(self, request, queryset):
        on = timezone.localdate()
        each_selected(
            self, request, queryset, lambda n: documents.excellent_certificate_issue(n, actor=request.user, on=on)
        )

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

    def get_queryset(self, request):
        return selectors.with_year_points(super().get_queryset(request))

    @admin.display(description=_("points in the year"), ordering="year_points")
    def year_points(self, nomination):
        return nomination.year_points

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        created = services.excellent_nominate(obj.specialist, year=obj.year, reason=obj.reason, actor=request.user)
        obj.pk = created.pk
