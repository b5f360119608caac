"""Peer review (第八条, 第三十一条（二）), conflicts (第三十二条), the committee's scores, the proposed
grade and the reconsideration vote (第三十一条（四）（五））."""

from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.roles import Role, has_role
from alliance.validation import check_int

from ..enums import GRADE_ORDER, CommitteeRole, Grade
from ..enums import ApplicationStatus as S
from ..models import (
    Application,
    CommitteeMember,
    CommitteeScore,
    ConflictDeclaration,
    PeerAssignment,
    PeerReview,
    Reconsideration,
    ReconsiderationVote,
)
from .bodies import require_pledge
from .workflow import application_set_status, lock, require_office, require_status, unit_of

PEER_MIN, PEER_MAX = 3, 5  # 第八条: 函审专家一般 3—5 人


# ---- thresholds --------------------------------------------------------------------------------------


def peer_passes(agree, assigned):
    """第三十一条（二）: 三分之二专家同意授奖的提交评委会评审 (≥ 2/3 of the assigned reviewers)."""
    return assigned > 0 and 3 * agree >= 2 * assigned


def reaches(grade, votes, members):
    """第三十一条（五）: special and first need 2/3 (inclusive) of the members; the others more than 1/2."""
    if grade in (Grade.SPECIAL, Grade.FIRST):
        return 3 * votes >= 2 * members
    return 2 * votes > members


def grade_from_votes(grades, members):
    """The highest grade g such that the votes for g or higher reach g's threshold among `members`;
    None for no award.  `grades` holds one recommended grade per vote ("" for no award)."""
    if members <= 0:
        return None
    at_or_above = 0
    for grade in GRADE_ORDER:
        at_or_above += sum(1 for g in grades if g == grade)
        if reaches(grade, at_or_above, members):
            return grade
    return None


# ---- conflicts (第三十二条) ------------------------------------------------------------------------------


def conflict_with(application, user):
    """Why `user` may not review `application`, or None: a declared interest, or the same unit as the
    applicant or a completing unit (the shared registry)."""
    declared = ConflictDeclaration.objects.filter(application=application, user=user).first()
    if declared is not None:
        return _("%(name)s declared a conflict of interest: %(reason)s") % {"name": user, "reason": declared.reason}
    unit = unit_of(user)
    if unit is None:
        return None
    if application.organisation_id == unit.pk or application.units.filter(organisation=unit).exists():
        return _("%(name)s works for %(unit)s, a unit of this application (第三十二条).") % {"name": user, "unit": unit}
    return None


@transaction.atomic
def conflict_declare(application, *, user, reason):
    """A reviewer or committee member declares an interest: they are taken off the application (their
    assignment and opinion, or their score, removed) and never see it again.  Side effects: the
    declaration, deletions, an audit entry."""
    application = lock(application)
    reason = (reason or "").strip()
    if not reason:
        raise BusinessRuleError(_("Give the reason."), field="reason")
    declaration, created = ConflictDeclaration.objects.get_or_create(
        application=application, user=user, defaults={"reason": reason}
    )
    PeerAssignment.objects.filter(application=application, reviewer=user).delete()
    CommitteeScore.objects.filter(application=application, member__user=user).delete()
    if created:
        audit.record("awards.conflict.declared", application, actor=user, reason=reason)
    return declaration


# ---- peer review -----------------------------------------------------------------------------------------


@transaction.atomic
def peer_assign(application, *, reviewer, by):
    """第八条: the office assigns a peer reviewer (3–5 per application).

    Refused: not a reviewer (expert role), a conflict (named), no confidentiality pledge for the round
    (第四十一条), a sixth reviewer.  Side effects: the assignment, an audit entry.
    """
    require_office(by)
    application = lock(application)
    require_status(application, S.PEER_REVIEW)
    if not has_role(reviewer, Role.EXPERT):
        raise BusinessRuleError(_("%(name)s is not a reviewer.") % {"name": reviewer}, field="username")
    conflict = conflict_with(application, reviewer)
    if conflict:
        raise BusinessRuleError(conflict, field="username", code="conflict")
    try:
        require_pledge(application.round, reviewer)
    except NotPermitted as exc:
        raise BusinessRuleError(
            _("%(name)s has not accepted the confidentiality pledge of the round (第四十一条).") % {"name": reviewer},
            field="username",
            code="pledge",
        ) from exc
    assigned = application.peer_assignments.all()
    if assigned.filter(reviewer=reviewer).exists():
        raise BusinessRuleError(_("%(name)s is assigned already.") % {"name": reviewer}, field="username")
    if assigned.count() >= PEER_MAX:
        raise BusinessRuleError(
            _("An application has at most %(most)s peer reviewers (第八条).") % {"most": PEER_MAX}, field="username"
        )
    assignment = PeerAssignment.objects.create(application=application, reviewer=reviewer, assigned_by=by)
    audit.record("awards.peer.assigned", application, actor=by, account=reviewer.get_username())
    return assignment


