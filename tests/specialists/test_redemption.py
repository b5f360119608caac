import datetime as dt
from decimal import Decimal

import pytest

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import EntryKind, RedemptionStatus, SpecialistStatus
from specialists.models import LedgerEntry, Redemption, Specialist, Transfer

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db


def _balance(specialist):
    return Specialist.objects.get(pk=specialist.pk).balance


# 附件二, every reward with the seed's numbers: (code, kwargs, points)
SEED_REWARDS = [
    ("office_gift", {}, 20),
    ("book", {"price": Decimal("80")}, 40),
    ("member_training_seat", {}, 80),
    ("member_conference_seat", {}, 60),
    ("free_training_seat", {}, 200),
    ("free_conference_seat", {}, 200),
    ("cash", {"cash_points": 100}, 100),
]


@pytest.mark.parametrize(("code", "kwargs", "points"), SEED_REWARDS)
def test_redemption_costs_every_seed_reward(specialist, credit, code, kwargs, points):
    credit(specialist, 300)

    redemption, created = services.redemption_create(specialist, reward=code, idempotency_key="r1", **kwargs)

    assert created
    assert redemption.points == points
    assert redemption.balance_after == 300 - points
    assert redemption.status == RedemptionStatus.PENDING
    assert _balance(specialist) == 300 - points


@pytest.mark.parametrize(
    ("price", "quantity", "points"), [("80", 1, 40), ("81", 1, 41), ("45.50", 1, 23), ("80", 3, 120)]
)
def test_book_costs_half_the_price_rounded_up(specialist, credit, price, quantity, points):
    credit(specialist, 200)

    redemption, _ = services.redemption_create(
        specialist, reward="book", price=Decimal(price), quantity=quantity, idempotency_key="b"
    )

    assert redemption.points == points


def test_cash_pays_two_points_per_yuan(specialist, credit):
    credit(specialist, 300)

    redemption, _ = services.redemption_create(specialist, reward="cash", cash_points=100, idempotency_key="c")

    assert redemption.cash_yuan == Decimal("50")
    assert _balance(specialist) == 200


@pytest.mark.parametrize(("balance", "cash_points"), [(300, 102), (200, 2), (201, 2), (150, 2), (300, 3)])
def test_cash_refused_below_floor_or_at_odd_points(specialist, credit, balance, cash_points):
    credit(specialist, balance)

    with pytest.raises(BusinessRuleError) as exc:
        services.redemption_create(specialist, reward="cash", cash_points=cash_points, idempotency_key="c")

    assert exc.value.field == "cash_points"
    assert _balance(specialist) == balance
    assert not Redemption.objects.exists()


def test_cash_of_exactly_the_points_above_200_is_allowed(specialist, credit):
    credit(specialist, 202)

    services.redemption_create(specialist, reward="cash", cash_points=2, idempotency_key="c")

    assert _balance(specialist) == 200


def test_redemption_refused_when_balance_too_low(specialist, credit):
    credit(specialist, 19)

    with pytest.raises(BusinessRuleError) as exc:
        services.redemption_create(specialist, reward="office_gift", idempotency_key="g")

    assert exc.value.field == "points"
    assert _balance(specialist) == 19


@pytest.mark.parametrize(
    "status",
    [SpecialistStatus.EXITED, SpecialistStatus.REJECTED, SpecialistStatus.PROBATION, SpecialistStatus.APPLICANT],
)
def test_redemption_and_transfer_refused_outside_general_and_roster(credit, status):
    specialist = SpecialistFactory()
    other = SpecialistFactory()
    credit(specialist, 100)
    Specialist.objects.filter(pk=specialist.pk).update(status=status)
    specialist.refresh_from_db()

    with pytest.raises(BusinessRuleError):
        services.redemption_create(specialist, reward="office_gift", idempotency_key="g")
    with pytest.raises(BusinessRuleError):
        services.transfer_create(specialist, recipient=other, points=10, idempotency_key="t")

    assert _balance(specialist) == 100


@pytest.mark.parametrize("status", [SpecialistStatus.GENERAL, SpecialistStatus.ROSTER])
def test_general_and_roster_specialists_redeem(credit, status):
    specialist = SpecialistFactory(status=status)
    credit(specialist, 20)

    services.redemption_create(specialist, reward="office_gift", idempotency_key="g")

    assert _balance(specialist) == 0


def test_redemption_same_idempotency_key_records_once(specialist, credit):
    credit(specialist, 100)

    first, created_first = services.redemption_create(specialist, reward="office_gift", idempotency_key="same")
    second, created_second = services.redemption_create(specialist, reward="office_gift", idempotency_key="same")

    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert second.balance_after == 80
    assert _balance(specialist) == 80
    assert LedgerEntry.objects.filter(kind=EntryKind.REDEMPTION).count() == 1


