"""The nonmetal-mining S&T award (seed 001): rounds, bodies, applications and their review.

Every write goes through awards.services; the models hold the data and the database's guarantees
(one chair and one vice-chair per round, one score per member and application, scores 0–100).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .enums import (
    ApplicationStatus,
    BanReason,
    Category,
    CommitteeRole,
    FormalCheckResult,
    Grade,
    ObjectionKind,
    ObjectionStatus,
    RevocationReason,
)

USER = settings.AUTH_USER_MODEL


# ---- reference data (data/*.yaml, loaded by awards.reference) ----------------------------------------


class QuotaRule(models.Model):
    """第二十三条: the most main contributors and main completing units one award of a grade names."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    grade = models.CharField(_("grade"), max_length=10, choices=Grade.choices)
    max_contributors = models.PositiveSmallIntegerField(_("most main contributors"))
    max_units = models.PositiveSmallIntegerField(_("most main completing units"))

    class Meta:
        verbose_name = _("quota (第二十三条)")
        verbose_name_plural = _("quotas (第二十三条)")
        ordering = ["category", "grade"]
        constraints = [models.UniqueConstraint(fields=["category", "grade"], name="awards_quota_unique")]

    def __str__(self):
        return f"{self.get_category_display()} {self.get_grade_display()}"


class AttachmentRequirement(models.Model):
    """第二十六条: an attachment a category's application carries."""

    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    required = models.BooleanField(_("required"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("required attachment (第二十六条)")
        verbose_name_plural = _("required attachments (第二十六条)")
        ordering = ["category", "position"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="awards_attachment_req_unique")]

    def __str__(self):
        return self.name


class IneligibilityItem(models.Model):
    """第二十八条: a case in which a project may not apply; the formal check's checklist."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=300)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("ineligibility item (第二十八条)")
        verbose_name_plural = _("ineligibility items (第二十八条)")
        ordering = ["position"]

    def __str__(self):
        return self.name


# ---- rounds and bodies -------------------------------------------------------------------------------


class Round(models.Model):
    """第三条: 每年评审一次."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    application_deadline = models.DateField(_("application deadline"))
    peer_review_deadline = models.DateField(_("peer review deadline"), null=True, blank=True)
    committee_deadline = models.DateField(_("committee review deadline"), null=True, blank=True)
    committee_confirmed_at = models.DateTimeField(_("committee confirmed at"), null=True, blank=True)
    leadership_approved_at = models.DateTimeField(_("approved by the leadership group at"), null=True, blank=True)
    leadership_approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("approved by")
    )
    final_approved_at = models.DateTimeField(_("final approval at"), null=True, blank=True)
    final_approved_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("final approval by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("award round")
        verbose_name_plural = _("award rounds")
        ordering = ["-year"]

    def __str__(self):
        return self.title or f"{self.year}年度非金属矿科学技术奖"


class SpecialGradeLimit(models.Model):
    """第二十三条: 特等奖项目的具体授奖人数……由奖励办领导小组确定 — per round and category."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="special_limits", verbose_name=_("round"))
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    max_contributors = models.PositiveSmallIntegerField(_("most main contributors"))
    max_units = models.PositiveSmallIntegerField(_("most main completing units"))
    set_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("set by"))
    set_at = models.DateTimeField(_("set at"), auto_now=True)

    class Meta:
        verbose_name = _("special-prize limit")
        verbose_name_plural = _("special-prize limits")
        constraints = [models.UniqueConstraint(fields=["round", "category"], name="awards_special_limit_unique")]

    def __str__(self):
        return f"{self.round.year} {self.get_category_display()}"


class LeadershipMember(models.Model):
    """第五条: 领导小组成员 5 人，组长由协会会长担任."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="leadership", verbose_name=_("round"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    is_chair = models.BooleanField(_("group leader"), default=False)

    class Meta:
        verbose_name = _("leadership group member")
        verbose_name_plural = _("leadership group members")
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="awards_leadership_unique"),
            models.UniqueConstraint(fields=["round"], condition=Q(is_chair=True), name="awards_leadership_one_chair"),
        ]

    def __str__(self):
        return str(self.user)


