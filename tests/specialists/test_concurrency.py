"""Real PostgreSQL transactions from real threads, each with its own connection."""

import threading

import pytest
from django.db import connection, connections

from alliance.exceptions import BusinessRuleError
from specialists import reference, services
from specialists.models import Redemption, Specialist, Transfer

from .factories import SpecialistFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    # A transactional test starts from an emptied database: put the seed's tables back.
    reference.load()


def _run_threads(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def target(index):
        try:
            barrier.wait()
            results.append(work(index))
        except BusinessRuleError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=target, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_fifty_concurrent_redemptions_against_ten_gifts_record_exactly_ten(credit):
    specialist = SpecialistFactory()
    credit(specialist, 200)  # 10 office gifts at 20 points

    results, errors = _run_threads(
        50, lambda i: services.redemption_create(specialist, reward="office_gift", idempotency_key=f"k{i}")
    )

    assert len(results) == 10
    assert len(errors) == 40
    assert Redemption.objects.count() == 10
    assert Specialist.objects.get(pk=specialist.pk).balance == 0


def test_concurrent_requests_with_the_same_key_record_once(credit):
    specialist = SpecialistFactory()
    credit(specialist, 200)

    results, errors = _run_threads(
        20, lambda i: services.redemption_create(specialist, reward="office_gift", idempotency_key="same")
    )

    assert errors == []
    assert len({redemption.pk for redemption, _created in results}) == 1
    assert sum(created for _redemption, created in results) == 1
    assert Specialist.objects.get(pk=specialist.pk).balance == 180


def test_crosswise_transfers_do_not_deadlock_or_overspend(credit):
    a, b = SpecialistFactory(), SpecialistFactory()
    credit(a, 100)
    credit(b, 100)

    def work(i):
        sender, recipient = (a, b) if i % 2 else (b, a)
        return services.transfer_create(sender, recipient=recipient, points=7, idempotency_key=f"x{i}")

    results, errors = _run_threads(40, work)

    assert len(results) + len(errors) == 40
    assert Transfer.objects.count() == len(results)
    balances = Specialist.objects.filter(pk__in=[a.pk, b.pk]).values_list("balance", flat=True)
    assert sum(balances) == 200
    assert min(balances) >= 0
