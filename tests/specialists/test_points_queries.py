"""The self-service page and /api/me/points/ read in a constant number of queries, whatever the
size of the ledger: a specialist with 5 entries and one with 200, the ledger filtered or not."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from specialists import services
from specialists.models import LedgerEntry, PointRule

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

PAGE_FILTERED = {"kind": "activity", "rule": "books", "date_from": "2023-07-01", "date_to": "2024-05-31", "page": "2"}
API_FILTERED = {"kind": "activity", "rule": "books", "date_from": "2023-07-01", "page": "2"}
# Session and user; the specialist with liaison, committee and open liaison request; monthly totals
# (the chart and the ledger's size); the ledger's page; certificates; standing; rules; rewards;
# redemptions; paper copies; the header's roles and profile.  Filtered: + the rule looked up and the
# filtered ledger counted.  The API: session, user, specialist, count, the page.
URLS = [
    ("/me/points/", {}, 13),
    ("/me/points/", PAGE_FILTERED, 15),
    ("/api/me/points/", {}, 5),
    ("/api/me/points/", API_FILTERED, 6),
]


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2024, 6, 1, 10, 0, tzinfo=dt.UTC))


def _specialist_with_ledger(entries, recorder):
    """A general specialist with `entries` ledger entries over the last two years, a redemption and a
    transfer among them (so every kind of row the page joins is there)."""
    specialist = SpecialistFactory()
    books = PointRule.objects.get(code="books")
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            specialist=specialist,
            kind="activity",
            points=10,
            rule=books,
            quantity=10,
            occurred_on=dt.date(2024, 5, 28) - dt.timedelta(days=3 * i),
        )
        for i in range(entries - 2)
    )
    services.redemption_create(specialist, reward="office_gift", idempotency_key=f"q-{entries}")
    services.transfer_create(specialist, recipient=SpecialistFactory(), points=5, idempotency_key=f"t-{entries}")
    assert LedgerEntry.objects.filter(specialist=specialist).count() == entries
    return specialist


def _queries(client, specialist, url, params):
    client.force_login(specialist.user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries.captured_queries)


@pytest.mark.parametrize(("url", "params", "expected"), URLS, ids=["page", "page-filtered", "api", "api-filtered"])
def test_my_points_query_count_does_not_grow_with_the_ledger(client, recorder, url, params, expected):
    short = _queries(client, _specialist_with_ledger(5, recorder), url, params)
    long = _queries(client, _specialist_with_ledger(200, recorder), url, params)

    assert (short, long) == (expected, expected)


def test_my_points_page_of_a_long_ledger_shows_its_twenty_rows_with_names(
    client, recorder, django_assert_max_num_queries
):
    specialist = _specialist_with_ledger(200, recorder)
    client.force_login(specialist.user)

    with django_assert_max_num_queries(13):
        response = client.get("/me/points/")

    html = response.content.decode()
    assert html.count('<td class="num sp-') == 20
    assert "办公礼品" in html  # the redemption's reward, joined on the first page
    assert (response.context["ledger"].paginator.count, response.context["ledger"].paginator.num_pages) == (200, 10)
