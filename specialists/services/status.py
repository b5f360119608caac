"""Specialists and their status (第四条 to 第九条): applications, the table of allowed moves, and
the moves a person decides.  The lifecycle run (specialists.lifecycle) makes the rule-driven moves
with the same table."""

import datetime as dt
import secrets

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.roles import Role
from alliance.services import organisation_get_or_create
from alliance.validation import check_date, check_not_before

from ..enums import EntryKind, MotionKind, MotionResult, SpecialistStatus
from ..models import Attendance, LedgerEntry, Motion, Specialist, StatusChange
from .committees import motion_tally
from .common import lock_specialist

S = SpecialistStatus
PROBATION_MONTHS = 3  # 第四条: 试用期三个月

# One table of allowed moves (from → {to: who may cause it}); the lifecycle run uses it too.
RULE, PERSON = "rule", "person"
ALLOWED_MOVES = {
    S.APPLICANT: {S.PROBATION: {PERSON}, S.REJECTED: {PERSON}},
    S.PROBATION: {S.GENERAL: {RULE}, S.ROSTER: {RULE}, S.REJECTED: {RULE, PERSON}, S.EXITED: {PERSON}},
    S.GENERAL: {S.ROSTER: {RULE, PERSON}, S.EXITED: {PERSON}},
    S.ROSTER: {S.GENERAL: {RULE, PERSON}, S.EXIT_PENDING: {RULE}, S.EXITED: {PERSON}},
    S.EXIT_PENDING: {S.EXITED: {PERSON}, S.ROSTER: {PERSON}},
    S.EXITED: {},
    S.REJECTED: {},
}


def move_allowed(from_status, to_status, cause):
    return cause in ALLOWED_MOVES.get(from_status, {}).get(to_status, set())


@transaction.atomic
def _required_text(value, message, *, field):
    """The stripped `value`; refused with `message` when blank (a decision that must be written down)."""
    text = (value or "").strip()
    if not text:
        raise BusinessRuleError(message, field=field)
    return text


def specialist_create(*, name, email="", applied_on, username=None, phone="", organisation=None, created_by=None):
    """Register an application (第四条: accepted all year).

    Links the existing user `username`, or creates a user with an unusable password (staff
    set one later); the user gets the specialist role.  Side effects: status history, audit.
    """
    User = get_user_model()
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError(_("A specialist needs a name."), field="name")
    check_date(applied_on, field="applied_on")
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise BusinessRuleError(_("No user named %(username)s.") % {"username": username}, field="username")
        if user.is_superuser or user.is_staff:
            # Staff record points and decide on specialists: one account is never both.
            raise BusinessRuleError(
                _("A staff or administrator account cannot be linked as a specialist."), field="username"
            )
        if Specialist.objects.filter(user=user).exists():
            raise BusinessRuleError(_("That user is already a specialist."), field="username")
    else:
        user = User(username=_free_username(email), email=email)
        user.set_unusable_password()
        user.save()
    from alliance.models import Profile

    profile, _created = Profile.objects.get_or_create(user=user, defaults={"name": name})
    if organisation:
        profile.organisation = organisation_get_or_create(organisation)
        profile.save(update_fields=["organisation"])
    user.groups.add(Group.objects.get_or_create(name=Role.SPECIALIST)[0])
    specialist = Specialist.objects.create(
        user=user, name=name, email=email or user.email, phone=phone, applied_on=applied_on, status_since=applied_on
    )
    StatusChange.objects.create(
        specialist=specialist, from_status="", to_status=S.APPLICANT, as_of=applied_on, changed_by=created_by
    )
    audit.record("specialist.created", specialist, actor=created_by, applied_on=applied_on)
    return specialist


def _free_username(email):
    User = get_user_model()
    base = (email.split("@")[0] if email else "specialist")[:30] or "specialist"
    candidate = base
    while User.objects.filter(username__iexact=candidate).exists():
        candidate = f"{base}-{secrets.token_hex(3)}"
    return candidate


def specialist_set_status(specialist, to_status, *, as_of, actor=None, rule="", evidence=None, run=None, **fields):
    """The one transition function: checks ALLOWED_MOVES, saves, writes history and audit.

    `actor` set = a person's decision, else `rule` names the lifecycle rule.  Extra `fields`
    are saved with the status (e.g. probation_ends).  Raises BusinessRuleError on an illegal move.
    """
    cause = PERSON if actor is not None else RULE
    from_status = specialist.status
    if not move_allowed(from_status, to_status, cause):
        raise BusinessRuleError(
            _("A specialist cannot go from %(old)s to %(new)s this way.")
            % {"old": S(from_status).label, "new": S(to_status).label},
            field="status",
        )
    specialist.status = to_status
    specialist.status_since = as_of
    for name, value in fields.items():
        setattr(specialist, name, value)
    specialist.save(update_fields=["status", "status_since", *fields])
    change = StatusChange.objects.create(
        specialist=specialist,
        from_status=from_status,
        to_status=to_status,
        as_of=as_of,
        rule=rule,
        changed_by=actor,
        run=run,
        evidence=_jsonable(evidence or {}),
    )
    audit.record(
        "specialist.status", specialist, actor=actor, **{"from": from_status, "to": to_status}, rule=rule, as_of=as_of
    )
    return change


