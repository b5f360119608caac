"""Committees: membership within the one-third cap (第五条), meetings, motions and votes (第九条), and
nominations for the excellent-specialist award the committee votes on (第十二条).
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError

from ..enums import CommitteeRole, MotionKind, MotionResult, SpecialistStatus, VoteChoice
from ..models import CommitteeMembership, ExcellentNomination, Motion, Specialist, Vote
from .common import lock_specialist

S = SpecialistStatus


def membership_check(specialist, committee):
    """第五条: committee membership is capped at one third of the number of general specialists."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError(_("Only general specialists sit on committees."), field="specialist")
    if CommitteeMembership.objects.filter(specialist=specialist, committee=committee, ended_on__isnull=True).exists():
        raise BusinessRuleError(_("Already a member of this committee."), field="committee")
    members = set(CommitteeMembership.objects.filter(ended_on__isnull=True).values_list("specialist_id", flat=True))
    general = Specialist.objects.filter(status=S.GENERAL).count()
    if specialist.pk not in members and len(members) + 1 > general // 3:
        raise BusinessRuleError(
            _("Committee members may be at most one third of the %(general)s general specialists (%(cap)s).")
            % {"general": general, "cap": general // 3},
            field="specialist",
        )


@transaction.atomic
def membership_add(specialist, committee, *, on, actor, role=CommitteeRole.MEMBER):
    """Seat a general specialist on a committee, within the one-third cap. Side effects: membership, audit."""
    specialist = lock_specialist(specialist)
    membership_check(specialist, committee)
    membership = CommitteeMembership.objects.create(
        specialist=specialist, committee=committee, role=role, started_on=on
    )
    audit.record("specialist.committee_joined", specialist, actor=actor, committee=committee.code, role=role)
    return membership


# ---- Meetings and votes ---------------------------------------------------------------------


def motion_tally(motion):
    counts = dict.fromkeys(VoteChoice.values, 0)
    for choice in motion.votes.values_list("choice", flat=True):
        counts[choice] += 1
    return counts


@transaction.atomic
def vote_cast(motion, *, voter, choice):
    if motion.result != MotionResult.PENDING:
        raise BusinessRuleError(_("Voting on this motion has closed."), field="motion")
    if choice not in VoteChoice.values:
        raise BusinessRuleError(_("Vote for, against or abstain."), field="choice")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(motion=motion, voter=voter, choice=choice)
    except IntegrityError:
        raise BusinessRuleError(_("You have already voted on this motion."), field="motion") from None
    audit.record("specialist.vote", motion, actor=voter, choice=choice)
    return vote


@transaction.atomic
def motion_close(motion, *, on, actor):
    """Close the vote: passed when more than half of the votes cast are for."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.result != MotionResult.PENDING:
        raise BusinessRuleError(_("This motion is already decided."), field="motion")
    tally = motion_tally(motion)
    cast = sum(tally.values())
    if not cast:
        raise BusinessRuleError(_("No votes have been recorded."), field="motion")
    motion.result = MotionResult.PASSED if tally[VoteChoice.FOR] * 2 > cast else MotionResult.REJECTED
    motion.decided_on = on
    motion.save(update_fields=["result", "decided_on"])
    if motion.kind == MotionKind.EXCELLENT and motion.subject_id and motion.year:
        ExcellentNomination.objects.filter(specialist_id=motion.subject_id, year=motion.year).update(
            awarded=motion.result == MotionResult.PASSED, motion=motion
        )
    audit.record("specialist.motion_closed", motion, actor=actor, result=motion.result, tally=tally)
    return motion


def excellent_check(specialist):
    """第七条 4: only general specialists take part in the excellent-specialist selection."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError(_("Only general specialists take part in the selection."), field="specialist")


def excellent_nominate(specialist, *, year, reason, actor):
    """第十二条: staff nominate for 优秀绿色矿山科技特别专员; the committee then votes."""
    excellent_check(specialist)
    if not (reason or "").strip():
        raise BusinessRuleError(_("Give the reason (service, promotion, publicity)."), field="reason")
    nomination, created = ExcellentNomination.objects.get_or_create(
        year=year, specialist=specialist, defaults={"reason": reason, "nominated_by": actor}
    )
    if not created:
        raise BusinessRuleError(_("Already nominated for that year."), field="specialist")
    audit.record("specialist.excellent_nominated", specialist, actor=actor, year=year)
    return nomination
