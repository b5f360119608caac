"""Campaigns, nominations and their preliminary evaluation for the "科创中国" leading-technology list (seed 004).

Nominating units and the societies that pre-select for their members are rows of the shared
organisation registry (`alliance.Organisation`), so the per-unit cap and the experts' conflicts of
interest compare the same thing.  Every write goes through nominations.services.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from alliance.models import Organisation

from .enums import (
    CHOOSABLE_LEVELS,
    CRITERIA,
    SCORE_MAX,
    CampaignStage,
    Field,
    IndustryLevel,
    NominationStatus,
    ProjectType,
)

TRL_MIN, TRL_MAX = 1, 9
# 附件 2: the form's character limits, counted as a person counts (services.char_count).
TEAM_INTRO_MAX = 300
TECH_LEVEL_MAX = 500
TECH_LEVEL_DETAIL_MAX = 10_000
BENEFITS_MAX = 500
BENEFITS_DETAIL_MAX = 5_000


class Campaign(models.Model):
    """One year's list (二、工作安排): the four stages' deadlines and the caps the notice sets."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    recommendation_deadline = models.DateField(
        _("recommendation deadline"), help_text=_("The last day units may create and submit nominations.")
    )
    preliminary_deadline = models.DateField(
        _("preliminary evaluation deadline"), help_text=_("The last day experts may score and change their scores.")
    )
    final_review_deadline = models.DateField(_("final review deadline"))
    publication_date = models.DateField(_("publication date"))
    cap_per_field = models.PositiveSmallIntegerField(
        _("nominations per unit and field"), default=2, help_text=_("二（一）: at most 2 per field, in principle.")
    )
    preselection_cap = models.PositiveSmallIntegerField(
        _("nominations per member unit to a society"),
        default=2,
        help_text=_("What a member unit may put forward to a society's internal selection, all fields together."),
    )
    shortlist_min = models.PositiveSmallIntegerField(_("shortlist per field, at least"), default=25)
    shortlist_max = models.PositiveSmallIntegerField(_("shortlist per field, at most"), default=30)
    list_size = models.PositiveSmallIntegerField(_("size of the published list"), default=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        constraints = [
            models.CheckConstraint(
                condition=Q(preliminary_deadline__gte=F("recommendation_deadline"))
                & Q(final_review_deadline__gte=F("preliminary_deadline"))
                & Q(publication_date__gte=F("final_review_deadline")),
                name="nominations_campaign_stages_in_order",
            ),
            models.CheckConstraint(
                condition=Q(shortlist_min__lte=F("shortlist_max")), name="nominations_shortlist_bounds_in_order"
            ),
        ]

    def __str__(self):
        return self.title or f"{self.year}年“科创中国”先导技术榜单"

    def stage(self, on: dt.date):
        """The stage open on `on` (a local date): each stage runs until its deadline, inclusive."""
        if on <= self.recommendation_deadline:
            return CampaignStage.RECOMMENDATION
        if on <= self.preliminary_deadline:
            return CampaignStage.PRELIMINARY
        if on <= self.final_review_deadline:
            return CampaignStage.FINAL_REVIEW
        if on <= self.publication_date:
            return CampaignStage.PUBLICATION
        return CampaignStage.CLOSED


class FieldConsortium(models.Model):
    """四、联系方式: the consortium that receives one field's nominations and runs its preliminary evaluation."""

    field = models.CharField(_("technical field"), max_length=32, choices=Field.choices, unique=True)
    name = models.CharField(_("consortium"), max_length=100)
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.CharField(_("mailing address"), max_length=200, blank=True)
    addressee = models.CharField(_("addressee"), max_length=50, blank=True)
    mobile = models.CharField(_("addressee's mobile"), max_length=20, blank=True)

    class Meta:
        ordering = ["field"]
        verbose_name = _("field consortium")
        verbose_name_plural = _("field consortia")

    def __str__(self):
        return f"{self.name}（{self.get_field_display()}）"


class IndustryCode(models.Model):
    """One code of GB/T 4754-2017《国民经济行业分类》 (data/gbt4754-2017.csv); the form takes groups and classes."""

    code = models.CharField(_("code"), max_length=4, unique=True)
    level = models.CharField(_("classification level"), max_length=10, choices=IndustryLevel.choices)
    name = models.CharField(_("industry name"), max_length=100)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position"]
        verbose_name = _("industry code (GB/T 4754-2017)")
        verbose_name_plural = _("industry codes (GB/T 4754-2017)")
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self):
        return f"{self.code} {self.name}"

    @property
    def choosable(self):
        return self.level in CHOOSABLE_LEVELS