class CommitteeMember(models.Model):
    """第七条: the review committee of a round (9–11; one chair, one vice-chair)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="committee", verbose_name=_("round"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    role = models.CharField(_("role"), max_length=12, choices=CommitteeRole.choices, default=CommitteeRole.MEMBER)
    rotation_acknowledged = models.BooleanField(
        _("third consecutive year acknowledged"),
        default=False,
        help_text=_("第七条: a member who served two consecutive years should rotate out in the third."),
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("review committee member")
        verbose_name_plural = _("review committee members")
        ordering = ["round", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "user"], name="awards_committee_unique"),
            # One chair and one vice-chair per round.
            models.UniqueConstraint(
                fields=["round", "role"], condition=~Q(role="member"), name="awards_committee_one_chair_one_vice"
            ),
        ]

    def __str__(self):
        return f"{self.user} ({self.get_role_display()})"


class PeerReviewer(models.Model):
    """第八条: the pool of peer (correspondence) reviewers, by specialty."""

    user = models.OneToOneField(
        USER, on_delete=models.PROTECT, related_name="award_reviewer", verbose_name=_("reviewer")
    )
    specialties = models.CharField(_("specialties"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("peer reviewer")
        verbose_name_plural = _("peer reviewers")

    def __str__(self):
        return str(self.user)


class ConfidentialityPledge(models.Model):
    """第四十一条: 必须签订保密责任书 — once per round, before any access."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="pledges", verbose_name=_("round"))
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="award_pledges", verbose_name=_("signed by"))
    accepted_at = models.DateTimeField(_("accepted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("confidentiality pledge")
        verbose_name_plural = _("confidentiality pledges")
        constraints = [models.UniqueConstraint(fields=["round", "user"], name="awards_pledge_unique")]

    def __str__(self):
        return f"{self.user} {self.round.year}"


# ---- applications --------------------------------------------------------------------------------------


class Application(models.Model):
    """第二十四条: an application by a legal entity or a citizen, on the standard form."""

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications", verbose_name=_("round"))
    applicant = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="award_applications", verbose_name=_("applicant account")
    )
    organisation = models.ForeignKey(
        "alliance.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_applications",
        verbose_name=_("applicant unit"),
        help_text=_("Empty for an application by a citizen."),
    )
    title = models.CharField(_("project title"), max_length=200)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    requested_grade = models.CharField(_("requested grade"), max_length=10, choices=Grade.choices)
    proposed_grade = models.CharField(_("proposed grade"), max_length=10, choices=Grade.choices, blank=True)
    final_grade = models.CharField(_("final grade"), max_length=10, choices=Grade.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=24, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT, db_index=True
    )
    summary = models.TextField(_("project summary"), blank=True)
    # 第二十五条: 须是已通过协会鉴定或组评估的科技成果.
    appraisal_certificate_no = models.CharField(_("appraisal certificate number"), max_length=100, blank=True)
    appraisal_date = models.DateField(_("appraised on"), null=True, blank=True)
    # 第二十六条: 纸质文件一式三份，其中一套为原件.
    paper_sets = models.PositiveSmallIntegerField(_("paper sets received"), default=0)
    paper_original = models.BooleanField(_("original among them"), default=False)
    paper_received_on = models.DateField(_("paper copies received on"), null=True, blank=True)
    # 第二十九条: the same project's earlier application, for a re-application.
    previous = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reapplications",
        verbose_name=_("earlier application of the project"),
    )
    new_progress = models.TextField(_("new substantive progress since"), blank=True)
    correction_deadline = models.DateField(_("correction deadline"), null=True, blank=True)
    corrected = models.BooleanField(_("corrected once"), default=False)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("award application")
        verbose_name_plural = _("award applications")
        ordering = ["round", "pk"]
        indexes = [models.Index(fields=["round", "status"], name="awards_app_round_status")]

    def __str__(self):
        return self.title


