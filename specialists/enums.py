"""States and kinds of the specialists programme (seed 000)."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class SpecialistStatus(models.TextChoices):
    APPLICANT = "applicant", pgettext_lazy("specialist status", "Applicant")
    PROBATION = "probation", _("Probation")  # 试用期
    GENERAL = "general", _("General specialist")  # 一般特别专员
    ROSTER = "roster", _("Roster specialist")  # 名册特别专员
    EXIT_PENDING = "exit_pending", _("Exit pending")  # 第八条 3, awaiting the committee vote
    EXITED = "exited", _("Exited")
    REJECTED = "rejected", _("Rejected")


# States the nightly rules look at.
LIFECYCLE_STATES = (SpecialistStatus.PROBATION, SpecialistStatus.GENERAL, SpecialistStatus.ROSTER)
# 第二条: formal specialists (一般、名册); exit pending is still on the roster until the vote.
FORMAL_STATES = (SpecialistStatus.GENERAL, SpecialistStatus.ROSTER, SpecialistStatus.EXIT_PENDING)
# 附件二 / SPEC: general and roster specialists redeem and transfer; exited and rejected are frozen.
REDEEMING_STATES = FORMAL_STATES
# "another active specialist" may receive a transfer; activities may be credited to them.
ACTIVE_STATES = (SpecialistStatus.PROBATION, *FORMAL_STATES)
FROZEN_STATES = (SpecialistStatus.EXITED, SpecialistStatus.REJECTED)


class RuleKind(models.TextChoices):
    """How a 附件一 rule turns a recorded activity into points."""

    EACH = "each", _("Points each (× quantity)")
    PER_AMOUNT = "per_amount", _("Points per amount in yuan")
    BY_LEVEL = "by_level", _("Points by level")


class RewardKind(models.TextChoices):
    """How a 附件二 reward's cost is computed."""

    FIXED = "fixed", _("Fixed cost")
    HALF_PRICE = "half_price", _("Half the price, rounded up")
    CASH = "cash", _("Cash above a floor, at a rate")


class EntryKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity")
    REDEMPTION = "redemption", _("Redemption")
    REFUND = "refund", _("Redemption refund")
    TRANSFER_OUT = "transfer_out", _("Transfer sent")
    TRANSFER_IN = "transfer_in", _("Transfer received")
    CORRECTION = "correction", _("Correction (reversal)")


class RedemptionStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Cancelled")


class CommitteeRole(models.TextChoices):
    DIRECTOR = "director", _("Director")  # 主任
    DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")  # 副主任
    MEMBER = "member", _("Member")


class ActivityKind(models.TextChoices):
    ICEBREAKER = "icebreaker", _("Icebreaker")  # 破冰活动
    EVENT = "event", _("Activity")
    TRAINING = "training", _("Training")
    CONFERENCE = "conference", _("Conference / forum")


class MeetingKind(models.TextChoices):
    ASSEMBLY = "assembly", _("Annual assembly")  # 特别专员大会
    COMMITTEE = "committee", _("Specialist committee meeting")  # 特别专员委员会会议
    PROFESSIONAL = "professional", _("Professional committee meeting")


class MotionKind(models.TextChoices):
    EXIT = "exit", _("Exit vote")  # 第九条 3, 5
    ADDITION = "addition", _("Addition of specialists")
    ELECTION = "election", _("Election")  # 第八条(大会) 2, 第九条 2
    EXCELLENT = "excellent", _("Excellent-specialist selection")  # 第九条(权益) 6, 第十二条
    REPORT = "report", _("Report / plan")
    OTHER = "other", _("Other")


class MotionResult(models.TextChoices):
    PENDING = "pending", _("Pending")
    PASSED = "passed", _("Passed")
    REJECTED = "rejected", _("Rejected")


class VoteChoice(models.TextChoices):
    FOR = "for", _("For")
    AGAINST = "against", _("Against")
    ABSTAIN = "abstain", _("Abstain")


class DocumentKind(models.TextChoices):
    APPOINTMENT = "appointment", _("Appointment certificate")  # 聘书
    WORK_ID = "work_id", _("Work ID")  # 工作证
    RIGHTS_LETTER = "rights_letter", _("Rights and obligations letter")  # 权利和义务书
    EXCELLENT = "excellent", _("Excellent-specialist certificate")


class DocumentRequestStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    SENT = "sent", _("Sent")
    CANCELLED = "cancelled", _("Cancelled")


class LiaisonChangeStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("liaison change request", "Open")
    DONE = "done", _("Liaison changed")
    DECLINED = "declined", _("Declined")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    WECHAT = "wechat", _("WeChat")
    EMAIL = "email", _("Email")
    VISIT = "visit", _("Visit / meeting")
