"""Green-mine science & technology special specialists (seed 000).

The points ledger is append-only and its invariants are held by the database: a trigger
refuses UPDATE and DELETE of entries and keeps `Specialist.balance` equal to the sum of the
specialist's entries (see migration 0002), and a check constraint keeps the balance >= 0.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import (
    ActivityKind,
    CommitteeRole,
    ContactChannel,
    DocumentKind,
    DocumentRequestStatus,
    EntryKind,
    LiaisonChangeStatus,
    MeetingKind,
    MotionKind,
    MotionResult,
    RedemptionStatus,
    RewardKind,
    RuleKind,
    SpecialistStatus,
    VoteChoice,
)


class ProgrammeSettings(models.Model):
    """Staff-editable settings the seed leaves open (a single row, id 1)."""

    probation_min_points = models.PositiveIntegerField(
        _("minimum points at the end of probation"),
        default=10,
        help_text=_("第四条: below this a probationer does not become a specialist."),
    )
    contact_flag_days = models.PositiveIntegerField(
        _("flag specialists without liaison contact for (days)"), default=60
    )

    class Meta:
        verbose_name = _("programme settings")
        verbose_name_plural = _("programme settings")

    def __str__(self):
        return str(_("Specialists programme settings"))

    @classmethod
    def current(cls):
        obj, _created = cls.objects.get_or_create(pk=1)
        return obj


class Committee(models.Model):
    """One of the six professional committees (第五条), loaded from data/committees.yaml."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("professional committee")
        verbose_name_plural = _("professional committees")

    def __str__(self):
        return self.name


class Specialist(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.PROTECT, related_name="specialist"
    )
    name = models.CharField(_("name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=SpecialistStatus.choices, default=SpecialistStatus.APPLICANT, db_index=True
    )
    # The date the current state's clock started (approval, a rule run's as-of date, a decision).
    status_since = models.DateField(_("in this state since"))
    applied_on = models.DateField(_("applied on"))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    probation_ends = models.DateField(_("probation ends"), null=True, blank=True)
    # 第八条 3: a roster specialist who entered without an icebreaker may return by attending one.
    roster_without_icebreaker = models.BooleanField(_("entered the roster without an icebreaker"), default=False)
    exited_on = models.DateField(_("exited on"), null=True, blank=True)
    exit_decision = models.CharField(_("exit decision"), max_length=300, blank=True)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("professional committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="specialists",
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("alliance liaison"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_for_specialists",
    )
    # Cached sum of ledger entries, maintained by a database trigger; never written by Python.
    balance = models.IntegerField(_("points balance"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("specialist")
        verbose_name_plural = _("specialists")
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="specialist_balance_not_negative")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The balance belongs to the ledger trigger: a save never writes a (possibly stale) copy.
        if self.pk and not self._state.adding and kwargs.get("update_fields") is None:
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.name != "balance"
            ]
        super().save(*args, **kwargs)


class CommitteeMembership(models.Model):
    """A seat on a professional committee (第五条); the total is capped at 1/3 of general specialists."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="memberships"
    )
    committee = models.ForeignKey(
        Committee, verbose_name=_("professional committee"), on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=20, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["committee", "role", "specialist"]
        verbose_name = _("committee membership")
        verbose_name_plural = _("committee memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "committee"],
                condition=Q(ended_on__isnull=True),
                name="one_open_membership_per_committee",
            )
        ]

    def __str__(self):
        return f"{self.committee} · {self.specialist} ({self.get_role_display()})"


class LiaisonAssignment(models.Model):
    """History of the alliance liaison (联络人) assigned to a specialist (第三条)."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="liaison_assignments"
    )
    liaison = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("liaison"), on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField(_("from"))
    ended_on = models.DateField(_("until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-started_on", "-id"]
        verbose_name = _("liaison assignment")
        verbose_name_plural = _("liaison assignments")

    def __str__(self):
        return f"{self.specialist} ← {self.liaison}"


class LiaisonChangeRequest(models.Model):
    """第三条: a specialist asks the service centre for another liaison."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="liaison_change_requests"
    )
    reason = models.TextField(_("reason"))
    status = models.CharField(
        _("status"), max_length=12, choices=LiaisonChangeStatus.choices, default=LiaisonChangeStatus.OPEN
    )
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("liaison change request")
        verbose_name_plural = _("liaison change requests")

    def __str__(self):
        return f"{self.specialist}: {self.get_status_display()}"


class ContactLog(models.Model):
    """第六条 5: the service centre monitors liaison contact with each specialist."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="contacts"
    )
    staff = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("staff member"), on_delete=models.PROTECT, related_name="+"
    )
    contacted_on = models.DateField(_("contacted on"), db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=ContactChannel.choices)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-contacted_on", "-id"]
        verbose_name = _("contact log entry")
        verbose_name_plural = _("contact log")

    def __str__(self):
        return f"{self.contacted_on} {self.specialist} ({self.get_channel_display()})"