@transaction.atomic
def peer_review_submit(application, *, reviewer, agree, comments):
    """The assigned reviewer's opinion (agree or not, with comments); again replaces it until the tally.
    Refused for anyone not assigned (as if the application did not exist) and before the pledge."""
    application = lock(application)
    assignment = PeerAssignment.objects.filter(application=application, reviewer=reviewer).first()
    if assignment is None:
        raise NotPermitted(_("You are not a reviewer of this application."))
    require_pledge(application.round, reviewer)
    require_status(application, S.PEER_REVIEW)
    if not isinstance(agree, bool):
        raise BusinessRuleError(_("Say whether you agree to an award."), field="agree")
    comments = (comments or "").strip()
    if not comments:
        raise BusinessRuleError(_("Give your comments."), field="comments")
    review, _created = PeerReview.objects.update_or_create(
        assignment=assignment, defaults={"agree": agree, "comments": comments}
    )
    audit.record("awards.peer.reviewed", application, actor=reviewer, agree=agree)
    return review


@transaction.atomic
def peer_tally(application, *, by):
    """第三十一条（二）: once every assigned reviewer (3–5) has given an opinion, ≥ 2/3 agreeing send the
    application to the committee; otherwise it is not awarded.  Side effects: the status, a history
    row, audit entries."""
    require_office(by)
    application = lock(application)
    require_status(application, S.PEER_REVIEW)
    assignments = list(application.peer_assignments.select_related("review"))
    if len(assignments) < PEER_MIN:
        raise BusinessRuleError(
            _("Assign at least %(least)s peer reviewers (第八条).") % {"least": PEER_MIN}, field="reviewers"
        )
    waiting = [str(a.reviewer) for a in assignments if not hasattr(a, "review")]
    if waiting:
        raise BusinessRuleError(
            _("Waiting for the opinions of: %(names)s.") % {"names": "、".join(waiting)}, field="reviewers"
        )
    agree = sum(1 for a in assignments if a.review.agree)
    passes = peer_passes(agree, len(assignments))
    note = _("%(agree)s of %(count)s peer reviewers agree.") % {"agree": agree, "count": len(assignments)}
    return application_set_status(application, S.COMMITTEE_REVIEW if passes else S.NOT_AWARDED, by=by, note=note)


# ---- the committee ----------------------------------------------------------------------------------------


def committee_member(round_, user):
    member = CommitteeMember.objects.filter(round=round_, user=user).first()
    if member is None:
        raise NotPermitted(_("Only a member of the round's review committee may do this."))
    return member


@transaction.atomic
def committee_score(application, *, user, score, grade):
    """第三十一条（四）: a member's independent score (0–100) and recommended grade ("" or None: no
    award); again replaces it while the committee reviews.  Refused: not a member, no pledge, a
    conflict (as if the application did not exist), the committee not confirmed yet."""
    application = lock(application)
    member = committee_member(application.round, user)
    require_pledge(application.round, user)
    if conflict_with(application, user):
        raise NotPermitted(_("You have a conflict of interest with this application."))
    require_status(application, S.COMMITTEE_REVIEW)
    if not application.round.committee_confirmed_at:
        raise BusinessRuleError(_("The committee of this round has not been confirmed yet."))
    score = check_int(score, field="score", low=0, high=100)
    grade = grade or ""
    if grade and grade not in Grade.values:
        raise BusinessRuleError(_("Choose a grade."), field="grade")
    row, _created = CommitteeScore.objects.update_or_create(
        application=application, member=member, defaults={"score": score, "recommended_grade": grade}
    )
    audit.record("awards.committee.scored", application, actor=user, score=score, grade=grade)
    return row


def round_proposals(round_):
    """{application id: proposed grade or None} for every application of `round_` in committee
    review, in four queries: the committee's size, every recommendation, the applications, the closed reconsiderations
    (whose result replaces the proposal)."""
    members = CommitteeMember.objects.filter(round=round_).count()
    grades = {}
    for app_id, grade in CommitteeScore.objects.filter(
        application__round=round_, application__status=S.COMMITTEE_REVIEW
    ).values_list("application_id", "recommended_grade"):
        grades.setdefault(app_id, []).append(grade)
    ids = Application.objects.filter(round=round_, status=S.COMMITTEE_REVIEW).values_list("pk", flat=True)
    proposals = {pk: grade_from_votes(grades.get(pk, []), members) for pk in ids}
    for app_id, result in Reconsideration.objects.filter(
        application__round=round_, application__status=S.COMMITTEE_REVIEW, closed=True
    ).values_list("application_id", "result_grade"):
        proposals[app_id] = result or None
    return proposals


