"""The points ledger (附件一): activities credited by rule, reversals, and event attendance.

The ledger is append-only; see `common` for the lock order every write follows.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.validation import (
    check_amount,
    check_date,
    check_entry_points,
    check_not_before,
    check_quantity,
)

from ..enums import FROZEN_STATES, ActivityKind, EntryKind, RuleKind
from ..models import Activity, Attendance, LedgerEntry, PointRule
from .common import lock_specialist, today


def rule_points(rule, *, quantity=None, amount=None, level=""):
    """Points a 附件一 rule gives: each × quantity, floor(amount / per_amount) × points, or by level."""
    if rule.kind == RuleKind.PER_AMOUNT:
        if amount is None:
            raise BusinessRuleError(
                _("%(name)s is scored on an amount in yuan: enter the amount.") % {"name": rule.name}, field="amount"
            )
        amount = check_amount(amount)
        return check_entry_points(int(amount // rule.per_amount) * rule.points)
    quantity = 1 if quantity is None else quantity
    if not isinstance(quantity, bool) and isinstance(quantity, int) and quantity < 1:
        raise BusinessRuleError(_("The quantity must be at least 1."), field="quantity")
    quantity = check_quantity(quantity)
    if rule.kind == RuleKind.BY_LEVEL:
        if level not in rule.levels:
            choices = "、".join(f"{code}（{v['name']}）" for code, v in rule.levels.items())
            raise BusinessRuleError(
                _("%(name)s needs a level: one of %(choices)s.") % {"name": rule.name, "choices": choices},
                field="level",
            )
        return check_entry_points(int(rule.levels[level]["points"]) * quantity)
    return check_entry_points(rule.points * quantity)


def _rule(code_or_rule):
    if isinstance(code_or_rule, PointRule):
        return code_or_rule
    rule = PointRule.objects.filter(code=code_or_rule, active=True).first()
    if rule is None:
        raise BusinessRuleError(_("Unknown point rule %(code)s.") % {"code": code_or_rule}, field="rule")
    return rule


def _check_not_future(occurred_on):
    if occurred_on > today():
        raise BusinessRuleError(_("The activity date cannot be in the future."), field="occurred_on")
    check_date(occurred_on, field="occurred_on")  # not before 2000: a typing error


def _check_not_frozen(specialist):
    if specialist.status in FROZEN_STATES:
        raise BusinessRuleError(
            _("This specialist has left the programme; their points are frozen."), field="specialist"
        )


def activity_refusals(specialist, rule, *, occurred_on, quantity=None, amount=None, level=""):
    """Every rule `activity_record` would refuse this activity on, as BusinessRuleErrors (empty when it
    may be recorded), so a form can show them all at once. A missing part (None) is not checked."""
    checks = []
    if specialist is not None:
        checks.append(lambda: _check_not_frozen(specialist))
    if rule is not None:
        checks.append(lambda: rule_points(rule, quantity=quantity, amount=amount, level=level))
    if occurred_on is not None:
        checks.append(lambda: _check_not_future(occurred_on))
    refusals = []
    for check in checks:
        try:
            check()
        except BusinessRuleError as exc:
            refusals.append(exc)
    return refusals


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
    _check_not_future(occurred_on)
    specialist = lock_specialist(specialist)
    if idempotency_key:
        existing = LedgerEntry.objects.filter(specialist=specialist, idempotency_key=idempotency_key).first()
        if existing:
            return existing
    _check_not_frozen(specialist)
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
        raise BusinessRuleError(_("Say why the entry is reversed."), field="reason")
    check_date(on, field="on")
    specialist = lock_specialist(entry.specialist)
    entry = LedgerEntry.objects.get(pk=entry.pk)
    check_not_before(
        on, entry.occurred_on, field="on", message=_("A correction cannot be dated before the entry it corrects.")
    )
    if entry.kind not in (EntryKind.ACTIVITY,):
        raise BusinessRuleError(_("Only activity entries are corrected this way."), field="entry")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise BusinessRuleError(_("This entry has already been reversed."), field="entry")
    if entry.points == 0:
        raise BusinessRuleError(_("A zero-point entry needs no reversal."), field="entry")
    if specialist.balance - entry.points < 0:
        raise BusinessRuleError(_("The points have already been spent; the balance cannot go negative."), field="entry")
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
        raise BusinessRuleError(_("This specialist has left the programme."), field="specialist")
    if activity.held_on > today():
        raise BusinessRuleError(_("Attendance can only be recorded once the event has taken place."), field="on")
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
    check_date(on, field="on")
    activity = Activity.objects.filter(kind=ActivityKind.ICEBREAKER, held_on=on).order_by("pk").first()
    if activity is None:
        activity = Activity.objects.create(kind=ActivityKind.ICEBREAKER, held_on=on, title=f"破冰活动 {on:%Y-%m-%d}")
    return attendance_record(specialist, activity, actor=actor)