class Nomination(models.Model):
    """One technology on the seed's 推荐表 (附件 2), from the unit's draft to the list.

    `unit` is the 申报单位 (the applicant's organisation); `recommender` the 推荐单位 whose per-field
    cap it counts against: the unit itself, or the society whose internal selection it goes through
    (`preselected_by`), once that society forwards it.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="nominations"
    )
    unit = models.ForeignKey(
        Organisation, verbose_name=_("applicant unit"), on_delete=models.PROTECT, related_name="nominations"
    )
    recommender = models.ForeignKey(
        Organisation, verbose_name=_("recommending unit"), on_delete=models.PROTECT, related_name="recommendations"
    )
    preselected_by = models.ForeignKey(
        Organisation,
        verbose_name=_("society's internal selection"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="preselections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    # 技术基本情况
    name = models.CharField(_("technology"), max_length=200, db_index=True)
    field = models.CharField(_("technical field"), max_length=32, choices=Field.choices)
    industries = models.ManyToManyField(
        IndustryCode,
        verbose_name=_("key industries served"),
        related_name="nominations",
        blank=True,
        limit_choices_to={"level__in": CHOOSABLE_LEVELS},
    )
    project_type = models.CharField(_("project type"), max_length=12, choices=ProjectType.choices)
    trl = models.PositiveSmallIntegerField(_("technology readiness level"))
    # 技术完成团队基本情况
    contact = models.CharField(_("contact person"), max_length=50, blank=True)
    phone = models.CharField(_("telephone"), max_length=30, blank=True)
    address = models.CharField(_("mailing address"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)
    team_intro = models.TextField(_("team introduction"), blank=True)
    ip = models.TextField(_("intellectual property"), blank=True)
    awards = models.TextField(_("awards"), blank=True)
    tech_level = models.TextField(_("technical level"), blank=True)
    tech_level_detail = models.TextField(_("technical level, detailed material"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)
    benefits_detail = models.TextField(_("benefits, detailed material"), blank=True)
    # 申报单位意见: the truthfulness and non-confidentiality pledge.
    pledge_accepted = models.BooleanField(_("pledge accepted"), default=False)
    pledge_accepted_at = models.DateTimeField(_("pledge accepted at"), null=True, blank=True)
    recommender_opinion = models.TextField(_("recommending unit's opinion"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=NominationStatus.choices, default=NominationStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    shortlist_rank = models.PositiveSmallIntegerField(_("place on the field's shortlist"), null=True, blank=True)
    list_position = models.PositiveSmallIntegerField(_("place on the published list"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["campaign", "field", "pk"]
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        constraints = [
            models.CheckConstraint(condition=Q(trl__gte=TRL_MIN, trl__lte=TRL_MAX), name="nominations_trl_from_1_to_9"),
            models.CheckConstraint(
                condition=Q(pledge_accepted=False) | Q(pledge_accepted_at__isnull=False),
                name="nominations_pledge_has_time",
            ),
            models.CheckConstraint(
                condition=Q(shortlist_rank__isnull=True) | Q(status__in=["shortlisted", "selected", "not_selected"]),
                name="nominations_rank_only_when_shortlisted",
            ),
        ]
        indexes = [
            models.Index(fields=["campaign", "field", "status"]),
            models.Index(fields=["campaign", "recommender", "field"]),
            models.Index(fields=["campaign", "unit"]),
        ]

    def __str__(self):
        return self.name


class ExpertAssignment(models.Model):
    """An expert of a field's preliminary evaluation (二（二）: 学会联合体组织有关专家……开展初评)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="experts")
    field = models.CharField(_("technical field"), max_length=32, choices=Field.choices)
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        ordering = ["campaign", "field", "pk"]
        verbose_name = _("evaluation expert")
        verbose_name_plural = _("evaluation experts")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "field", "expert"], name="nominations_expert_once_per_field")
        ]

    def __str__(self):
        return f"{self.campaign.year} {self.get_field_display()} · {self.expert}"


def _score_field(label):
    return models.PositiveSmallIntegerField(label)


