"""The admin changelists over tables that grow without bound (the ledger, the audit log, the status
history, attendances, ...) cost the same number of queries with 2 rows as with 12, show each row
with its names, count the unfiltered table from PostgreSQL's estimate, and never scan the table
for a date hierarchy, a filter's distinct values or an unindexed search."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.admin_base import EstimatedCountPaginator, LargeTableMixin, estimated_count
from alliance.models import AuditEntry
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.models import Committee, IssuedDocument, LedgerEntry, PointRule, Reward
from tests.factories import UserFactory
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "specialists_ledgerentry",
    "alliance_auditentry",
    "specialists_statuschange",
    "specialists_attendance",
    "specialists_redemption",
    "specialists_transfer",
    "specialists_contactlog",
    "specialists_issueddocument",
    "specialists_specialist",
    "specialists_activity",
]
# Tables that grow without bound: their admin must keep to LargeTableMixin's conventions.
LARGE_TABLES = [
    "specialists.ledgerentry",
    "alliance.auditentry",
    "specialists.statuschange",
    "specialists.attendance",
    "specialists.redemption",
    "specialists.transfer",
    "specialists.contactlog",
    "specialists.issueddocument",
]


@pytest.fixture
def secretariat(db):
    return UserFactory(username="secretary", roles=["secretariat"], is_staff=True)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def grow(n, start=0):
    """`n` specialists, each with its own recorder (a staff member) and one row in every large table:
    an activity and a spending in the ledger, audit entries, a status change, an icebreaker
    attendance, a redemption, a transfer, a contact and an issued certificate."""
    names, previous = [], None
    for i in range(start, start + n):
        recorder = UserFactory(username=f"recorder{i:02d}", roles=["service_centre"], is_staff=True)
        specialist = SpecialistFactory(name=f"测试专员{i:02d}", user__username=f"member{i:02d}")
        day = dt.date(2024, 1, 2) + dt.timedelta(days=i)
        services.activity_record(specialist, rule="books", quantity=300, occurred_on=day, actor=recorder)
        services.redemption_create(specialist, reward="office_gift", idempotency_key=f"g{i}", actor=recorder)
        if previous is not None:
            services.transfer_create(specialist, recipient=previous, points=1, idempotency_key=f"t{i}")
        services.icebreaker_record(specialist, on=day, actor=recorder)
        services.contact_record(specialist, staff=recorder, on=day, channel="phone")
        services.specialist_set_status(specialist, S.ROSTER, as_of=day, actor=recorder)
        number = f"聘〔2024〕{specialist.pk:05d}号"
        IssuedDocument.objects.create(
            specialist=specialist, kind="appointment", year=2024, number=number, issued_on=day
        )
        names.append(specialist.name)
        previous = specialist
    return names


def changelist(client, model, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(f"admin:{model}_changelist"), params or {})
    assert response.status_code == 200, model
    return response, [q["sql"] for q in queries.captured_queries]


def query_counts(client):
    counts = {}
    for model in CHANGELISTS:
        changelist(client, model)  # the first request of a session warms caches (content types, ...)
        counts[model] = len(changelist(client, model)[1])
    return counts


@pytest.mark.parametrize("who", ["superuser", "secretariat"])
def test_changelist_queries_do_not_grow_with_the_rows(client, request, who):
    client.force_login(request.getfixturevalue(who))
    grow(2)
    few = query_counts(client)

    names = grow(10, start=2)
    many = query_counts(client)

    assert many == few
    for model in CHANGELISTS:
        content = changelist(client, model)[0].content.decode()
        shown = [name for name in names if name in content]
        if model == "alliance_auditentry":
            assert "recorder11" in content  # the actor of the newest entries, by name
        elif model == "specialists_activity":
            assert "2024-01-12" in content or "2024年1月12日" in content  # the newest icebreaker
        else:
            assert shown == names, model


def test_the_ledger_shows_its_rows_with_names(client, secretariat):
    client.force_login(secretariat)
    grow(3)

    response, _sql = changelist(client, "specialists_ledgerentry", {"kind__exact": "activity"})
    content = response.content.decode()

    assert response.context["cl"].result_count == 3
    for i in range(3):
        assert f"测试专员{i:02d}" in content
        assert f"recorder{i:02d}" in content
    assert PointRule.objects.get(code="books").name in content


@pytest.mark.parametrize("model", ["specialists_ledgerentry", "alliance_auditentry"])
def test_unfiltered_count_is_the_estimate_without_a_count_of_the_table(client, secretariat, monkeypatch, model):
    client.force_login(secretariat)
    grow(3)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(model)}")
    rows = (LedgerEntry if model == "specialists_ledgerentry" else AuditEntry).objects.count()
    monkeypatch.setattr(EstimatedCountPaginator, "exact_below", 1)

    response, sql = changelist(client, model)

    assert response.context["cl"].result_count == rows  # freshly analysed: the estimate is exact
    assert response.context["cl"].full_result_count is None  # no second count of the whole table
    assert not [q for q in sql if "COUNT(" in q.upper()]
    assert not [q for q in sql if "DISTINCT" in q.upper() or "DATE_TRUNC" in q.upper()]


def test_small_or_filtered_tables_are_counted_exactly(client, secretariat):
    client.force_login(secretariat)
    grow(3)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE specialists_ledgerentry")

    unfiltered, sql = changelist(client, "specialists_ledgerentry")  # 3 rows: below exact_below
    filtered = LedgerEntry.objects.filter(kind="activity")

    assert unfiltered.context["cl"].result_count == LedgerEntry.objects.count()
    assert [q for q in sql if "COUNT(" in q.upper()]
    assert estimated_count(filtered) is None
    assert estimated_count(LedgerEntry.objects.all()) == LedgerEntry.objects.count()


def test_no_changelist_scans_its_table_for_dates_or_filter_choices(client, secretariat):
    client.force_login(secretariat)
    grow(2)

    for model in CHANGELISTS:
        _response, sql = changelist(client, model)
        assert not [q for q in sql if "DATE_TRUNC" in q.upper() or "SELECT DISTINCT" in q.upper()], model


def test_the_ledger_narrows_by_year_from_the_first_to_the_last(client, secretariat):
    client.force_login(secretariat)
    names = grow(2)
    late = SpecialistFactory(name="晚来专员")
    services.activity_record(late, rule="books", quantity=1, occurred_on=dt.date(2025, 3, 1), actor=secretariat)

    listed = changelist(client, "specialists_ledgerentry")[0].content.decode()
    response, sql = changelist(client, "specialists_ledgerentry", {"occurred_on__year": "2025"})
    content = response.content.decode()

    assert "?occurred_on__year=2024" in listed and "?occurred_on__year=2025" in listed
    assert "晚来专员" in content and not any(name in content for name in names)
    assert [q for q in sql if "BETWEEN" in q.upper()]  # a range on the indexed date, not EXTRACT(year)


def test_the_ledger_is_searched_by_login_name_prefix(client, secretariat):
    client.force_login(secretariat)
    grow(12)

    response = changelist(client, "specialists_ledgerentry", {"q": "member1"})[0]
    content = response.content.decode()

    assert (
        response.context["cl"].result_count
        == LedgerEntry.objects.filter(specialist__user__username__startswith="member1").count()
    )
    assert "测试专员10" in content and "测试专员11" in content and "测试专员02" not in content


def test_the_audit_log_is_searched_by_action_prefix(client, secretariat):
    client.force_login(secretariat)
    grow(2)

    response = changelist(client, "alliance_auditentry", {"q": "specialist.points"})[0]

    expected = AuditEntry.objects.filter(action__startswith="specialist.points").count()
    assert expected and response.context["cl"].result_count == expected


def test_issued_certificates_are_found_by_number_prefix(client, secretariat):
    client.force_login(secretariat)
    grow(2)
    number = IssuedDocument.objects.order_by("pk").first().number

    response = changelist(client, "specialists_issueddocument", {"q": number})[0]

    assert response.context["cl"].result_count == 1
    assert number in response.content.decode()


@pytest.mark.parametrize("label", LARGE_TABLES)
def test_large_table_admins_keep_to_the_conventions(label):
    from django.apps import apps

    model = apps.get_model(label)
    model_admin = admin.site._registry[model]

    assert isinstance(model_admin, LargeTableMixin)
    assert model_admin.date_hierarchy is None
    for path in model_admin.search_fields:
        # An explicit lookup an index serves, on an indexed (or unique) column.
        *fields, lookup = path.split("__")
        assert lookup in ("startswith", "exact"), path
        field, current = None, model
        for name in fields:
            field = current._meta.get_field(name)
            current = field.related_model or current
        assert field.db_index or field.unique, path
    for spec in model_admin.list_filter:
        if isinstance(spec, str):
            # Not a column's distinct values (a scan), nor every row of a large related table.
            field = model._meta.get_field(spec)
            assert (
                field.choices
                or isinstance(field, models.BooleanField | models.DateField)
                or field.related_model in (PointRule, Reward, Committee, ContentType)
            ), spec
        elif isinstance(spec, tuple):
            assert spec[1] is not admin.RelatedOnlyFieldListFilter, spec


def test_a_later_page_shows_the_same_rows_as_the_plain_slice(client, secretariat, monkeypatch):
    client.force_login(secretariat)
    grow(3)
    monkeypatch.setattr(admin.site._registry[LedgerEntry], "list_per_page", 4)
    expected = list(LedgerEntry.objects.order_by("-occurred_on", "-pk").values_list("pk", flat=True)[4:8])

    response, sql = changelist(client, "specialists_ledgerentry", {"p": "2"})

    assert [entry.pk for entry in response.context["cl"].result_list] == expected
    # the page's keys first (no joins while skipping rows), then those rows with their names
    assert [q for q in sql if "OFFSET 4" in q and "JOIN" not in q]
