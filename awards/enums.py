"""Categories, grades, states and kinds of the nonmetal-mining S&T award (seed 001)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """第十一条: the four types of the award."""

    BASIC_RESEARCH = "basic_research", _("Basic research (基础研究)")
    INVENTION = "invention", _("Technical invention (技术发明)")
    PROGRESS = "progress", _("S&T progress (科技进步)")
    PUBLIC_WELFARE = "public_welfare", _("S&T public welfare (科技公益)")


class Grade(models.TextChoices):
    """第三条: four grades, special the highest."""

    SPECIAL = "special", _("Special prize (特等奖)")
    FIRST = "first", _("First prize (一等奖)")
    SECOND = "second", _("Second prize (二等奖)")
    THIRD = "third", _("Third prize (三等奖)")


# Highest first: proposed_grade() walks this order.
GRADE_ORDER = (Grade.SPECIAL, Grade.FIRST, Grade.SECOND, Grade.THIRD)
GRADE_RANK = {grade: rank for rank, grade in enumerate(GRADE_ORDER)}  # 0 is the highest


def at_least(grade):
    """The grades equal to or higher than `grade`."""
    return GRADE_ORDER[: GRADE_RANK[grade] + 1]


class ApplicationStatus(models.TextChoices):
    """第三十一条: the workflow from the form to the award (ALLOWED in awards.services.workflow)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, in formal check")
    CORRECTION_REQUESTED = "correction_requested", _("Correction requested")
    NOT_REVIEWED = "not_reviewed", _("Not put to review")
    REJECTED = "rejected", _("Rejected in formal check")
    PEER_REVIEW = "peer_review", _("In peer review")
    COMMITTEE_REVIEW = "committee_review", _("In committee review")
    LEADERSHIP_APPROVAL = "leadership_approval", _("Awaiting the leadership group's approval")
    PUBLIC_NOTICE = "public_notice", _("On public notice")
    FINAL_APPROVAL = "final_approval", _("Awaiting final approval")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REVOKED = "revoked", _("Award revoked")


S = ApplicationStatus
# Applications still moving through the round.
OPEN_STATES = (
    S.SUBMITTED,
    S.CORRECTION_REQUESTED,
    S.PEER_REVIEW,
    S.COMMITTEE_REVIEW,
    S.LEADERSHIP_APPROVAL,
    S.PUBLIC_NOTICE,
    S.FINAL_APPROVAL,
)
CLOSED_STATES = (S.NOT_REVIEWED, S.REJECTED, S.AWARDED, S.NOT_AWARDED, S.WITHDRAWN, S.REVOKED)
# 第四十二条: from public notice on, the grade is public.
PUBLIC_STATES = (S.PUBLIC_NOTICE, S.FINAL_APPROVAL, S.AWARDED, S.REVOKED)
# The applicant edits the form in these.
EDITABLE_STATES = (S.DRAFT, S.CORRECTION_REQUESTED)


class FormalCheckResult(models.TextChoices):
    """第三十一条（一）."""

    PASS = "pass", _("Passed")
    CORRECTION = "correction", _("Correction requested")
    REJECT = "reject", _("Rejected")
    NOT_CONFORMING = "not_conforming", _("Still not conforming after correction")


class CommitteeRole(models.TextChoices):
    """第七条: 主任委员 1 人，副主任委员 1 人，委员若干人."""

    CHAIR = "chair", _("Chair (主任委员)")
    VICE_CHAIR = "vice_chair", _("Vice-chair (副主任委员)")
    MEMBER = "member", _("Member (委员)")


class ObjectionKind(models.TextChoices):
    """第三十四条: substantive or not; an opinion on the grade is not an objection."""

    SUBSTANTIVE = "substantive", _("Substantive (innovation, advancement, practicality, authenticity)")
    NON_SUBSTANTIVE = "non_substantive", _("Non-substantive (units, persons)")
    GRADE = "grade", _("About the grade (not accepted)")


class ObjectionStatus(models.TextChoices):
    """第三十六、三十七条: received, verified by the office, answered, decided by the leadership group."""

    RECEIVED = "received", _("Received")
    VERIFIED = "verified", _("Verified by the office")
    ANSWERED = "answered", _("Answered by the applicant")
    UPHELD = "upheld", _("Upheld")
    DISMISSED = "dismissed", _("Dismissed")


class BanReason(models.TextChoices):
    WITHDRAWN_DURING_NOTICE = "withdrawn_during_notice", _("Withdrew during public notice (第三十三条, two years)")
    FALSE_DATA = "false_data", _("False data or materials (第四十条, one year)")


# 第三十三条 and 第四十条: how many following rounds each ban covers.
BAN_YEARS = {BanReason.WITHDRAWN_DURING_NOTICE: 2, BanReason.FALSE_DATA: 1}


class RevocationReason(models.TextChoices):
    PLAGIARISM = "plagiarism", _("Plagiarism or other improper means (第三十九条)")
    FALSE_DATA = "false_data", _("False data or materials (第四十条)")
    OBJECTION_UNANSWERED = "objection_unanswered", _("Substantive objection not answered in time (第三十七条)")