class Evaluation(models.Model):
    """One expert's preliminary scores of one nomination on the six dimensions of 附件 1 二, each 0–10.

    Saved again by the same expert until the preliminary-evaluation deadline, it replaces their scores.
    """

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="evaluations"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )
    feasibility = _score_field(CRITERIA[0][1])
    advancement = _score_field(CRITERIA[1][1])
    originality = _score_field(CRITERIA[2][1])
    irreplaceability = _score_field(CRITERIA[3][1])
    maturity = _score_field(CRITERIA[4][1])
    market = _score_field(CRITERIA[5][1])
    total = models.PositiveSmallIntegerField(_("total (out of 60)"))
    created_at = models.DateTimeField(_("scored at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ["nomination", "pk"]
        verbose_name = _("preliminary evaluation")
        verbose_name_plural = _("preliminary evaluations")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "expert"], name="nominations_one_evaluation_per_expert"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{code}__gte": 0, f"{code}__lte": SCORE_MAX}),
                    name=f"nominations_{code}_from_0_to_10",
                )
                for code, _label in CRITERIA
            ),
            models.CheckConstraint(
                condition=Q(
                    total=F("feasibility")
                    + F("advancement")
                    + F("originality")
                    + F("irreplaceability")
                    + F("maturity")
                    + F("market")
                ),
                name="nominations_total_is_the_sum",
            ),
        ]

    def __str__(self):
        return f"{self.nomination} · {self.expert}"


class Publication(models.Model):
    """二（四）: the published list of a campaign (its nominations are `selected`, in `list_position` order)."""

    campaign = models.OneToOneField(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="publication"
    )
    published_on = models.DateField(_("published on"))
    size = models.PositiveSmallIntegerField(_("technologies on the list"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-published_on"]
        verbose_name = _("published list")
        verbose_name_plural = _("published lists")

    def __str__(self):
        return f"{self.campaign} · {self.published_on:%Y-%m-%d}"


class ReminderStage(models.TextChoices):
    """The deadlines a reminder is sent before (the issue: reminders by email before each deadline)."""

    RECOMMENDATION = "recommendation", _("Recommendation deadline (units with drafts)")
    PRELIMINARY = "preliminary", _("Preliminary evaluation deadline (experts with unscored nominations)")


class ReminderSent(models.Model):
    """One deadline reminder sent: to a unit with drafts before the recommendation deadline, or to an
    expert with unscored nominations before the preliminary-evaluation deadline.  Unique per campaign,
    stage and recipient, so a second beat run or a retry sends nothing (nominations.tasks)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="reminders"
    )
    stage = models.CharField(_("deadline"), max_length=16, choices=ReminderStage.choices)
    unit = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("expert"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    deadline = models.DateField(_("deadline date"))
    emails = models.TextField(_("sent to"))
    pending = models.PositiveIntegerField(_("drafts or unscored nominations"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False, expert__isnull=True) | Q(unit__isnull=True, expert__isnull=False),
                name="nominations_reminder_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["campaign", "stage", "unit"],
                condition=Q(unit__isnull=False),
                name="nominations_reminder_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["campaign", "stage", "expert"],
                condition=Q(expert__isnull=False),
                name="nominations_reminder_once_per_expert",
            ),
        ]

    def __str__(self):
        return f"{self.campaign.year} {self.get_stage_display()} · {self.emails}"


class AttachmentKind(models.TextChoices):
    """附件 2: 详细材料可另附 — the detailed material of the technical level or of the benefits."""

    TECH_LEVEL = "tech_level", _("Technical level: detailed material")
    BENEFITS = "benefits", _("Benefits: detailed material")


# The attachment's character limit per kind (附件 2: 不超过 10000 字 / 不超过 5000 字).
ATTACHMENT_LIMITS = {AttachmentKind.TECH_LEVEL: TECH_LEVEL_DETAIL_MAX, AttachmentKind.BENEFITS: BENEFITS_DETAIL_MAX}


def attachment_path(instance, filename):
    return f"nominations/{instance.nomination_id}/{instance.kind}/{filename}"


class NominationAttachment(models.Model):
    """The detailed material of a box as a file (.docx or .pdf), in place of the text box.

    One per nomination and kind: a new upload replaces the old.  Its characters are counted on the
    text extracted from the file, as the text boxes are (services.char_count).
    """

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(_("material"), max_length=16, choices=AttachmentKind.choices)
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveIntegerField(_("size (bytes)"))
    characters = models.PositiveIntegerField(_("characters"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["nomination", "kind"]
        verbose_name = _("nomination attachment")
        verbose_name_plural = _("nomination attachments")
        constraints = [
            models.UniqueConstraint(fields=["nomination", "kind"], name="nominations_one_attachment_per_kind")
        ]

    def __str__(self):
        return self.original_name
