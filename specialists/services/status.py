"""Every write of the specialists programme (seed 000) and the rules that guard it.

Ledger writes follow one pattern: inside `transaction.atomic()`, lock the specialist rows
involved with `select_for_update()` in ascending id order (so two requests never wait on each
other crosswise), check the rule against the locked balance, then insert entries.  The database
trigger adds the entries to `Specialist.balance`; its check constraint refuses a negative one.
"""

import datetime as dt
import math
import secrets
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.roles import Role
from alliance.services import organisation_get_or_create

from ..enums import (
    ACTIVE_STATES,
    FROZEN_STATES,
    REDEEMING_STATES,
    ActivityKind,
    CommitteeRole,
    DocumentRequestStatus,
    EntryKind,
    LiaisonChangeStatus,
    MotionKind,
    MotionResult,
    RedemptionStatus,
    RewardKind,
    RuleKind,
    SpecialistStatus,
    VoteChoice,
)
from ..models import (
    Activity,
    Attendance,
    CommitteeMembership,
    ContactLog,
    DocumentRequest,
    ExcellentNomination,
    LedgerEntry,
    LiaisonAssignment,
    LiaisonChangeRequest,
    Motion,
    PointRule,
    Redemption,
    Reward,
    Specialist,
    StatusChange,
    Transfer,
    Vote,
)

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


def today():
    return timezone.localdate()


# ---- Specialists and their status ------------------------------------------------------------


@transaction.atomic
def specialist_create(*, name, email="", applied_on, username=None, phone="", organisation=None, created_by=None):
    """Register an application (第四条: accepted all year).

    Links the existing user `username`, or creates a user with an unusable password (staff
    set one later); the user gets the specialist role.  Side effects: status history, audit.
    """
    User = get_user_model()
    name = (name or "").strip()
    if not name:
        raise BusinessRuleError("A specialist needs a name.", field="name")
    if username:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise BusinessRuleError(f"No user named {username!r}.", field="username")
        if Specialist.objects.filter(user=user).exists():
            raise BusinessRuleError("That user is already a specialist.", field="username")
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
            f"A specialist cannot go from {S(from_status).label} to {S(to_status).label} this way.", field="status"
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


def _jsonable(data):
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in data.items()}


def _locked(specialist):
    return Specialist.objects.select_for_update().get(pk=specialist.pk)


@transaction.atomic
def specialist_approve(specialist, *, on, actor):
    """Approve an application: 3-month probation starts (第四条)."""
    specialist = _locked(specialist)
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
    specialist = _locked(specialist)
    specialist_set_status(specialist, S.REJECTED, as_of=on, actor=actor, evidence={"reason": reason})
    return specialist


@transaction.atomic
def specialist_confirm_exit(specialist, *, on, decision, actor, motion=None):
    """Confirm a flagged exit (第九条 3, 5): needs the committee's decision, cited or recorded as a vote.

    Side effects: status exited, history with the decision (and the motion's tally), audit.
    """
    specialist = _locked(specialist)
    decision = (decision or "").strip()
    if specialist.status != S.EXIT_PENDING:
        raise BusinessRuleError("Only a specialist flagged for exit can be confirmed as exited.", field="status")
    if not decision and motion is None:
        raise BusinessRuleError("Cite the committee's exit vote (decision).", field="decision")
    evidence = {"decision": decision}
    if motion is not None:
        motion = Motion.objects.get(pk=motion.pk)
        if motion.kind != MotionKind.EXIT or motion.subject_id != specialist.pk:
            raise BusinessRuleError("That motion is not an exit vote on this specialist.", field="motion")
        if motion.result != MotionResult.PASSED:
            raise BusinessRuleError("The exit vote has not passed.", field="motion")
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
    specialist = _locked(specialist)
    if specialist.status != S.EXIT_PENDING:
        raise BusinessRuleError("Only a specialist flagged for exit can be kept.", field="status")
    specialist_set_status(
        specialist, S.ROSTER, as_of=on, actor=actor, rule="exit_not_confirmed", evidence={"reason": reason}
    )
    return specialist