def _check_decision_date(specialist, on):
    """A decision on a specialist happened (not in the future, not before 2000) and not before their
    application."""
    check_date(on, field="on")
    check_not_before(
        on,
        specialist.applied_on,
        field="on",
        message=_("The date cannot be before the application (%(date)s).") % {"date": specialist.applied_on},
    )


def _jsonable(data):
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


@transaction.atomic
def specialist_approve(specialist, *, on, actor):
    """Approve an application: 3-month probation starts (第四条)."""
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    specialist_set_status(
        specialist,
        S.PROBATION,
        as_of=on,
        actor=actor,
        approved_on=on,
        probation_ends=on + relativedelta(months=PROBATION_MONTHS),
    )
    return specialist


@transaction.atomic
def specialist_reject_application(specialist, *, on, actor, reason=""):
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    specialist_set_status(specialist, S.REJECTED, as_of=on, actor=actor, evidence={"reason": reason})
    return specialist


@transaction.atomic
def specialist_confirm_exit(specialist, *, on, decision, actor, motion=None):
    """Confirm a flagged exit (第九条 3, 5): needs the committee's decision, cited or recorded as a vote.

    Side effects: status exited, history with the decision (and the motion's tally), audit.
    """
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    decision = (decision or "").strip()
    if specialist.status != S.EXIT_PENDING:
        raise BusinessRuleError(_("Only a specialist flagged for exit can be confirmed as exited."), field="status")
    if not decision and motion is None:
        raise BusinessRuleError(_("Cite the committee's exit vote (decision)."), field="decision")
    evidence = {"decision": decision}
    if motion is not None:
        motion = Motion.objects.get(pk=motion.pk)
        if motion.kind != MotionKind.EXIT or motion.subject_id != specialist.pk:
            raise BusinessRuleError(_("That motion is not an exit vote on this specialist."), field="motion")
        if motion.result != MotionResult.PASSED:
            raise BusinessRuleError(_("The exit vote has not passed."), field="motion")
        evidence.update(motion=motion.pk, tally=motion_tally(motion))
        decision = decision or str(motion)
    specialist_set_status(
        specialist,
        S.EXITED,
        as_of=on,
        actor=actor,
        rule="committee_exit_vote",
        evidence=evidence,
        exited_on=on,
        exit_decision=decision[:300],
    )
    return specialist


@transaction.atomic
def specialist_keep_on_roster(specialist, *, on, actor, reason):
    """The committee voted against an exit: back to the roster with a fresh 3-month window."""
    reason = _required_text(reason, _("Say why the exit is not confirmed."), field="reason")
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    if specialist.status != S.EXIT_PENDING:
        raise BusinessRuleError(_("Only a specialist flagged for exit can be kept."), field="status")
    specialist_set_status(
        specialist, S.ROSTER, as_of=on, actor=actor, rule="exit_not_confirmed", evidence={"reason": reason}
    )
    return specialist


@transaction.atomic
def specialist_voluntary_exit(specialist, *, on, actor, reason):
    """Voluntary exit on application (第六条 7); `reason` records the application."""
    reason = _required_text(reason, _("Record the specialist's application to exit (the reason)."), field="reason")
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    specialist_set_status(
        specialist,
        S.EXITED,
        as_of=on,
        actor=actor,
        rule="voluntary_exit",
        evidence={"reason": reason},
        exited_on=on,
        exit_decision=reason[:300],
    )
    return specialist


def _months_with_activity(specialist, start, end):
    months = {
        (d.year, d.month)
        for d in LedgerEntry.objects.filter(
            specialist=specialist, kind=EntryKind.ACTIVITY, reversal__isnull=True, occurred_on__range=(start, end)
        ).values_list("occurred_on", flat=True)
    }
    months |= {
        (d.year, d.month)
        for d in Attendance.objects.filter(specialist=specialist, held_on__range=(start, end)).values_list(
            "held_on", flat=True
        )
    }
    return months


def three_consecutive_active_months(specialist, *, since, until):
    """第八条 3: activity in each of 3 consecutive calendar months between `since` and `until`."""
    months = _months_with_activity(specialist, since, until)
    for year, month in months:
        first = dt.date(year, month, 1)
        following = [first + relativedelta(months=k) for k in (1, 2)]
        if all((d.year, d.month) in months for d in following):
            return [first, *following]
    return None


@transaction.atomic
def specialist_reinstate(specialist, *, on, actor, performance_note):
    """Roster → general on application (第八条 3): 3 consecutive months of activity, good performance."""
    performance_note = _required_text(
        performance_note, _("Note the specialist's performance (第八条 3)."), field="performance_note"
    )
    specialist = lock_specialist(specialist)
    _check_decision_date(specialist, on)
    if specialist.status != S.ROSTER:
        raise BusinessRuleError(_("Only a roster specialist can apply to return to the general list."), field="status")
    months = three_consecutive_active_months(specialist, since=specialist.status_since, until=on)
    if not months:
        raise BusinessRuleError(
            _("Returning needs activity in each of 3 consecutive calendar months since joining the roster."),
            field="status",
        )
    specialist_set_status(
        specialist,
        S.GENERAL,
        as_of=on,
        actor=actor,
        rule="roster_return_on_application",
        evidence={"months": [m.strftime("%Y-%m") for m in months], "performance": performance_note},
        roster_without_icebreaker=False,
    )
    return specialist
