"""The association office's admin for member units and liaisons (seed 002).

Every change that the rulebook governs goes through liaisons.services: registering a unit or a
liaison (a second liaison hands the first over), answering feedback, deciding articles, sending
notices, recording attendance and fees.  The admin shows the rule's refusal as a message.
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.admin_base import LargeTableMixin, ReadOnlyAdmin, ReadOnlyInline
from alliance.exceptions import BusinessRuleError
from specialists.admin.common import each_selected, person_label

from . import services
from .models import (
    Article,
    AssessmentCriterion,
    Attendance,
    Feedback,
    FeePayment,
    Gathering,
    Handover,
    Liaison,
    Membership,
    MemberUnit,
    Notice,
    NoticeDelivery,
    ProgrammeSettings,
    ResumeEntry,
    StipendBand,
    UnitChangeRequest,
)


def _refused(modeladmin, request, exc):
    modeladmin.message_user(request, exc.message, messages.ERROR)


# ---- member units --------------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    fields = ["association", "level", "joined_on", "is_active"]
    extra = 0


class CurrentLiaisonInline(ReadOnlyInline):
    model = Liaison
    fk_name = "organisation"
    fields = ["name", "mobile", "email", "is_active", "started_on", "ended_on"]
    readonly_fields = fields
    show_change_link = True
    verbose_name_plural = _("liaisons (current and earlier)")


class MemberUnitForm(forms.ModelForm):
    class Meta:
        model = MemberUnit
        fields = ["name", "nature", "address", "postcode"]

    def clean(self):
        data = super().clean()
        for field, check in (("name", services.clean_name), ("postcode", services.check_postcode)):
            if field in data:
                try:
                    data[field] = check(data[field])
                except BusinessRuleError as exc:
                    self.add_error(field, exc.message)
        return data


@admin.register(MemberUnit)
class MemberUnitAdmin(admin.ModelAdmin):
    form = MemberUnitForm
    list_display = ["name", "nature", "current_liaison", "current_mobile", "postcode"]
    list_filter = ["nature", "memberships__association", "memberships__level"]
    search_fields = ["name", "liaisons__name", "liaisons__mobile"]
    inlines = [MembershipInline, CurrentLiaisonInline]

    def get_queryset(self, request):
        from . import selectors

        current = Liaison.objects.filter(is_active=True).only("organisation_id", "name", "mobile")
        return (
            MemberUnit.objects.filter(pk__in=selectors.member_units().values("pk"))
            .prefetch_related(Prefetch("liaisons", queryset=current, to_attr="current"))
            .distinct()
        )

    @admin.display(description=pgettext_lazy("liaisons", "current liaison"))
    def current_liaison(self, unit):
        return unit.current[0].name if getattr(unit, "current", None) else "—"

    @admin.display(description=_("mobile"))
    def current_mobile(self, unit):
        return unit.current[0].mobile if getattr(unit, "current", None) else "—"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        # A new member unit: the registry row through the service (a duplicate full name is refused).
        unit = services.unit_register(
            name=obj.name, nature=obj.nature, address=obj.address, postcode=obj.postcode, actor=request.user
        )
        obj.pk = unit.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # other programmes refer to the registry row


# ---- liaisons --------------------------------------------------------------------------------


class ResumeInline(admin.TabularInline):
    model = ResumeEntry
    fields = ["start", "end", "description"]
    extra = 0


class LiaisonForm(forms.ModelForm):
    username = forms.CharField(
        label=_("login account"),
        required=False,
        help_text=_("An existing account's username; it then acts for the unit with the liaison role."),
    )
    handover_on = forms.DateField(
        label=_("handover date"), required=False, help_text=_("Empty: today. The current liaison ends that day.")
    )
    handover_notes = forms.CharField(
        label=_("handover notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    class Meta:
        model = Liaison
        fields = ["organisation", *services.LIAISON_FIELDS, "photo"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for name in ("username", "handover_on", "handover_notes"):
                self.fields.pop(name)
            self.fields["organisation"].disabled = True
        else:
            from . import selectors

            self.fields["organisation"].queryset = selectors.member_units()

    def clean(self):
        data = super().clean()
        values = {f: data.get(f) for f in services.LIAISON_FIELDS if f in data}
        try:
            services.check_liaison_fields(values)
        except BusinessRuleError as exc:
            self.add_error(exc.field if exc.field in self.fields else None, exc.message)
        photo = data.get("photo")
        if photo and hasattr(photo, "content_type"):
            try:
                services.check_photo(photo)
            except BusinessRuleError as exc:
                self.add_error("photo", exc.message)
        return data


@admin.register(Liaison)
class LiaisonAdmin(LargeTableMixin, admin.ModelAdmin):
    form = LiaisonForm
    list_display = ["name", "organisation", "mobile", "email", "is_active", "started_on", "ended_on"]
    list_filter = ["is_active", "gender"]
    search_fields = ["name", "mobile", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["portrait", "is_active", "started_on", "ended_on", "account"]
    inlines = [ResumeInline]
    actions = ["end_post"]
    ordering = ["organisation__name", "-is_active", "-started_on"]

    def get_fieldsets(self, request, obj=None):
        registration = [
            "organisation",
            ("name", "gender", "ethnicity"),
            ("birth_date", "political_status", "education"),
            ("title", "position"),
            ("email", "office_phone", "mobile"),
            ("wechat", "postcode"),
            ("photo", "portrait") if obj is not None else "photo",
            ("recommendation", "recommended_on"),
            ("filing", "filed_on"),
        ]
        if obj is None:
            return [
                (None, {"fields": registration}),
                (_("Account and handover"), {"fields": ["username", "handover_on", "handover_notes"]}),
            ]
        return [
            (None, {"fields": registration}),
            (_("Post"), {"fields": ["account", "is_active", "started_on", "ended_on"]}),
        ]

    @admin.display(description=_("photo on file"))
    def portrait(self, liaison):
        if not liaison.thumbnail:
            return "—"
        return format_html('<img src="{}" alt="" style="max-height:120px">', self._photo_url(liaison))

    @staticmethod
    def _photo_url(liaison):
        from django.urls import NoReverseMatch, reverse

        try:
            return reverse("liaisons:photo", args=[liaison.pk])
        except NoReverseMatch:
            return ""

    @admin.display(description=_("login account"))
    def account(self, liaison):
        return person_label(liaison.user) if liaison.user_id else "—"

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fields = {f: data.get(f) for f in services.LIAISON_FIELDS}
        photo = data.get("photo") if "photo" in form.changed_data and data.get("photo") else None
        if change:
            changed = {f: fields[f] for f in form.changed_data if f in fields}
            current = Liaison.objects.get(pk=obj.pk)
            services.liaison_update(current, actor=request.user, photo=photo, **changed)
            return
        liaison = services.liaison_register(
            data["organisation"],
            actor=request.user,
            username=data.get("username") or None,
            on=data.get("handover_on"),
            notes=data.get("handover_notes") or "",
            photo=photo,
            **fields,
        )
        obj.pk = liaison.pk
        obj._state.adding = False
        self.message_user(
            request,
            _("%(name)s is now the liaison of %(unit)s.")
            % {
                "name": liaison.name,
                "unit": liaison.organisation,
            },
        )

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.action(description=_("End the selected liaisons' posts today"))
    def end_post(self, request, queryset):
        each_selected(self, request, queryset, lambda liaison: services.liaison_end(liaison, actor=request.user))

    def has_delete_permission(self, request, obj=None):
        return False  # 第六条: the history of a unit's liaisons is kept


@admin.register(Handover)
class HandoverAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ["on", "organisation", "from_liaison", "to_liaison", "recorded_by_name"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "from_liaison", "to_liaison", "recorded_by__profile"]

    @admin.display(description=_("recorded by"))
    def recorded_by_name(self, handover):
        return person_label(handover.recorded_by)


@admin.register(UnitChangeRequest)
class UnitChangeRequestAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["created_at", "organisation", "name", "nature", "status", "decided_by_name"]
    list_filter = ["status"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation", "decided_by__profile"]
    readonly_fields = [
        *("organisation", "requested_by", "name", "nature", "reason", "status", "decided_by", "decided_at"),
    ]
    fields = [*readonly_fields, "decision_note"]
    actions = ["approve", "reject"]

    @admin.display(description=_("decided by"))
    def decided_by_name(self, request):
        return person_label(request.decided_by) if request.decided_by_id else "—"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Approve the selected requests (the registry changes)"))
    def approve(self, request, queryset):
        each_selected(
            self, request, queryset, lambda r: services.unit_change_resolve(r, approve=True, actor=request.user)
        )

    @admin.action(description=_("Reject the selected requests"))
    def reject(self, request, queryset):
        each_selected(
            self, request, queryset, lambda r: services.unit_change_resolve(r, approve=False, actor=request.user)
        )


# ---- duties ------------------------------------------------------------------------------------


@admin.register(Article)
class ArticleAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["submitted_on", "title", "unit", "liaison", "status"]
    list_filter = ["status"]
    search_fields = ["title", "liaison__organisation__name"]
    list_select_related = ["liaison__organisation"]
    readonly_fields = ["liaison", "title", "url", "submitted_on", "status", "decided_by", "decided_at"]
    actions = ["mark_adopted", "mark_not_adopted"]
    ordering = ["-submitted_on", "-id"]

    @admin.display(description=_("unit"))
    def unit(self, article):
        return article.liaison.organisation

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Mark as adopted"))
    def mark_adopted(self, request, queryset):
        each_selected(self, request, queryset, lambda a: services.article_decide(a, adopted=True, actor=request.user))

    @admin.action(description=_("Mark as not adopted"))
    def mark_not_adopted(self, request, queryset):
        each_selected(self, request, queryset, lambda a: services.article_decide(a, adopted=False, actor=request.user))


class AnsweredFilter(admin.SimpleListFilter):
    title = _("answered")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("no", _("Waiting for an answer")), ("yes", _("Answered"))]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(answered_at__isnull=True)
        if self.value() == "yes":
            return queryset.filter(answered_at__isnull=False)
        return queryset


@admin.register(Feedback)
class FeedbackAdmin(LargeTableMixin, admin.ModelAdmin):
    list_display = ["raised_on", "subject", "unit", "liaison", "answered_at"]
    list_filter = [AnsweredFilter]
    search_fields = ["subject", "liaison__organisation__name"]
    list_select_related = ["liaison__organisation"]
    readonly_fields = ["liaison", "subject", "body", "raised_on", "answered_by", "answered_at"]
    fields = [*readonly_fields, "answer"]
    ordering = ["-raised_on", "-id"]

    @admin.display(description=_("unit"))
    def unit(self, feedback):
        return feedback.liaison.organisation

    def save_model(self, request, obj, form, change):
        try:
            services.feedback_answer(obj, answer=form.cleaned_data.get("answer"), actor=request.user)
        except BusinessRuleError as exc:
            _refused(self, request, exc)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["liaison"]
    autocomplete_fields = ["liaison"]
    extra = 0


@admin.register(Gathering)
class GatheringAdmin(admin.ModelAdmin):
    list_display = ["held_on", "kind", "title", "place", "attended"]
    list_filter = ["kind"]
    search_fields = ["title"]
    inlines = [AttendanceInline]
    ordering = ["-held_on"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(n_attended=Count("attendance"))

    @admin.display(description=_("attended"), ordering="n_attended")
    def attended(self, gathering):
        return gathering.n_attended

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attendance:
            return super().save_formset(request, form, formset, change)
        instances = formset.save(commit=False)
        removed = [a.liaison for a in formset.deleted_objects]
        if removed:
            services.attendance_remove(form.instance, removed, actor=request.user)
        new = [a.liaison for a in instances if a.pk is None]
        if new:
            try:
                services.attendance_record(form.instance, new, actor=request.user)
            except BusinessRuleError as exc:
                _refused(self, request, exc)


class DeliveryInline(ReadOnlyInline):
    model = NoticeDelivery
    fields = ["liaison", "email", "status", "sent_at", "error"]
    readonly_fields = fields


class NoticeForm(forms.ModelForm):
    liaisons = forms.ModelMultipleChoiceField(
        label=_("send to"),
        queryset=Liaison.objects.filter(is_active=True).select_related("organisation"),
        required=False,
        help_text=_("Empty: every current liaison."),
    )

    class Meta:
        model = Notice
        fields = ["subject", "body"]


@admin.register(Notice)
class NoticeAdmin(admin.ModelAdmin):
    form = NoticeForm
    list_display = ["created_at", "subject", "sender"]
    search_fields = ["subject"]
    list_select_related = ["sent_by__profile"]
    inlines = [DeliveryInline]

    @admin.display(description=_("sent by"))
    def sender(self, notice):
        return person_label(notice.sent_by)

    def get_fields(self, request, obj=None):
        # A sent notice is a record: what was sent, by whom, when; its recipients are the deliveries below.
        return ["subject", "body", "sender", "created_at"] if obj else ["subject", "body", "liaisons"]

    def get_readonly_fields(self, request, obj=None):
        return ["subject", "body", "sender", "created_at"] if obj else []

    def get_inlines(self, request, obj):
        return [DeliveryInline] if obj else []

    def save_model(self, request, obj, form, change):
        chosen = form.cleaned_data.get("liaisons")
        notice = services.notice_send(
            subject=obj.subject, body=obj.body, actor=request.user, liaisons=list(chosen) if chosen else None
        )
        obj.pk = notice.pk
        obj._state.adding = False

    def has_change_permission(self, request, obj=None):
        return False if obj is not None else super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class FeeForm(forms.ModelForm):
    class Meta:
        model = FeePayment
        fields = ["membership", "year", "amount", "paid_on"]


class OnTimeFilter(admin.SimpleListFilter):
    title = _("paid on time")
    parameter_name = "on_time"

    def lookups(self, request, model_admin):
        return [("yes", _("Paid on time")), ("late", _("Late or unpaid"))]

    def queryset(self, request, queryset):
        from django.db.models import F, Q

        if self.value() == "yes":
            return queryset.filter(paid_on__isnull=False, paid_on__lte=F("due_on"))
        if self.value() == "late":
            return queryset.filter(Q(paid_on__isnull=True) | Q(paid_on__gt=F("due_on")))
        return queryset


@admin.register(FeePayment)
class FeePaymentAdmin(admin.ModelAdmin):
    form = FeeForm
    list_display = ["year", "membership", "amount", "due_on", "paid_on", "on_time", "handled_by"]
    list_filter = ["year", OnTimeFilter, "membership__association"]
    search_fields = ["membership__organisation__name"]
    list_select_related = ["membership__organisation", "handled_by"]
    readonly_fields = ["due_on", "handled_by", "handled_at"]
    autocomplete_fields = ["membership"]

    @admin.display(description=_("paid on time"), boolean=True)
    def on_time(self, fee):
        return fee.paid_on_time

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        fee = services.fee_record(
            data["membership"],
            year=data["year"],
            paid_on=data.get("paid_on"),
            amount=data.get("amount"),
            actor=request.user,
        )
        obj.pk = fee.pk
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "association", "level", "joined_on", "is_active"]
    list_filter = ["association", "level", "is_active"]
    search_fields = ["organisation__name"]
    list_select_related = ["organisation"]

    def has_delete_permission(self, request, obj=None):
        return False


# ---- rules and settings -----------------------------------------------------------------------


@admin.register(AssessmentCriterion)
class AssessmentCriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "article", "weight", "cap"]
    list_editable = ["weight", "cap"]
    readonly_fields = ["code", "article"]
    fields = ["code", "name", "article", "weight", "cap"]

    def has_add_permission(self, request):
        return False  # the codes are what selectors.assessment counts; data/assessment.yaml adds them

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StipendBand)
class StipendBandAdmin(admin.ModelAdmin):
    list_display = ["title", "from_rank", "to_rank", "amount", "excellent"]


@admin.register(ProgrammeSettings)
class ProgrammeSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "fee_due_month", "fee_due_day"]

    def has_add_permission(self, request):
        return not ProgrammeSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False