class Activity(models.Model):
    """An event specialists attend: icebreakers (破冰活动), committee-organised activities (第九条 4)."""

    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices, default=ActivityKind.EVENT)
    held_on = models.DateField(_("held on"), db_index=True)
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("organising committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["-held_on", "title"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self):
        return f"{self.held_on} {self.title}"


class Attendance(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="attendances"
    )
    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="attendances"
    )
    # Copied from the activity so the lifecycle rules read one indexed table.
    held_on = models.DateField(_("held on"))
    is_icebreaker = models.BooleanField(_("icebreaker"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["activity", "specialist"], name="attend_once")]
        indexes = [models.Index(fields=["specialist", "is_icebreaker", "held_on"])]

    def __str__(self):
        return f"{self.specialist} @ {self.activity}"


class PointRule(models.Model):
    """A row of 附件一, loaded from data/point_rules.yaml and editable in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("activity"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=RuleKind.choices)
    # Points per unit (each), per `per_amount` yuan, or null for by-level rules.
    points = models.PositiveIntegerField(_("points"), null=True, blank=True)
    per_amount = models.PositiveIntegerField(_("per amount (yuan)"), null=True, blank=True)
    # By-level rules: {"level_code": {"name": "...", "points": n}}.
    levels = models.JSONField(_("levels"), default=dict, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("point rule")
        verbose_name_plural = _("point rules (附件一)")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind=RuleKind.EACH, points__isnull=False)
                    | Q(kind=RuleKind.PER_AMOUNT, points__isnull=False, per_amount__gt=0)
                    | Q(kind=RuleKind.BY_LEVEL)
                ),
                name="point_rule_kind_fields",
            )
        ]

    def __str__(self):
        return self.name


class Reward(models.Model):
    """A row of 附件二, loaded from data/rewards.yaml and editable in the admin."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("item"), max_length=100)
    kind = models.CharField(_("kind"), max_length=12, choices=RewardKind.choices)
    cost = models.PositiveIntegerField(_("cost in points"), null=True, blank=True)
    # Cash: only points above `floor` may be cashed, `rate` points per yuan.
    floor = models.PositiveIntegerField(_("balance floor"), null=True, blank=True)
    rate = models.PositiveIntegerField(_("points per yuan"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("reward")
        verbose_name_plural = _("rewards (附件二)")

    def __str__(self):
        return self.name


class Redemption(models.Model):
    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="redemptions"
    )
    reward = models.ForeignKey(Reward, verbose_name=_("reward"), on_delete=models.PROTECT, related_name="redemptions")
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    price = models.DecimalField(_("price (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    cash_yuan = models.DecimalField(_("cash (yuan)"), max_digits=10, decimal_places=2, null=True, blank=True)
    points = models.PositiveIntegerField(_("points"))
    # The balance right after this redemption, so a repeated request gets the first answer back.
    balance_after = models.IntegerField(_("balance after"))
    status = models.CharField(
        _("status"), max_length=12, choices=RedemptionStatus.choices, default=RedemptionStatus.PENDING, db_index=True
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("redemption")
        verbose_name_plural = _("redemptions")
        constraints = [
            models.UniqueConstraint(fields=["specialist", "idempotency_key"], name="redemption_idempotency_key")
        ]

    def __str__(self):
        return f"{self.specialist} · {self.reward} × {self.quantity} ({self.points})"


class Transfer(models.Model):
    """积分可转赠 (第十一条): one atomic pair of ledger entries."""

    sender = models.ForeignKey(
        Specialist, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="transfers_sent"
    )
    recipient = models.ForeignKey(
        Specialist, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="transfers_received"
    )
    points = models.PositiveIntegerField(_("points"))
    # The sender's balance right after the transfer (the answer a repeated request gets back).
    balance_after = models.IntegerField(_("sender's balance after"))
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        constraints = [
            models.UniqueConstraint(fields=["sender", "idempotency_key"], name="transfer_idempotency_key"),
            models.CheckConstraint(condition=Q(points__gt=0), name="transfer_points_positive"),
            models.CheckConstraint(condition=~Q(sender=models.F("recipient")), name="transfer_not_to_self"),
        ]

    def __str__(self):
        return f"{self.sender} → {self.recipient}: {self.points}"


def source_document_path(entry, filename):
    return f"specialists/ledger/{entry.specialist_id}/{filename}"


class LedgerEntry(models.Model):
    """One append-only movement of points. Corrections are reversing entries, never edits."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    points = models.IntegerField(_("points"))
    rule = models.ForeignKey(
        PointRule, verbose_name=_("point rule"), on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    quantity = models.PositiveIntegerField(_("quantity"), null=True, blank=True)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True)
    level = models.CharField(_("level"), max_length=40, blank=True)
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="entries", verbose_name=_("event")
    )
    occurred_on = models.DateField(_("date"), db_index=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    source_document = models.FileField(_("source document"), upload_to=source_document_path, blank=True)
    # The document an imported row cites (e.g. a meeting notice number); with specialist, rule, date,
    # quantity and amount it identifies a row already recorded.
    source_ref = models.CharField(_("source reference"), max_length=200, blank=True)
    import_job = models.ForeignKey(
        "alliance.ImportJob",
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversal", verbose_name=_("reverses")
    )
    redemption = models.ForeignKey(
        Redemption,
        verbose_name=_("redemption"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="entries",
    )
    transfer = models.ForeignKey(
        Transfer, verbose_name=_("transfer"), on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    idempotency_key = models.CharField(_("idempotency key"), max_length=100, null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-occurred_on", "-id"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("points ledger")
        constraints = [
            models.UniqueConstraint(
                fields=["specialist", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="ledger_idempotency_key",
            ),
            models.CheckConstraint(condition=~Q(points=0) | Q(kind=EntryKind.ACTIVITY), name="ledger_points_nonzero"),
            models.CheckConstraint(
                condition=~Q(kind=EntryKind.ACTIVITY) | Q(points__gte=0, rule__isnull=False),
                name="ledger_activity_names_rule",
            ),
        ]
        indexes = [models.Index(fields=["specialist", "kind", "occurred_on"])]

    def __str__(self):
        return f"{self.occurred_on} {self.specialist} {self.points:+d}"


class LifecycleRun(models.Model):
    """One evaluation of the lifecycle rules for an as-of date (第七条, 第八条)."""

    as_of = models.DateField(_("as of"), db_index=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source = models.CharField(_("source"), max_length=20, default="schedule")
    evaluated = models.PositiveIntegerField(_("specialists evaluated"), default=0)
    changed = models.PositiveIntegerField(_("changes"), default=0)
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("lifecycle run")
        verbose_name_plural = _("lifecycle runs")

    def __str__(self):
        return f"{self.as_of}: {self.changed}"


class StatusChange(models.Model):
    """Every state change: from, to, the rule or person that caused it, the as-of date and the facts."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="status_changes"
    )
    from_status = models.CharField(_("from"), max_length=20, choices=SpecialistStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=20, choices=SpecialistStatus.choices)
    as_of = models.DateField(_("as of"))
    rule = models.CharField(_("rule"), max_length=40, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    run = models.ForeignKey(
        LifecycleRun,
        verbose_name=_("lifecycle run"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="changes",
    )
    evidence = models.JSONField(_("evidence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_of", "-id"]
        verbose_name = _("status change")
        verbose_name_plural = _("status history")

    def __str__(self):
        return (
            f"{self.as_of} {self.specialist}: {self.get_from_status_display() or '—'} → {self.get_to_status_display()}"
        )


class Meeting(models.Model):
    """Annual assembly, committee meetings (第八条 大会, 第九条): agenda, attendees, motions."""

    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(_("held on"))
    committee = models.ForeignKey(
        Committee,
        verbose_name=_("professional committee"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meetings",
    )
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    attendees = models.ManyToManyField(Specialist, blank=True, related_name="meetings", verbose_name=_("attendees"))

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self):
        return f"{self.held_on} {self.title}"


class Motion(models.Model):
    meeting = models.ForeignKey(Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="motions")
    kind = models.CharField(_("kind"), max_length=20, choices=MotionKind.choices)
    title = models.CharField(_("motion"), max_length=300)
    # Exit votes and excellent-specialist selections are about one specialist.
    subject = models.ForeignKey(
        Specialist, on_delete=models.PROTECT, null=True, blank=True, related_name="motions", verbose_name=_("subject")
    )
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=12, choices=MotionResult.choices, default=MotionResult.PENDING)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")

    def __str__(self):
        return self.title


class Vote(models.Model):
    motion = models.ForeignKey(Motion, verbose_name=_("motion"), on_delete=models.CASCADE, related_name="votes")
    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("voter"), on_delete=models.PROTECT, related_name="+"
    )
    choice = models.CharField(_("vote"), max_length=10, choices=VoteChoice.choices)
    cast_at = models.DateTimeField(_("cast at"), auto_now_add=True)

    class Meta:
        verbose_name = _("vote")
        verbose_name_plural = _("votes")
        constraints = [models.UniqueConstraint(fields=["motion", "voter"], name="one_vote_per_motion")]

    def __str__(self):
        return f"{self.voter}: {self.get_choice_display()}"


class ExcellentNomination(models.Model):
    """优秀绿色矿山科技特别专员 (第九条 6, 第十二条): staff nominations, then the committee vote."""

    year = models.PositiveSmallIntegerField(_("year"))
    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="excellent_nominations"
    )
    reason = models.TextField(_("reason (service, promotion, publicity)"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("nominated by"), on_delete=models.PROTECT, related_name="+"
    )
    motion = models.ForeignKey(
        Motion, verbose_name=_("selection vote"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    awarded = models.BooleanField(_("awarded"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-year", "specialist"]
        verbose_name = _("excellent-specialist nomination")
        verbose_name_plural = _("excellent-specialist nominations")
        constraints = [models.UniqueConstraint(fields=["year", "specialist"], name="one_nomination_per_year")]

    def __str__(self):
        return f"{self.year} {self.specialist}"


class DocumentRequest(models.Model):
    """第六条 3: paper copies of the certificate, work ID or letter are made on request."""

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.CASCADE, related_name="document_requests"
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    copies = models.PositiveSmallIntegerField(_("copies"), default=1)
    address = models.CharField(_("postal address"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentRequestStatus.choices, default=DocumentRequestStatus.REQUESTED
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("handled by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("paper-copy request")
        verbose_name_plural = _("paper-copy requests")

    def __str__(self):
        return f"{self.specialist}: {self.get_kind_display()}"


def issued_document_path(document, filename):
    # A random part keeps the name unguessable; downloads still go through a permission-checked view.
    return f"specialists/documents/{document.specialist_id}/{filename}"


class IssuedDocument(models.Model):
    """A certificate issued to a specialist (第六条 3, 第九条 1 and 6), rendered to PDF by a Celery task.

    One per specialist, kind and year: issuing again in the same year reuses the row.
    """

    specialist = models.ForeignKey(
        Specialist, verbose_name=_("specialist"), on_delete=models.PROTECT, related_name="documents"
    )
    kind = models.CharField(_("document"), max_length=20, choices=DocumentKind.choices)
    # The year of issue; for the excellent-specialist certificate, the year it honours.
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.CharField(_("number"), max_length=40, unique=True)
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("PDF"), upload_to=issued_document_path, blank=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    # Set when the rendering task could not be sent to the worker (broker down); cleared when it is.
    dispatch_failed_at = models.DateTimeField(_("could not be queued at"), null=True, blank=True)

    class Meta:
        ordering = ["-year", "kind", "specialist"]
        verbose_name = _("issued certificate")
        verbose_name_plural = _("issued certificates")
        constraints = [
            models.UniqueConstraint(fields=["specialist", "kind", "year"], name="one_document_per_kind_and_year")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.number} · {self.specialist}"

    @property
    def ready(self):
        return bool(self.file) and self.rendered_at is not None
