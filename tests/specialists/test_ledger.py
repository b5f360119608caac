import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import EntryKind, SpecialistStatus
from specialists.models import LedgerEntry, Specialist

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db
ON = dt.date(2024, 5, 6)


def _balance(specialist):
    return Specialist.objects.get(pk=specialist.pk).balance


# 附件一, every rule with the seed's own numbers: (code, quantity, amount, level, points)
SEED_RULES = [
    ("knowledge_contest", None, None, "", 3),
    ("recruit_specialist", 2, None, "", 10),
    ("equipment_selected", 1, None, "", 5),
    ("technology_selected", 1, None, "", 5),
    ("recommend_appraisal", 1, None, "", 10),
    ("appraisal_amount", None, "12345", "", 123),
    ("recommend_award", 1, None, "", 5),
    ("recommend_major_award", 1, None, "", 10),
    ("green_certification", 1, None, "", 15),
    ("books", 7, None, "", 7),
    ("book_topic", 1, None, "", 20),
    ("recommend_member", 1, None, "ordinary", 5),
    ("recommend_member", 1, None, "director", 10),
    ("recommend_member", 1, None, "standing_director", 15),
    ("recommend_member", 2, None, "vice_chairman", 40),
    ("group_standard", 1, None, "", 20),
    ("recommend_trainee", 1, None, "", 5),
    ("attend_training", 1, None, "", 10),
    ("sponsorship", None, "5000", "", 50),
    ("membership_fee", None, "199.99", "", 1),
    ("recommend_sponsorship", 1, None, "", 15),
    ("ordinary_share", 1, None, "", 1),
    ("targeted_push", 1, None, "", 3),
    ("conference_speaker", 1, None, "", 5),
    ("activity_judge", 1, None, "", 5),
    ("recommend_undertaker", 1, None, "", 5),
    ("training_lecturer", 1, None, "", 10),
    ("book_writing", 1, None, "", 5),
    ("standard_drafting", 1, None, "", 5),
]


@pytest.mark.parametrize(("code", "quantity", "amount", "level", "points"), SEED_RULES)
def test_activity_record_scores_every_seed_rule(specialist, recorder, code, quantity, amount, level, points):
    entry = services.activity_record(
        specialist, rule=code, quantity=quantity, amount=amount, level=level, occurred_on=ON, actor=recorder
    )

    assert entry.points == points
    assert entry.kind == EntryKind.ACTIVITY
    assert entry.recorded_by == recorder
    assert _balance(specialist) == points


def test_per_amount_rule_below_100_yuan_records_zero_points(specialist, recorder):
    entry = services.activity_record(
        specialist, rule="sponsorship", amount=Decimal("99"), occurred_on=ON, actor=recorder
    )

    assert entry.points == 0
    assert _balance(specialist) == 0


@pytest.mark.parametrize(
    ("code", "kwargs", "field"),
    [
        ("sponsorship", {}, "amount"),
        ("sponsorship", {"amount": "-5"}, "amount"),
        ("recommend_member", {}, "level"),
        ("recommend_member", {"level": "president"}, "level"),
        ("books", {"quantity": 0}, "quantity"),
        ("no_such_rule", {}, "rule"),
    ],
)
def test_activity_record_bad_input_names_the_field_and_writes_nothing(specialist, recorder, code, kwargs, field):
    with pytest.raises(BusinessRuleError) as exc:
        services.activity_record(specialist, rule=code, occurred_on=ON, actor=recorder, **kwargs)

    assert exc.value.field == field
    assert LedgerEntry.objects.count() == 0


def test_activity_record_refused_for_exited_specialist(recorder):
    specialist = SpecialistFactory(status=SpecialistStatus.EXITED)

    with pytest.raises(BusinessRuleError):
        services.activity_record(specialist, rule="books", occurred_on=ON, actor=recorder)


def test_activity_record_same_idempotency_key_records_once(specialist, recorder):
    first = services.activity_record(
        specialist, rule="books", quantity=3, occurred_on=ON, actor=recorder, idempotency_key="import-7"
    )
    second = services.activity_record(
        specialist, rule="books", quantity=3, occurred_on=ON, actor=recorder, idempotency_key="import-7"
    )

    assert first.pk == second.pk
    assert _balance(specialist) == 3


def test_ledger_entry_update_is_refused_by_the_database(specialist, credit):
    entry = credit(specialist, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(points=500)

    assert LedgerEntry.objects.get(pk=entry.pk).points == 5


def test_ledger_entry_delete_is_refused_by_the_database(specialist, credit):
    entry = credit(specialist, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).delete()

    assert LedgerEntry.objects.filter(pk=entry.pk).exists()


def test_balance_not_equal_to_ledger_is_refused_by_the_database(specialist, credit):
    credit(specialist, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        Specialist.objects.filter(pk=specialist.pk).update(balance=500)

    assert _balance(specialist) == 5


def test_negative_balance_is_refused_by_the_database(specialist, credit):
    credit(specialist, 5)

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(specialist=specialist, kind=EntryKind.CORRECTION, points=-6, occurred_on=ON)

    assert _balance(specialist) == 5


def test_duplicate_ledger_idempotency_key_is_refused_by_the_database(specialist, credit):
    credit(specialist, 5)
    LedgerEntry.objects.create(
        specialist=specialist, kind=EntryKind.TRANSFER_IN, points=1, occurred_on=ON, idempotency_key="k"
    )

    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            specialist=specialist, kind=EntryKind.TRANSFER_IN, points=1, occurred_on=ON, idempotency_key="k"
        )


def test_saving_a_stale_specialist_keeps_the_ledger_balance(specialist, credit):
    stale = Specialist.objects.get(pk=specialist.pk)
    credit(specialist, 5)

    stale.name = "改名"
    stale.save()

    assert _balance(specialist) == 5


def test_ledger_reverse_records_a_negative_entry(specialist, credit, recorder):
    entry = credit(specialist, 5)

    reversal = services.ledger_reverse(entry, on=ON, actor=recorder, reason="重复录入")

    assert reversal.points == -5
    assert reversal.reverses == entry
    assert _balance(specialist) == 0
    with pytest.raises(BusinessRuleError):
        services.ledger_reverse(entry, on=ON, actor=recorder, reason="again")


def test_ledger_reverse_refused_when_points_are_spent(specialist, credit, recorder):
    entry = credit(specialist, 20)
    services.redemption_create(specialist, reward="office_gift", idempotency_key="a")

    with pytest.raises(BusinessRuleError):
        services.ledger_reverse(entry, on=ON, actor=recorder, reason="wrong")

    assert _balance(specialist) == 0
