"""The specialists' whole-table workbooks: plain rows, constant queries, local times, filters."""

import datetime as dt
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from alliance.xlsx import write_workbook
from specialists.exporters import ledger_entries
from specialists.exports import ledger_sheet, roster_sheet

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db


def _write(sheet):
    buffer = io.BytesIO()
    with CaptureQueriesContext(connection) as ctx:
        rows = write_workbook(buffer, [sheet])
    buffer.seek(0)
    return rows, len(ctx.captured_queries), load_workbook(buffer).active


def test_ledger_workbook_reads_the_same_number_of_queries_for_3_or_30_entries(credit):
    few, many = SpecialistFactory(), SpecialistFactory()
    for n in range(3):
        credit(few, 1 + n)
    for n in range(30):
        credit(many, 1 + n % 5)

    rows_few, queries_few, _ = _write(ledger_sheet(ledger_entries({"specialist": few.pk})))
    rows_all, queries_all, _ = _write(ledger_sheet())

    assert (rows_few, rows_all) == (3, 33)
    assert queries_few == queries_all == 1


def test_roster_workbook_reads_one_query_whatever_the_size():
    SpecialistFactory.create_batch(2)
    _rows, two, _ = _write(roster_sheet())
    SpecialistFactory.create_batch(20)

    rows, twenty_two, sheet = _write(roster_sheet())

    assert rows == 22
    assert two == twenty_two == 1
    assert sheet.cell(row=2, column=5).value in {"试用期", "一般特别专员", "名册专员", "申请中"}  # status in Chinese


def test_ledger_workbook_shows_when_an_entry_was_recorded_in_beijing_time(credit, specialist):
    with time_machine.travel(dt.datetime(2026, 3, 1, 20, 30, tzinfo=dt.UTC), tick=False):
        credit(specialist, 2)

    _rows, _queries, sheet = _write(ledger_sheet())

    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert header[-1] == "录入时间（北京时间）"
    assert row[-1] == dt.datetime(2026, 3, 2, 4, 30)  # 20:30 UTC is 04:30 the next morning in Beijing
    assert row[4] == "活动"  # the entry's kind in Chinese, not its code
    assert row[5] == "books"


def test_ledger_export_limited_to_a_date_range_and_a_person(credit):
    alice, bob = SpecialistFactory(), SpecialistFactory()
    for day in (dt.date(2024, 1, 5), dt.date(2024, 3, 5), dt.date(2024, 6, 5)):
        credit(alice, 1, on=day)
        credit(bob, 1, on=day)

    entries = ledger_entries({"date_from": "2024-02-01", "date_to": "2024-05-31", "specialist": alice.pk})

    assert [(e.specialist_id, e.occurred_on) for e in entries] == [(alice.pk, dt.date(2024, 3, 5))]


def _export_job(user, params=None):
    from alliance.models import ExportJob

    return ExportJob.objects.create(exporter="specialists.ledger", params=params or {}, requested_by=user)


def test_export_job_runs_the_same_queries_for_10_or_60_entries(credit, staff_user, monkeypatch):
    """Progress goes to the cache every few thousand rows: the job's queries do not grow with its size."""
    from alliance import exports, xlsx

    monkeypatch.setattr(xlsx, "PROGRESS_EVERY", 5)  # a report every 5 rows, as every 5,000 in production
    alice = SpecialistFactory()
    for n in range(10):
        credit(alice, 1 + n % 3)
    small = _export_job(staff_user)
    with CaptureQueriesContext(connection) as few:
        exports.export_run(small)
    for n in range(50):
        credit(alice, 1 + n % 3)
    large = _export_job(staff_user)
    with CaptureQueriesContext(connection) as many:
        exports.export_run(large)

    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.status, small.rows_done, large.status, large.rows_done) == ("done", 10, "done", 60)
    assert len(few.captured_queries) == len(many.captured_queries)


def test_progress_of_a_running_export_is_read_from_what_the_worker_reported(client, staff_user, monkeypatch):
    from django.core.cache import cache

    from alliance import exports

    job = _export_job(staff_user)
    job.status = "running"
    job.save(update_fields=["status"])
    exports._report_progress(job.pk, 15_000)
    client.force_login(staff_user)

    status = client.get(f"/exports/{job.pk}/status.json").json()

    assert (status["status"], status["rows_done"]) == ("running", 15_000)
    cache.delete(exports._progress_key(job.pk))