@transaction.atomic
def specialist_voluntary_exit(specialist, *, on, actor, reason=""):
    """Voluntary exit on application (第六条 7)."""
    specialist = _locked(specialist)
    specialist_set_status(
        specialist,
        S.EXITED,
        as_of=on,
        actor=actor,
        rule="voluntary_exit",
        evidence={"reason": reason},
        exited_on=on,
        exit_decision=(reason or "voluntary")[:300],
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
    specialist = _locked(specialist)
    if specialist.status != S.ROSTER:
        raise BusinessRuleError("Only a roster specialist can apply to return to the general list.", field="status")
    months = three_consecutive_active_months(specialist, since=specialist.status_since, until=on)
    if not months:
        raise BusinessRuleError(
            "Returning needs activity in each of 3 consecutive calendar months since joining the roster.",
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


# ---- Points: 附件一 -------------------------------------------------------------------------


def rule_points(rule, *, quantity=None, amount=None, level=""):
    """Points a 附件一 rule gives: each × quantity, floor(amount / per_amount) × points, or by level."""
    if rule.kind == RuleKind.PER_AMOUNT:
        if amount is None:
            raise BusinessRuleError(f"{rule.name} is scored on an amount in yuan.", field="amount")
        amount = Decimal(amount)
        if amount <= 0:
            raise BusinessRuleError("The amount must be positive.", field="amount")
        return int(amount // rule.per_amount) * rule.points
    quantity = 1 if quantity is None else quantity
    if quantity < 1:
        raise BusinessRuleError(_("The quantity must be at least 1."), field="quantity")
    if rule.kind == RuleKind.BY_LEVEL:
        if level not in rule.levels:
            choices = ", ".join(rule.levels)
            raise BusinessRuleError(f"{rule.name} needs a level: one of {choices}.", field="level")
        return int(rule.levels[level]["points"]) * quantity
    return rule.points * quantity


def _rule(code_or_rule):
    if isinstance(code_or_rule, PointRule):
        return code_or_rule
    rule = PointRule.objects.filter(code=code_or_rule, active=True).first()
    if rule is None:
        raise BusinessRuleError(f"Unknown point rule {code_or_rule!r}.", field="rule")
    return rule


@transaction.atomic
def activity_record(
    specialist,
    *,
    rule,
    occurred_on,
    actor,
    quantity=None,
    amount=None,
    level="",
    activity=None,
    description="",
    source_document=None,
    idempotency_key=None,
):
    """Credit a 附件一 activity to a specialist. Returns the ledger entry (the existing one for a repeated key).

    Side effects: one ledger entry (the trigger updates the balance), audit.
    """
    rule = _rule(rule)
    if occurred_on > today():
        raise BusinessRuleError("The activity date cannot be in the future.", field="occurred_on")
    specialist = _locked(specialist)
    if idempotency_key:
        existing = LedgerEntry.objects.filter(specialist=specialist, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    if specialist.status in FROZEN_STATES:
        raise BusinessRuleError("This specialist has left the programme; their points are frozen.", field="specialist")
    points = rule_points(rule, quantity=quantity, amount=amount, level=level)
    entry = LedgerEntry(
        specialist=specialist,
        kind=EntryKind.ACTIVITY,
        points=points,
        rule=rule,
        quantity=None if rule.kind == RuleKind.PER_AMOUNT else (quantity or 1),
        amount=amount if rule.kind == RuleKind.PER_AMOUNT else None,
        level=level or "",
        activity=activity,
        occurred_on=occurred_on,
        description=description,
        idempotency_key=idempotency_key or None,
        recorded_by=actor,
    )
    if source_document:
        entry.source_document = source_document
    entry.save()
    audit.record("specialist.points", specialist, actor=actor, rule=rule.code, points=points, entry=entry.pk)
    return entry


@transaction.atomic
def ledger_reverse(entry, *, on, actor, reason):
    """Correct an entry by a reversing entry (the ledger is append-only). Refused if the points are spent."""
    if not (reason or "").strip():
        raise BusinessRuleError("Say why the entry is reversed.", field="reason")
    specialist = _locked(entry.specialist)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    if entry.kind not in (EntryKind.ACTIVITY,):
        raise BusinessRuleError("Only activity entries are corrected this way.", field="entry")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise BusinessRuleError("This entry has already been reversed.", field="entry")
    if entry.points == 0:
        raise BusinessRuleError("A zero-point entry needs no reversal.", field="entry")
    if specialist.balance - entry.points < 0:
        raise BusinessRuleError("The points have already been spent; the balance cannot go negative.", field="entry")
    reversal = LedgerEntry.objects.create(
        specialist=specialist,
        kind=EntryKind.CORRECTION,
        points=-entry.points,
        rule=entry.rule,
        occurred_on=on,
        description=reason[:300],
        reverses=entry,
        recorded_by=actor,
    )
    audit.record("specialist.points_reversed", specialist, actor=actor, entry=entry.pk, reason=reason)
    return reversal


# ---- Events and icebreakers -----------------------------------------------------------------


@transaction.atomic
def attendance_record(specialist, activity, *, actor=None):
    """Record that a specialist attended an event (idempotent). An attended event counts as activity."""
    if specialist.status in FROZEN_STATES:
        raise BusinessRuleError("This specialist has left the programme.", field="specialist")
    if activity.held_on > today():
        raise BusinessRuleError("Attendance can only be recorded once the event has taken place.", field="on")
    attendance, created = Attendance.objects.get_or_create(
        activity=activity,
        specialist=specialist,
        defaults={
            "held_on": activity.held_on,
            "is_icebreaker": activity.kind == ActivityKind.ICEBREAKER,
            "recorded_by": actor,
        },
    )
    if created:
        audit.record("specialist.attended", specialist, actor=actor, activity=activity.pk, held_on=activity.held_on)
    return attendance


def icebreaker_record(specialist, *, on, actor=None):
    """第六条 2 / 第七条 1: the specialist attended an icebreaker on `on` (the day's icebreaker event)."""
    activity = Activity.objects.filter(kind=ActivityKind.ICEBREAKER, held_on=on).order_by("pk").first()
    if activity is None:
        activity = Activity.objects.create(kind=ActivityKind.ICEBREAKER, held_on=on, title=f"破冰活动 {on:%Y-%m-%d}")
    return attendance_record(specialist, activity, actor=actor)


# ---- Redemption: 附件二 ---------------------------------------------------------------------


def reward_cost(reward, *, balance, quantity=1, price=None, cash_points=None):
    """(points, cash_yuan) a redemption costs under 附件二; raises BusinessRuleError when not allowed."""
    if reward.kind == RewardKind.CASH:
        # 现金: 超 200 分后二比一兑换 — only the points above the floor, in whole yuan.
        if cash_points is None or cash_points <= 0:
            raise BusinessRuleError(_("Say how many points to cash."), field="cash_points")
        if cash_points % reward.rate:
            raise BusinessRuleError(
                _("Cash is paid at %(rate)s points per yuan.") % {"rate": reward.rate}, field="cash_points"
            )
        cashable = max(balance - reward.floor, 0)
        if cash_points > cashable:
            raise BusinessRuleError(
                _("Only points above %(floor)s can be cashed: at most %(most)s.")
                % {"floor": reward.floor, "most": cashable - cashable % reward.rate},
                field="cash_points",
            )
        return cash_points, Decimal(cash_points) / reward.rate
    if quantity is None:
        quantity = 1
    if quantity < 1:
        raise BusinessRuleError(_("The quantity must be at least 1."), field="quantity")
    if reward.kind == RewardKind.HALF_PRICE:
        # 丛书: 一半分值兑换 (80 yuan → 40 points); an odd half rounds up.
        if price is None or Decimal(price) <= 0:
            raise BusinessRuleError(_("Give the book's price in yuan."), field="price")
        return math.ceil(Decimal(price) / 2) * quantity, None
    return reward.cost * quantity, None


def _reward(code_or_reward):
    if isinstance(code_or_reward, Reward):
        return code_or_reward
    reward = Reward.objects.filter(code=code_or_reward, active=True).first()
    if reward is None:
        raise BusinessRuleError(_("Unknown reward %(code)r.") % {"code": code_or_reward}, field="reward")
    return reward


def _check_may_spend(specialist):
    if specialist.status not in REDEEMING_STATES:
        if specialist.status in FROZEN_STATES:
            message = _("Exited or rejected specialists cannot redeem or transfer points; the balance is frozen.")
        else:
            message = _("Only general and roster specialists can redeem or transfer points.")
        raise BusinessRuleError(message, field="status")


def _require_key(idempotency_key):
    key = (idempotency_key or "").strip()
    if not key:
        raise BusinessRuleError(_("An idempotency key is required."), field="idempotency_key")
    if len(key) > 100:
        raise BusinessRuleError(_("The idempotency key is at most 100 characters."), field="idempotency_key")
    return key


def redemption_create(specialist, *, reward, idempotency_key, actor=None, quantity=1, price=None, cash_points=None):
    """Redeem points for a 附件二 reward. Returns (redemption, created).

    A repeated idempotency key returns the first redemption and records nothing.  Side effects:
    the redemption (pending), one negative ledger entry, audit.
    """
    key = _require_key(idempotency_key)
    reward = _reward(reward)
    try:
        with transaction.atomic():
            locked = _locked(specialist)
            existing = Redemption.objects.filter(specialist=locked, idempotency_key=key).first()
            if existing:
                return existing, False
            _check_may_spend(locked)
            points, cash_yuan = reward_cost(
                reward, balance=locked.balance, quantity=quantity, price=price, cash_points=cash_points
            )
            if points > locked.balance:
                raise BusinessRuleError(
                    _("Not enough points: this costs %(points)s, the balance is %(balance)s.")
                    % {"points": points, "balance": locked.balance},
                    field="points",
                )
            redemption = Redemption.objects.create(
                specialist=locked,
                reward=reward,
                quantity=1 if reward.kind == RewardKind.CASH else (quantity or 1),
                price=price,
                cash_yuan=cash_yuan,
                points=points,
                balance_after=locked.balance - points,
                idempotency_key=key,
                created_by=actor,
            )
            LedgerEntry.objects.create(
                specialist=locked,
                kind=EntryKind.REDEMPTION,
                points=-points,
                occurred_on=today(),
                description=str(reward),
                redemption=redemption,
                recorded_by=actor,
            )
            audit.record("specialist.redeemed", locked, actor=actor, reward=reward.code, points=points)
            return redemption, True
    except IntegrityError:
        # Another request with the same key won the race (possible only without the row lock).
        existing = Redemption.objects.filter(specialist=specialist, idempotency_key=key).first()
        if existing:
            return existing, False
        raise


@transaction.atomic
def redemption_fulfil(redemption, *, actor, note=""):
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status != RedemptionStatus.PENDING:
        raise BusinessRuleError("Only a pending redemption can be fulfilled.", field="status")
    redemption.status = RedemptionStatus.FULFILLED
    redemption.handled_by = actor
    redemption.handled_at = timezone.now()
    redemption.note = note or redemption.note
    redemption.save(update_fields=["status", "handled_by", "handled_at", "note"])
    audit.record("specialist.redemption_fulfilled", redemption, actor=actor)
    return redemption


@transaction.atomic
def redemption_cancel(redemption, *, actor, note=""):
    """Cancel a pending redemption and refund its points by a reversing entry."""
    specialist = _locked(redemption.specialist)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status != RedemptionStatus.PENDING:
        raise BusinessRuleError("Only a pending redemption can be cancelled.", field="status")
    original = redemption.entries.get(kind=EntryKind.REDEMPTION)
    LedgerEntry.objects.create(
        specialist=specialist,
        kind=EntryKind.REFUND,
        points=redemption.points,
        occurred_on=today(),
        description=note[:300],
        redemption=redemption,
        reverses=original,
        recorded_by=actor,
    )
    redemption.status = RedemptionStatus.CANCELLED
    redemption.handled_by = actor
    redemption.handled_at = timezone.now()
    redemption.note = note or redemption.note
    redemption.save(update_fields=["status", "handled_by", "handled_at", "note"])
    audit.record("specialist.redemption_cancelled", redemption, actor=actor, refunded=redemption.points)
    return redemption


def transfer_create(sender, *, recipient, points, idempotency_key, actor=None):
    """积分可转赠 (第十一条): move points to another active specialist. Returns (transfer, created).

    Both rows are locked in ascending id order; one atomic pair of entries; a repeated key
    returns the first transfer.
    """
    key = _require_key(idempotency_key)
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise BusinessRuleError(_("Transfer a positive whole number of points."), field="points")
    recipient_id = recipient.pk if isinstance(recipient, Specialist) else recipient
    if recipient_id == sender.pk:
        raise BusinessRuleError(_("Points cannot be transferred to yourself."), field="to")
    with transaction.atomic():
        rows = {
            s.pk: s
            for s in Specialist.objects.select_for_update().filter(pk__in=[sender.pk, recipient_id]).order_by("pk")
        }
        locked_sender = rows[sender.pk]
        existing = Transfer.objects.filter(sender=locked_sender, idempotency_key=key).first()
        if existing:
            return existing, False
        locked_recipient = rows.get(recipient_id)
        if locked_recipient is None or locked_recipient.status not in ACTIVE_STATES:
            raise BusinessRuleError(_("Points can only go to another active specialist."), field="to")
        _check_may_spend(locked_sender)
        if points > locked_sender.balance:
            raise BusinessRuleError(
                _("Not enough points: the balance is %(balance)s.") % {"balance": locked_sender.balance}, field="points"
            )
        transfer = Transfer.objects.create(
            sender=locked_sender,
            recipient=locked_recipient,
            points=points,
            balance_after=locked_sender.balance - points,
            idempotency_key=key,
            created_by=actor,
        )
        on = today()
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(
                    specialist=locked_sender,
                    kind=EntryKind.TRANSFER_OUT,
                    points=-points,
                    occurred_on=on,
                    description=str(locked_recipient),
                    transfer=transfer,
                    recorded_by=actor,
                ),
                LedgerEntry(
                    specialist=locked_recipient,
                    kind=EntryKind.TRANSFER_IN,
                    points=points,
                    occurred_on=on,
                    description=str(locked_sender),
                    transfer=transfer,
                    recorded_by=actor,
                ),
            ]
        )
        audit.record("specialist.transfer", locked_sender, actor=actor, to=locked_recipient.pk, points=points)
        return transfer, True


# ---- Organisation: liaisons, contact, committees -------------------------------------------


@transaction.atomic
def liaison_assign(specialist, liaison, *, on, actor, reason=""):
    """第三条: assign (or change) the alliance liaison; history kept, open change requests closed."""
    specialist = _locked(specialist)
    if specialist.liaison_id == liaison.pk:
        raise BusinessRuleError("That liaison is already assigned.", field="liaison")
    LiaisonAssignment.objects.filter(specialist=specialist, ended_on__isnull=True).update(ended_on=on)
    LiaisonAssignment.objects.create(specialist=specialist, liaison=liaison, started_on=on, reason=reason)
    specialist.liaison = liaison
    specialist.save(update_fields=["liaison"])
    LiaisonChangeRequest.objects.filter(specialist=specialist, status=LiaisonChangeStatus.OPEN).update(
        status=LiaisonChangeStatus.DONE, resolved_by=actor, resolved_at=timezone.now()
    )
    audit.record("specialist.liaison", specialist, actor=actor, liaison=liaison.pk, reason=reason)
    return specialist


def liaison_change_request_create(specialist, *, reason):
    """第三条: contact with the liaison is not working; the specialist asks for another."""
    if not (reason or "").strip():
        raise BusinessRuleError(_("Say why you would like another liaison."), field="reason")
    if LiaisonChangeRequest.objects.filter(specialist=specialist, status=LiaisonChangeStatus.OPEN).exists():
        raise BusinessRuleError(_("You already have an open request."), field="reason")
    request = LiaisonChangeRequest.objects.create(specialist=specialist, reason=reason.strip())
    audit.record("specialist.liaison_change_requested", specialist, actor=specialist.user)
    return request


def liaison_change_request_decline(request, *, actor):
    if request.status != LiaisonChangeStatus.OPEN:
        raise BusinessRuleError("Only an open request can be declined.", field="status")
    request.status = LiaisonChangeStatus.DECLINED
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit.record("specialist.liaison_change_declined", request.specialist, actor=actor)
    return request


def contact_record(specialist, *, staff, on, channel, notes=""):
    if on > today():
        raise BusinessRuleError("The contact date cannot be in the future.", field="contacted_on")
    return ContactLog.objects.create(specialist=specialist, staff=staff, contacted_on=on, channel=channel, notes=notes)


def membership_check(specialist, committee):
    """第五条: committee membership is capped at one third of the number of general specialists."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError("Only general specialists sit on committees.", field="specialist")
    if CommitteeMembership.objects.filter(specialist=specialist, committee=committee, ended_on__isnull=True).exists():
        raise BusinessRuleError("Already a member of this committee.", field="committee")
    members = set(CommitteeMembership.objects.filter(ended_on__isnull=True).values_list("specialist_id", flat=True))
    general = Specialist.objects.filter(status=S.GENERAL).count()
    if specialist.pk not in members and len(members) + 1 > general // 3:
        raise BusinessRuleError(
            f"Committee members may be at most one third of the {general} general specialists ({general // 3}).",
            field="specialist",
        )


@transaction.atomic
def membership_add(specialist, committee, *, on, actor, role=CommitteeRole.MEMBER):
    """Seat a general specialist on a committee, within the one-third cap. Side effects: membership, audit."""
    specialist = _locked(specialist)
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
        raise BusinessRuleError("Voting on this motion has closed.", field="motion")
    if choice not in VoteChoice.values:
        raise BusinessRuleError("Vote for, against or abstain.", field="choice")
    try:
        with transaction.atomic():
            vote = Vote.objects.create(motion=motion, voter=voter, choice=choice)
    except IntegrityError:
        raise BusinessRuleError("You have already voted on this motion.", field="motion") from None
    audit.record("specialist.vote", motion, actor=voter, choice=choice)
    return vote


@transaction.atomic
def motion_close(motion, *, on, actor):
    """Close the vote: passed when more than half of the votes cast are for."""
    motion = Motion.objects.select_for_update().get(pk=motion.pk)
    if motion.result != MotionResult.PENDING:
        raise BusinessRuleError("This motion is already decided.", field="motion")
    tally = motion_tally(motion)
    cast = sum(tally.values())
    if not cast:
        raise BusinessRuleError("No votes have been recorded.", field="motion")
    motion.result = MotionResult.PASSED if tally[VoteChoice.FOR] * 2 > cast else MotionResult.REJECTED
    motion.decided_on = on
    motion.save(update_fields=["result", "decided_on"])
    if motion.kind == MotionKind.EXCELLENT and motion.subject_id and motion.year:
        ExcellentNomination.objects.filter(specialist_id=motion.subject_id, year=motion.year).update(
            awarded=motion.result == MotionResult.PASSED, motion=motion
        )
    audit.record("specialist.motion_closed", motion, actor=actor, result=motion.result, tally=tally)
    return motion


def excellent_nominate(specialist, *, year, reason, actor):
    """第十二条: staff nominate for 优秀绿色矿山科技特别专员; the committee then votes."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError("Only general specialists take part in the selection (第七条 4).", field="specialist")
    if not (reason or "").strip():
        raise BusinessRuleError("Give the reason (service, promotion, publicity).", field="reason")
    nomination, created = ExcellentNomination.objects.get_or_create(
        year=year, specialist=specialist, defaults={"reason": reason, "nominated_by": actor}
    )
    if not created:
        raise BusinessRuleError("Already nominated for that year.", field="specialist")
    audit.record("specialist.excellent_nominated", specialist, actor=actor, year=year)
    return nomination


# ---- Paper copies -------------------------------------------------------------------------


def document_request_create(specialist, *, kind, copies=1, address=""):
    """第六条 3: a paper copy of a document, on request. General specialists only (第九条 1)."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError(_("Certificates and work IDs are issued to general specialists."), field="kind")
    if not 1 <= copies <= 10:
        raise BusinessRuleError(_("Ask for 1 to 10 copies."), field="copies")
    if DocumentRequest.objects.filter(
        specialist=specialist, kind=kind, status=DocumentRequestStatus.REQUESTED
    ).exists():
        raise BusinessRuleError(_("A request for this document is already open."), field="kind")
    request = DocumentRequest.objects.create(specialist=specialist, kind=kind, copies=copies, address=address)
    audit.record("specialist.document_requested", specialist, actor=specialist.user, kind=kind)
    return request


def document_request_mark_sent(request, *, on, actor):
    if request.status != DocumentRequestStatus.REQUESTED:
        raise BusinessRuleError("Only an open request can be marked as sent.", field="status")
    request.status = DocumentRequestStatus.SENT
    request.sent_on = on
    request.handled_by = actor
    request.save(update_fields=["status", "sent_on", "handled_by"])
    audit.record("specialist.document_sent", request.specialist, actor=actor, kind=request.kind)
    return request
