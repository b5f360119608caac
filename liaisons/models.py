"""Member units, their liaisons and the liaisons' duties (seed 002).

Member units are rows of the shared organisation registry (`alliance.Organisation`); this app adds
what membership of the 协会 and/or the 学会 means: the level, the annual fee, and the one liaison
each unit designates (第四条).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from alliance.models import Organisation

from .enums import (
    ArticleStatus,
    Association,
    DeliveryStatus,
    GatheringKind,
    Gender,
    MembershipLevel,
    RequestStatus,
)


class Membership(models.Model):
    """A unit's membership of one of the two associations; a unit may belong to both."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    association = models.CharField(_("association"), max_length=16, choices=Association.choices)
    level = models.CharField(
        _("membership level"), max_length=20, choices=MembershipLevel.choices, default=MembershipLevel.MEMBER
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    is_active = models.BooleanField(_("current member"), default=True)

    class Meta:
        ordering = ["organisation__name", "association"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "association"], name="one_membership_per_association")
        ]

    def __str__(self):
        return f"{self.organisation} · {self.get_association_display()}"


class FeePayment(models.Model):
    """The annual membership fee of one year (第七条 五): due, paid, and whether the liaison saw to it."""

    membership = models.ForeignKey(
        Membership, verbose_name=_("membership"), on_delete=models.PROTECT, related_name="fees"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    due_on = models.DateField(_("due on"))
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # 第七条 五: the liaison handles the unit's fee; their confirmation counts in the assessment.
    handled_by = models.ForeignKey(
        "Liaison",
        verbose_name=_("handled by liaison"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="fees_handled",
    )
    handled_at = models.DateTimeField(_("handling confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "membership__organisation__name"]
        verbose_name = _("annual fee")
        verbose_name_plural = _("annual fees")
        constraints = [models.UniqueConstraint(fields=["membership", "year"], name="one_fee_per_membership_year")]
        indexes = [models.Index(fields=["year"])]

    def __str__(self):
        return f"{self.membership} {self.year}"

    @property
    def paid_on_time(self):
        return self.paid_on is not None and self.paid_on <= self.due_on


def photo_path(liaison, filename):
    return f"liaisons/photos/{liaison.organisation_id}/{filename}"


class Liaison(models.Model):
    """One liaison as registered on the seed's 会员单位联络员登记 form.

    A unit has exactly one active liaison (第四条 应确定一名联络员), held by a partial unique
    constraint; a change of liaison ends this row and starts another (Handover), never an edit.
    """

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="liaisons"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("login account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_posts",
    )
    name = models.CharField(pgettext_lazy("liaisons", "name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    photo = models.ImageField(_("photo"), upload_to=photo_path, blank=True)
    thumbnail = models.ImageField(_("thumbnail"), upload_to=photo_path, blank=True, editable=False)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    political_status = models.CharField(_("political status"), max_length=30, blank=True)
    education = models.CharField(_("education"), max_length=30, blank=True)
    title = models.CharField(_("professional title"), max_length=50, blank=True)
    position = models.CharField(_("position"), max_length=100, blank=True)
    email = models.EmailField(_("email"))
    office_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    mobile = models.CharField(_("mobile"), max_length=11)
    wechat = models.CharField(_("WeChat ID"), max_length=50, blank=True)
    postcode = models.CharField(_("postcode"), max_length=6, blank=True)
    recommendation = models.TextField(_("unit's recommendation"), blank=True)
    recommended_on = models.DateField(_("recommended on"), null=True, blank=True)
    filing = models.TextField(_("association's filing"), blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    is_active = models.BooleanField(pgettext_lazy("liaisons", "current liaison"), default=True)
    started_on = models.DateField(_("liaison since"), default=timezone.localdate)
    ended_on = models.DateField(_("liaison until"), null=True, blank=True)
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)

    class Meta:
        ordering = ["organisation__name", "-is_active", "-started_on"]
        verbose_name = pgettext_lazy("liaisons", "liaison")
        verbose_name_plural = _("liaisons")
        constraints = [
            # 第四条: each member unit designates one liaison.
            models.UniqueConstraint(
                fields=["organisation"], condition=Q(is_active=True), name="one_active_liaison_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(is_active=True, ended_on__isnull=True) | Q(is_active=False, ended_on__isnull=False),
                name="liaison_active_has_no_end",
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"])]

    def __str__(self):
        return f"{self.name}（{self.organisation}）"


class ResumeEntry(models.Model):
    """One post in the résumé, from the start of work (填表说明 5: 起止时间具体到年、月)."""

    liaison = models.ForeignKey(
        Liaison, verbose_name=pgettext_lazy("liaisons", "liaison"), on_delete=models.CASCADE, related_name="resume"
    )
    start = models.DateField(_("from (year and month)"), help_text=_("The first day of the month."))
    end = models.DateField(_("to (year and month)"), null=True, blank=True, help_text=_("Empty: to date."))
    description = models.CharField(_("unit and post"), max_length=200)

    class Meta:
        ordering = ["start", "id"]
        verbose_name = _("résumé entry")
        verbose_name_plural = _("résumé")
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")), name="resume_in_order"
            )
        ]

    def __str__(self):
        end = f"{self.end:%Y.%m}" if self.end else "至今"
        return f"{self.start:%Y.%m}—{end} {self.description}"


class Handover(models.Model):
    """第六条: a change of liaison, with the handover between the two; the history of a unit."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="liaison_handovers"
    )
    from_liaison = models.ForeignKey(
        Liaison,
        verbose_name=_("outgoing liaison"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handed_over",
    )
    to_liaison = models.ForeignKey(
        Liaison, verbose_name=_("incoming liaison"), on_delete=models.PROTECT, related_name="taken_over"
    )
    on = models.DateField(_("handover date"))
    notes = models.TextField(_("handover notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("liaison handover")
        verbose_name_plural = _("liaison handovers")

    def __str__(self):
        return f"{self.organisation} {self.on:%Y-%m-%d}"


class UnitChangeRequest(models.Model):
    """A liaison asks to change the unit's registered name or nature; the office approves it."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="change_requests"
    )
    requested_by = models.ForeignKey(
        Liaison, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="change_requests"
    )
    name = models.CharField(_("new registered full name"), max_length=200, blank=True)
    nature = models.CharField(_("new nature"), max_length=32, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("office's note"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("unit change request")
        verbose_name_plural = _("unit change requests")

    def __str__(self):
        return f"{self.organisation} {timezone.localtime(self.created_at):%Y-%m-%d}"


class Article(models.Model):
    """第七条 三: an article for the associations' website; the office adopts it or not."""

    liaison = models.ForeignKey(
        Liaison, verbose_name=pgettext_lazy("liaisons", "liaison"), on_delete=models.PROTECT, related_name="articles"
    )
    title = models.CharField(_("title"), max_length=200)
    url = models.URLField(_("link"), blank=True)
    submitted_on = models.DateField(_("submitted on"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=12, choices=ArticleStatus.choices, default=ArticleStatus.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_on", "-id"]
        verbose_name = _("website article")
        verbose_name_plural = _("website articles")
        indexes = [models.Index(fields=["liaison", "submitted_on"])]

    def __str__(self):
        return self.title


class Feedback(models.Model):
    """第三条 三, 第七条 二、四: a unit's opinion or problem raised by its liaison, and the office's answer."""

    liaison = models.ForeignKey(
        Liaison, verbose_name=pgettext_lazy("liaisons", "liaison"), on_delete=models.PROTECT, related_name="feedback"
    )
    subject = models.CharField(pgettext_lazy("liaisons", "subject"), max_length=200)
    body = models.TextField(_("content"))
    raised_on = models.DateField(_("raised on"), default=timezone.localdate)
    answer = models.TextField(_("office's answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_on", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        indexes = [models.Index(fields=["liaison", "raised_on"])]

    def __str__(self):
        return self.subject


class Gathering(models.Model):
    """A liaison meeting (第九条) or training (第十一条) with its agenda and who attended."""

    kind = models.CharField(_("kind"), max_length=10, choices=GatheringKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True, help_text=_("One item per line (第九条 一 to 七)."))
    attendees = models.ManyToManyField(
        Liaison, verbose_name=_("attendees"), through="Attendance", related_name="gatherings", blank=True
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("meeting or training")
        verbose_name_plural = _("meetings and trainings")

    def __str__(self):
        return f"{self.held_on:%Y-%m-%d} {self.title}"


class Attendance(models.Model):
    gathering = models.ForeignKey(
        Gathering, verbose_name=_("meeting or training"), on_delete=models.CASCADE, related_name="attendance"
    )
    liaison = models.ForeignKey(
        Liaison, verbose_name=pgettext_lazy("liaisons", "liaison"), on_delete=models.PROTECT, related_name="attendance"
    )

    class Meta:
        verbose_name = pgettext_lazy("liaisons", "attendance")
        verbose_name_plural = pgettext_lazy("liaisons", "attendance")
        constraints = [models.UniqueConstraint(fields=["gathering", "liaison"], name="liaison_attends_once")]

    def __str__(self):
        return f"{self.liaison.name} · {self.gathering}"


class Notice(models.Model):
    """第三条 二: a notice sent by email to every liaison or a selection, with a record of each delivery."""

    subject = models.CharField(pgettext_lazy("liaisons", "subject"), max_length=200)
    body = models.TextField(_("text"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("notice")
        verbose_name_plural = _("notices")

    def __str__(self):
        return self.subject


class NoticeDelivery(models.Model):
    notice = models.ForeignKey(Notice, verbose_name=_("notice"), on_delete=models.CASCADE, related_name="deliveries")
    liaison = models.ForeignKey(
        Liaison, verbose_name=pgettext_lazy("liaisons", "liaison"), on_delete=models.PROTECT, related_name="notices"
    )
    email = models.EmailField(_("sent to"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)

    class Meta:
        ordering = ["liaison__organisation__name"]
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        constraints = [models.UniqueConstraint(fields=["notice", "liaison"], name="deliver_notice_once")]

    def __str__(self):
        return f"{self.notice} → {self.email}"


class AssessmentCriterion(models.Model):
    """One line of the annual assessment (第十三条), loaded from data/assessment.yaml; the office edits weights.

    A count criterion scores `weight` per item up to `cap` items; a rate or yes/no criterion scores
    `weight` times the rate (0–1) or 1/0.
    """

    code = models.CharField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("criterion"), max_length=100)
    article = models.CharField(_("article"), max_length=50, blank=True)
    weight = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    cap = models.PositiveSmallIntegerField(_("counted up to"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("assessment criterion")
        verbose_name_plural = _("assessment criteria")

    def __str__(self):
        return self.name


class StipendBand(models.Model):
    """第十条: the stipend per rank band; the first band's liaisons are the excellent liaisons (第十三条)."""

    from_rank = models.PositiveIntegerField(_("from rank"))
    to_rank = models.PositiveIntegerField(_("to rank"), null=True, blank=True, help_text=_("Empty: every rank after."))
    title = models.CharField(_("band"), max_length=50)
    amount = models.DecimalField(_("stipend (yuan)"), max_digits=10, decimal_places=2)
    excellent = models.BooleanField(_("excellent liaison award"), default=False)

    class Meta:
        ordering = ["from_rank"]
        verbose_name = _("stipend band")
        verbose_name_plural = _("stipend bands")

    def __str__(self):
        return self.title


class ProgrammeSettings(models.Model):
    """The few settings of the programme the office may change (one row)."""

    fee_due_month = models.PositiveSmallIntegerField(_("fee due month"), default=6)
    fee_due_day = models.PositiveSmallIntegerField(_("fee due day"), default=30)

    class Meta:
        verbose_name = _("liaison programme settings")
        verbose_name_plural = _("liaison programme settings")

    def __str__(self):
        return str(self._meta.verbose_name)

    @classmethod
    def current(cls):
        return cls.objects.get_or_create(pk=1)[0]


class MemberUnit(Organisation):
    """The registry's units seen as the associations' member units: the office's list (seed 002)."""

    class Meta:
        proxy = True
        ordering = ["name"]
        verbose_name = _("member unit")
        verbose_name_plural = _("member units")