def proposed_grade(application):
    """The committee's proposal for one application (the reconsideration's result if there was one)."""
    reconsideration = Reconsideration.objects.filter(application=application, closed=True).first()
    if reconsideration is not None:
        return reconsideration.result_grade or None
    members = CommitteeMember.objects.filter(round_id=application.round_id).count()
    grades = list(application.committee_scores.values_list("recommended_grade", flat=True))
    return grade_from_votes(grades, members)


@transaction.atomic
def reconsideration_call(application, *, by, present):
    """第三十一条（四）: 经主任委员提议或同意 — the chair calls a vote of all members present
    (`present`: committee members of the round).  Side effects: the reconsideration, an audit entry."""
    application = lock(application)
    chair = committee_member(application.round, by)
    if chair.role != CommitteeRole.CHAIR:
        raise NotPermitted(_("Only the chair calls a reconsideration vote."))
    require_status(application, S.COMMITTEE_REVIEW)
    if Reconsideration.objects.filter(application=application).exists():
        raise BusinessRuleError(_("This application has been reconsidered already."))
    present = list(present)
    if not present or any(m.round_id != application.round_id for m in present):
        raise BusinessRuleError(_("List the committee members present."), field="present")
    reconsideration = Reconsideration.objects.create(application=application, called_by=by)
    reconsideration.present.set(present)
    audit.record("awards.reconsideration.called", application, actor=by, present=len(present))
    return reconsideration


@transaction.atomic
def reconsideration_vote(reconsideration, *, user, grade):
    """A present member's vote (a grade, or "" for no award).  When every member present has voted,
    the result — by the thresholds of 第三十一条（五）, counted over the members present — replaces the
    proposal.  Side effects: the vote, the result, audit entries."""
    reconsideration = (
        Reconsideration.objects.select_for_update().select_related("application").get(pk=reconsideration.pk)
    )
    application = reconsideration.application
    member = committee_member(application.round, user)
    present = list(reconsideration.present.all())
    if member not in present:
        raise NotPermitted(_("Only the members present vote."))
    if reconsideration.closed:
        raise BusinessRuleError(_("The vote is over."))
    grade = grade or ""
    if grade and grade not in Grade.values:
        raise BusinessRuleError(_("Choose a grade."), field="grade")
    if ReconsiderationVote.objects.filter(reconsideration=reconsideration, member=member).exists():
        raise BusinessRuleError(_("You have voted already (one vote each)."))
    ReconsiderationVote.objects.create(reconsideration=reconsideration, member=member, grade=grade)
    audit.record("awards.reconsideration.voted", application, actor=user, grade=grade)
    votes = list(reconsideration.votes.values_list("grade", flat=True))
    if len(votes) == len(present):
        result = grade_from_votes(votes, len(present))
        reconsideration.closed, reconsideration.result_grade = True, result or ""
        reconsideration.save(update_fields=["closed", "result_grade"])
        application.proposed_grade = result or ""
        application.save(update_fields=["proposed_grade", "updated_at"])
        audit.record("awards.reconsideration.closed", application, actor=user, grade=result or "")
    return reconsideration


@transaction.atomic
def committee_conclude(round_, *, by):
    """The committee's conclusion for the round: each application in committee review gets its
    proposed grade and goes to the leadership group, or is not awarded.  Refused while a
    reconsideration is open.  Side effects: statuses, history rows, audit entries."""
    require_office(by)
    open_votes = Reconsideration.objects.filter(application__round=round_, closed=False)
    if open_votes.exists():
        raise BusinessRuleError(_("A reconsideration vote is still open."))
    proposals = round_proposals(round_)
    moved = []
    for application in Application.objects.select_for_update().filter(pk__in=proposals).order_by("pk"):
        grade = proposals[application.pk]
        if grade:
            application_set_status(application, S.LEADERSHIP_APPROVAL, by=by, proposed_grade=grade)
        else:
            application_set_status(application, S.NOT_AWARDED, by=by, proposed_grade="")
        moved.append(application)
    audit.record("awards.committee.concluded", round_, actor=by, size=len(moved))
    return moved
