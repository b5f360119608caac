"""Reads of the award programme: who sees which application, the round's dashboard, the chair's tally.

第三十二条: a conflicted reviewer never sees the application; 第四十一条: nobody on a review body sees
anything before the round's confidentiality pledge.
"""

from django.db.models import Count, Exists, OuterRef, Q

from alliance.roles import is_secretariat

from .enums import GRADE_ORDER, ApplicationStatus, Grade
from .models import (
    Application,
    CommitteeMember,
    CommitteeScore,
    CompletingUnit,
    ConfidentialityPledge,
    ConflictDeclaration,
    PeerAssignment,
)
from .services.review import grade_from_votes, reaches
from .services.workflow import unit_of

# What a committee member reviews: from the committee's stage on (before it, the peer reviewers').
COMMITTEE_STATES = (
    ApplicationStatus.COMMITTEE_REVIEW,
    ApplicationStatus.LEADERSHIP_APPROVAL,
    ApplicationStatus.PUBLIC_NOTICE,
    ApplicationStatus.FINAL_APPROVAL,
    ApplicationStatus.AWARDED,
    ApplicationStatus.NOT_AWARDED,
)


def _conflicted(user):
    """Applications `user` has a conflict with: declared, or the same unit as the applicant or a
    completing unit."""
    declared = ConflictDeclaration.objects.filter(application=OuterRef("pk"), user=user)
    condition = Exists(declared)
    unit = unit_of(user)
    if unit is not None:
        same_unit = CompletingUnit.objects.filter(application=OuterRef("pk"), organisation=unit)
        condition = condition | Q(organisation=unit) | Exists(same_unit)
    return condition


def applications_for(user):
    """The applications `user` may open: the office all; an applicant their own; a peer reviewer their
    assignments and a committee member their round's applications under review — each only after
    the round's pledge, never one they have a conflict with."""
    if not user or not user.is_authenticated:
        return Application.objects.none()
    if is_secretariat(user):
        return Application.objects.all()
    pledged = ConfidentialityPledge.objects.filter(round=OuterRef("round"), user=user)
    assigned = PeerAssignment.objects.filter(application=OuterRef("pk"), reviewer=user)
    on_committee = CommitteeMember.objects.filter(round=OuterRef("round"), user=user)
    reviewing = (
        Exists(pledged)
        & (Exists(assigned) | (Exists(on_committee) & Q(status__in=COMMITTEE_STATES)))
        & ~_conflicted(user)
    )
    return Application.objects.filter(Q(applicant=user) | reviewing)


def assignments_for(user):
    """A reviewer's "my assignments": nothing before the pledge of the application's round."""
    pledged = ConfidentialityPledge.objects.filter(round=OuterRef("application__round"), user=user)
    return (
        PeerAssignment.objects.filter(reviewer=user)
        .filter(Exists(pledged))
        .select_related("application", "application__round")
        .order_by("application__round", "application")
    )


def round_dashboard(round_):
    """{"stages": {status: count for every status}, "reviews_waiting": n, "total": n} in two queries."""
    counts = dict(Application.objects.filter(round=round_).values_list("status").annotate(n=Count("pk")).order_by())
    stages = {status: counts.get(status, 0) for status in ApplicationStatus.values}
    waiting = PeerAssignment.objects.filter(
        application__round=round_, application__status=ApplicationStatus.PEER_REVIEW, review__isnull=True
    ).count()
    return {"stages": stages, "reviews_waiting": waiting, "total": sum(stages.values())}


def chair_tally(application):
    """The chair's view of one application (第三十一条（四）（五）): per grade the members recommending
    exactly it and it or higher, whether that reaches the grade's threshold, the mean score, the
    committee's size and the proposal — in two queries."""
    members = CommitteeMember.objects.filter(round_id=application.round_id).count()
    rows = list(CommitteeScore.objects.filter(application=application).values_list("recommended_grade", "score"))
    grades = [grade for grade, _score in rows]
    tally, at_or_above = [], 0
    for grade in GRADE_ORDER:
        exactly = grades.count(grade)
        at_or_above += exactly
        tally.append(
            {
                "grade": grade,
                "label": Grade(grade).label,
                "votes": exactly,
                "at_or_above": at_or_above,
                "reached": reaches(grade, at_or_above, members),
            }
        )
    scores = [score for _grade, score in rows]
    return {
        "members": members,
        "scored": len(rows),
        "no_award": grades.count(""),
        "mean_score": round(sum(scores) / len(scores), 2) if scores else None,
        "grades": tally,
        "proposal": grade_from_votes(grades, members),
    }


def notice_list(round_):
    """The public notice (第三十一条（六）): the projects on notice with their grade, units and contributors."""
    return (
        Application.objects.filter(round=round_, status=ApplicationStatus.PUBLIC_NOTICE)
        .select_related("round__notice")
        .prefetch_related("units__organisation", "contributors")
        .order_by("category", "pk")
    )
