"""Spending points: redemptions for 附件二 rewards and transfers between specialists (第十一条).

Each is idempotent on its key; see `common` for the lock order every write follows.
"""

import math
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.validation import MAX_POINTS, MAX_PRICE_YUAN, check_decimal, check_int, check_quantity

from ..enums import ACTIVE_STATES, FROZEN_STATES, REDEEMING_STATES, EntryKind, RedemptionStatus, RewardKind
from ..models import LedgerEntry, Redemption, Reward, Specialist, Transfer
from .common import lock_specialist, today


def reward_cost(reward, *, balance, quantity=1, price=None, cash_points=None):
    """(points, cash_yuan) a redemption costs under 附件二; raises BusinessRuleError when not allowed."""
    if reward.kind == RewardKind.CASH:
        # 现金: 超 200 分后二比一兑换 — only the points above the floor, in whole yuan.
        if cash_points is None or cash_points <= 0:
            raise BusinessRuleError(_("Say how many points to cash."), field="cash_points")
        check_int(cash_points, field="cash_points", low=1, high=MAX_POINTS)
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
    quantity = check_quantity(quantity)
    if reward.kind == RewardKind.HALF_PRICE:
        # 丛书: 一半分值兑换 (80 yuan → 40 points); an odd half rounds up.
        if price is None or Decimal(price) <= 0:
            raise BusinessRuleError(_("Give the book's price in yuan."), field="price")
        price = check_decimal(price, field="price", low=Decimal("0.01"), high=MAX_PRICE_YUAN)
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
            locked = lock_specialist(specialist)
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
        raise BusinessRuleError(_("Only a pending redemption can be fulfilled."), field="status")
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
    specialist = lock_specialist(redemption.specialist)
    redemption = Redemption.objects.select_for_update().get(pk=redemption.pk)
    if redemption.status != RedemptionStatus.PENDING:
        raise BusinessRuleError(_("Only a pending redemption can be cancelled."), field="status")
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
    audit.record("specialist.redemption_cancelled", redemption, actor=actor, refunded=redemption.points, reason=note)
    return redemption


def transfer_create(sender, *, recipient, points, idempotency_key, actor=None):
    """积分可转赠 (第十一条): move points to another active specialist. Returns (transfer, created).

    Both rows are locked in ascending id order; one atomic pair of entries; a repeated key
    returns the first transfer.
    """
    key = _require_key(idempotency_key)
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise BusinessRuleError(_("Transfer a positive whole number of points."), field="points")
    check_int(points, field="points", low=1, high=MAX_POINTS)
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


def _recipient_by_account(username):
    """The specialist who logs in as `username`; an account name no specialist uses is refused on `to`."""
    name = (username or "").strip()
    recipient = (
        Specialist.objects.filter(user__username=name).select_related("user", "committee").first() if name else None
    )
    if recipient is None:
        raise BusinessRuleError(
            _("No active specialist uses the account name %(name)s.") % {"name": username}, field="to"
        )
    return recipient


def transfer_preview(sender, *, username, points):
    """What a transfer to the account `username` would do, checked but not recorded: the self-service
    page shows it (the recipient's name, the points, the balance after) for the sender to confirm.

    Runs the checks of `transfer_create` against the present rows without locking them; the confirming
    `transfer_to_account` checks again under the lock. Returns (recipient, balance_after)."""
    if not isinstance(points, int) or isinstance(points, bool) or points <= 0:
        raise BusinessRuleError(_("Transfer a positive whole number of points."), field="points")
    check_int(points, field="points", low=1, high=MAX_POINTS)
    recipient = _recipient_by_account(username)
    if recipient.pk == sender.pk:
        raise BusinessRuleError(_("Points cannot be transferred to yourself."), field="to")
    if recipient.status not in ACTIVE_STATES:
        raise BusinessRuleError(_("Points can only go to another active specialist."), field="to")
    _check_may_spend(sender)
    if points > sender.balance:
        raise BusinessRuleError(
            _("Not enough points: the balance is %(balance)s.") % {"balance": sender.balance}, field="points"
        )
    return recipient, sender.balance - points


def transfer_to_account(sender, *, username, points, idempotency_key, actor=None):
    """`transfer_create` to the specialist who logs in as `username` (the self-service page names the
    recipient by account name; the API by id). An account name no specialist uses is refused on `to`."""
    recipient = _recipient_by_account(username)
    return transfer_create(sender, recipient=recipient.pk, points=points, idempotency_key=idempotency_key, actor=actor)