class Contributor(models.Model):
    """第二十一条: a main contributor (主要完成人), in order."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="contributors", verbose_name=_("application")
    )
    order = models.PositiveSmallIntegerField(_("order"))
    name = models.CharField(_("name"), max_length=60)
    unit_name = models.CharField(_("unit"), max_length=200, blank=True)
    title = models.CharField(_("professional title"), max_length=60, blank=True)
    contribution = models.TextField(_("contribution"), blank=True)

    class Meta:
        verbose_name = _("main contributor")
        verbose_name_plural = _("main contributors")
        ordering = ["application", "order"]
        constraints = [models.UniqueConstraint(fields=["application", "order"], name="awards_contributor_order")]

    def __str__(self):
        return self.name


class CompletingUnit(models.Model):
    """第二十二、二十七条: a main completing unit (a legal entity); the first leads a joint project."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="units", verbose_name=_("application")
    )
    organisation = models.ForeignKey(
        "alliance.Organisation", on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        verbose_name = _("main completing unit")
        verbose_name_plural = _("main completing units")
        ordering = ["application", "order"]
        constraints = [
            models.UniqueConstraint(fields=["application", "order"], name="awards_unit_order"),
            models.UniqueConstraint(fields=["application", "organisation"], name="awards_unit_once"),
        ]

    def __str__(self):
        return str(self.organisation)


def attachment_path(attachment, filename):
    return f"awards/{attachment.application.round.year}/{attachment.application_id}/{filename}"


class Attachment(models.Model):
    """第二十六条: an attachment of the kind its category requires; downloads are permission-checked."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=40)
    file = models.FileField(_("file"), upload_to=attachment_path)
    uploaded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by"))
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["application", "pk"]

    def __str__(self):
        return self.file.name.rsplit("/", 1)[-1]


class StatusChange(models.Model):
    """One row per move of an application (append-only)."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="history", verbose_name=_("application")
    )
    from_status = models.CharField(_("from"), max_length=24, choices=ApplicationStatus.choices)
    to_status = models.CharField(_("to"), max_length=24, choices=ApplicationStatus.choices)
    by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["application", "pk"]

    def __str__(self):
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class FormalCheck(models.Model):
    """第三十一条（一）: the office's formal check, with the 第二十八条 checklist answers."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="formal_checks", verbose_name=_("application")
    )
    result = models.CharField(_("result"), max_length=16, choices=FormalCheckResult.choices)
    deadline = models.DateField(_("correction deadline"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    answers = models.JSONField(_("checklist answers"), default=dict, blank=True)
    checked_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("checked by"))
    checked_at = models.DateTimeField(_("checked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("formal check")
        verbose_name_plural = _("formal checks")
        ordering = ["application", "pk"]

    def __str__(self):
        return f"{self.application} {self.get_result_display()}"


class PeerAssignment(models.Model):
    """第八条、第三十一条（二）: a peer reviewer assigned to an application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="peer_assignments", verbose_name=_("application")
    )
    reviewer = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="award_assignments", verbose_name=_("reviewer")
    )
    assigned_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("assigned by"))
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)

    class Meta:
        verbose_name = _("peer review assignment")
        verbose_name_plural = _("peer review assignments")
        constraints = [models.UniqueConstraint(fields=["application", "reviewer"], name="awards_peer_once")]

    def __str__(self):
        return f"{self.reviewer} → {self.application}"


class PeerReview(models.Model):
    """A peer reviewer's opinion: agree to award or not, with comments."""

    assignment = models.OneToOneField(
        PeerAssignment, on_delete=models.CASCADE, related_name="review", verbose_name=_("assignment")
    )
    agree = models.BooleanField(_("agrees to an award"))
    comments = models.TextField(_("comments"))
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("peer review")
        verbose_name_plural = _("peer reviews")

    def __str__(self):
        return str(self.assignment)


class ConflictDeclaration(models.Model):
    """第三十二条: 回避 — a reviewer or committee member declares an interest in an application."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="conflicts", verbose_name=_("application")
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="award_conflicts", verbose_name=_("declared by")
    )
    reason = models.TextField(_("reason"))
    declared_at = models.DateTimeField(_("declared at"), auto_now_add=True)

    class Meta:
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        constraints = [models.UniqueConstraint(fields=["application", "user"], name="awards_conflict_once")]

    def __str__(self):
        return f"{self.user} / {self.application}"


class CommitteeScore(models.Model):
    """第三十一条（四）: a member's independent score and recommended grade."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="committee_scores", verbose_name=_("application")
    )
    member = models.ForeignKey(
        CommitteeMember, on_delete=models.PROTECT, related_name="scores", verbose_name=_("member")
    )
    score = models.PositiveSmallIntegerField(_("score"))
    recommended_grade = models.CharField(_("recommended grade"), max_length=10, choices=Grade.choices, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), auto_now=True)

    class Meta:
        verbose_name = _("committee score")
        verbose_name_plural = _("committee scores")
        constraints = [
            models.UniqueConstraint(fields=["application", "member"], name="awards_score_once"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=100), name="awards_score_0_100"),
        ]

    def __str__(self):
        return f"{self.member} / {self.application}: {self.score}"