def test_redemption_cancel_refunds_by_a_reversing_entry(specialist, credit, recorder):
    credit(specialist, 100)
    redemption, _ = services.redemption_create(specialist, reward="member_conference_seat", idempotency_key="m")

    services.redemption_cancel(redemption, actor=recorder, note="活动取消")

    redemption.refresh_from_db()
    refund = LedgerEntry.objects.get(kind=EntryKind.REFUND)
    assert redemption.status == RedemptionStatus.CANCELLED
    assert refund.points == 60
    assert refund.reverses.redemption == redemption
    assert _balance(specialist) == 100
    with pytest.raises(BusinessRuleError):
        services.redemption_cancel(redemption, actor=recorder)


def test_redemption_fulfil_then_cancel_is_refused(specialist, credit, recorder):
    credit(specialist, 100)
    redemption, _ = services.redemption_create(specialist, reward="office_gift", idempotency_key="g")

    services.redemption_fulfil(redemption, actor=recorder)

    with pytest.raises(BusinessRuleError):
        services.redemption_cancel(redemption, actor=recorder)
    assert _balance(specialist) == 80


def test_transfer_moves_points_as_one_pair(credit):
    sender, recipient = SpecialistFactory(), SpecialistFactory(status=SpecialistStatus.PROBATION)
    credit(sender, 50)

    transfer, created = services.transfer_create(sender, recipient=recipient, points=30, idempotency_key="t")

    assert created
    assert transfer.balance_after == 20
    assert (_balance(sender), _balance(recipient)) == (20, 30)
    assert sorted(transfer.entries.values_list("points", flat=True)) == [-30, 30]


def test_transfer_same_idempotency_key_records_once(credit):
    sender, recipient = SpecialistFactory(), SpecialistFactory()
    credit(sender, 50)

    services.transfer_create(sender, recipient=recipient, points=30, idempotency_key="t")
    again, created = services.transfer_create(sender, recipient=recipient, points=30, idempotency_key="t")

    assert not created
    assert Transfer.objects.count() == 1
    assert (_balance(sender), _balance(recipient)) == (20, 30)


@pytest.mark.parametrize(
    ("recipient_status", "points", "field"),
    [
        (SpecialistStatus.EXITED, 10, "to"),
        (SpecialistStatus.REJECTED, 10, "to"),
        (SpecialistStatus.APPLICANT, 10, "to"),
        (SpecialistStatus.GENERAL, 51, "points"),
        (SpecialistStatus.GENERAL, 0, "points"),
    ],
)
def test_transfer_refused(credit, recipient_status, points, field):
    sender, recipient = SpecialistFactory(), SpecialistFactory(status=recipient_status)
    credit(sender, 50)

    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_create(sender, recipient=recipient, points=points, idempotency_key="t")

    assert exc.value.field == field
    assert _balance(sender) == 50
    assert not Transfer.objects.exists()


def test_transfer_to_self_refused(credit):
    sender = SpecialistFactory()
    credit(sender, 50)

    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_create(sender, recipient=sender, points=5, idempotency_key="t")

    assert exc.value.field == "to"


def test_transfer_to_account_finds_recipient_by_username(credit):
    sender, recipient = SpecialistFactory(), SpecialistFactory(user__username="li")
    credit(sender, 50)

    transfer, created = services.transfer_to_account(sender, username=" li ", points=20, idempotency_key="t")

    assert created
    assert transfer.recipient == recipient
    assert (_balance(sender), _balance(recipient)) == (30, 20)


@pytest.mark.parametrize("username", ["nobody", "", "   "])
def test_transfer_to_account_unknown_username_refused(credit, username):
    sender = SpecialistFactory()
    SpecialistFactory(user__username="li")
    credit(sender, 50)

    with pytest.raises(BusinessRuleError) as exc:
        services.transfer_to_account(sender, username=username, points=5, idempotency_key="t")

    assert exc.value.field == "to"
    assert _balance(sender) == 50
    assert not Transfer.objects.exists()


def test_idempotency_key_required(specialist, credit):
    credit(specialist, 50)

    with pytest.raises(BusinessRuleError) as exc:
        services.redemption_create(specialist, reward="office_gift", idempotency_key="  ")

    assert exc.value.field == "idempotency_key"


def test_redemption_date_is_today(specialist, credit):
    credit(specialist, 50)

    services.redemption_create(specialist, reward="office_gift", idempotency_key="g")

    assert LedgerEntry.objects.get(kind=EntryKind.REDEMPTION).occurred_on <= dt.date.today() + dt.timedelta(days=1)