class Reconsideration(models.Model):
    """第三十一条（四）: 经主任委员提议或同意，全体到会专家一次投票表决; the result replaces the proposal."""

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="reconsideration", verbose_name=_("application")
    )
    called_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("called by"))
    called_at = models.DateTimeField(_("called at"), auto_now_add=True)
    present = models.ManyToManyField(CommitteeMember, related_name="+", verbose_name=_("members present"))
    closed = models.BooleanField(_("closed"), default=False)
    result_grade = models.CharField(_("result"), max_length=10, choices=Grade.choices, blank=True)

    class Meta:
        verbose_name = _("reconsideration")
        verbose_name_plural = _("reconsiderations")

    def __str__(self):
        return str(self.application)


class ReconsiderationVote(models.Model):
    """A present member's vote: a grade, or none for no award."""

    reconsideration = models.ForeignKey(
        Reconsideration, on_delete=models.CASCADE, related_name="votes", verbose_name=_("reconsideration")
    )
    member = models.ForeignKey(CommitteeMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("member"))
    grade = models.CharField(_("grade voted"), max_length=10, choices=Grade.choices, blank=True)
    voted_at = models.DateTimeField(_("voted at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reconsideration vote")
        verbose_name_plural = _("reconsideration votes")
        constraints = [models.UniqueConstraint(fields=["reconsideration", "member"], name="awards_revote_once")]

    def __str__(self):
        return f"{self.member}: {self.get_grade_display() if self.grade else '-'}"


class Notice(models.Model):
    """第三十一条（六）: the round's public notice (公示期 20 天)."""

    round = models.OneToOneField(Round, on_delete=models.CASCADE, related_name="notice", verbose_name=_("round"))
    starts_on = models.DateField(_("starts on"))
    objections_until = models.DateField(_("objections accepted until"))
    started_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("started by"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")

    def __str__(self):
        return f"{self.round.year} {self.starts_on}"


def evidence_path(objection, filename):
    return f"awards/objections/{objection.application_id}/{filename}"


class Objection(models.Model):
    """第三十四、三十五、三十七条: an objection to a project on notice, with the evidence."""

    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="objections", verbose_name=_("application")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ObjectionKind.choices)
    name = models.CharField(_("real name or unit"), max_length=200)
    unit = models.CharField(_("unit"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40)
    statement = models.TextField(_("statement"))
    evidence = models.FileField(_("evidence"), upload_to=evidence_path)
    received_on = models.DateField(_("received on"))
    status = models.CharField(
        _("status"), max_length=12, choices=ObjectionStatus.choices, default=ObjectionStatus.RECEIVED
    )
    answer_deadline = models.DateField(_("answer due by"), null=True, blank=True)
    answer = models.TextField(_("applicant's answer"), blank=True)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    decision = models.TextField(_("leadership group's decision"), blank=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["application", "pk"]

    def __str__(self):
        return f"{self.application} / {self.name}"


class Ban(models.Model):
    """第三十三条 (withdrawal during notice: two years) and 第四十条 (false data: one year)."""

    organisation = models.ForeignKey(
        "alliance.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="award_bans",
        verbose_name=_("unit"),
    )
    user = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="award_bans", verbose_name=_("citizen")
    )
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="bans", verbose_name=_("because of")
    )
    reason = models.CharField(_("reason"), max_length=30, choices=BanReason.choices)
    first_year = models.PositiveSmallIntegerField(_("first year barred"))
    last_year = models.PositiveSmallIntegerField(_("last year barred"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("ban from applying")
        verbose_name_plural = _("bans from applying")
        constraints = [
            models.CheckConstraint(
                condition=Q(organisation__isnull=False) | Q(user__isnull=False), name="awards_ban_has_subject"
            ),
        ]

    def __str__(self):
        return f"{self.organisation or self.user} {self.first_year}–{self.last_year}"


class Revocation(models.Model):
    """第三十九、四十条: an award revoked, to be published."""

    application = models.OneToOneField(
        Application, on_delete=models.PROTECT, related_name="revocation", verbose_name=_("application")
    )
    reason = models.CharField(_("reason"), max_length=24, choices=RevocationReason.choices)
    details = models.TextField(_("details"))
    decided_on = models.DateField(_("decided on"))
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by"))

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")

    def __str__(self):
        return str(self.application)
