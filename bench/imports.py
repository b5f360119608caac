"""Benchmark: the activity import job at 10,000 and 50,000 rows against a bare bulk insert (the floor).

For each size, a workbook of that many rows (write-only openpyxl, every row valid, each citing its
own document) is imported through the whole job, `alliance.imports.import_run`: read the sheet,
check every row, then write in batches with the specialists locked, the ledger and audit rows
bulk-inserted and progress recorded.  In the same run the same rows are inserted with one bare
`LedgerEntry.objects.bulk_create` (no reading, checking, locking, audit or progress): the floor.
Both write with the ledger triggers on, into a ledger of 2,000 specialists × 20 entries.

Targets: the job completes 50,000 rows (the import's cap) with every row recorded once; it makes
a handful of statements per 2,000-row batch (not several per row); time(job) / time(floor) <= 10
at 50,000 rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/imports.py

The database is `alliance_bench_imports` (BENCH_DB overrides it); it is dropped at the end.
"""

import datetime as dt
import io
import json
import os
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("BENCH_DB", "alliance_bench_imports")

from bench.common import create_database, drop_database, load, log, machine, setup_django  # noqa: E402

SIZES = (10_000, 50_000)
SPECIALISTS = 2_000
MAX_RATIO = 10
HEADERS = ["用户名", "规则代码", "日期", "数量", "金额", "级别", "说明", "依据文件"]
FIRST_DAY = dt.date(2025, 7, 1)


def workbook(size, usernames, rules, tag):
    from openpyxl import Workbook

    rng = random.Random(size)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    for i in range(size):
        ws.append(
            [
                rng.choice(usernames),
                rng.choice(rules),
                FIRST_DAY + dt.timedelta(days=rng.randint(0, 150)),
                rng.randint(1, 3),
                None,
                None,
                "基准测试",
                f"{tag}-{i}",
            ]
        )
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def timed_importer(key, timings):
    """Wrap the registered importer so the run reports its phases (read+check vs write)."""
    from alliance import imports

    importer = imports.get_importer(key)

    def validate(rows):
        timings["read"] = time.perf_counter() - timings["start"]
        started = time.perf_counter()
        result = importer.validate(rows)
        timings["check"] = time.perf_counter() - started
        return result

    def write(rows, **kwargs):
        started = time.perf_counter()
        result = importer.write(rows, **kwargs)
        timings["write"] = time.perf_counter() - started
        timings["floor_rows"] = rows
        return result

    imports._registry[key] = replace(importer, validate=validate, write=write)
    return importer


def run_job(content, user, key):
    """(seconds, statements, phases, job) of one import job run in this process."""
    from django.core.files.base import ContentFile
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alliance import imports
    from alliance.models import ImportJob

    job = ImportJob(importer=key, filename="bench.xlsx", fingerprint=imports.fingerprint(io.BytesIO(content)))
    job.requested_by = user
    job.file.save("workbook.xlsx", ContentFile(content), save=False)
    job.save()
    timings = {}
    original = timed_importer(key, timings)
    by_statement = {}

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            kind = " ".join(sql.split()[:3])[:60]
            spent = by_statement.setdefault(kind, [0, 0.0])
            spent[0] += 1
            spent[1] += time.perf_counter() - started

    try:
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed):
            timings["start"] = started = time.perf_counter()
            imports.import_run(job)
            seconds = time.perf_counter() - started
    finally:
        imports._registry[key] = original
    timings["sql"] = {k: [n, round(t, 2)] for k, (n, t) in sorted(by_statement.items(), key=lambda i: -i[1][1])[:8]}
    return seconds, len(queries), timings, job


def run_floor(rows, user):
    """(seconds, statements) of one bare bulk_create of the same rows."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from specialists.models import LedgerEntry

    entries = [
        LedgerEntry(
            specialist_id=r["specialist_id"],
            kind="activity",
            points=r["points"],
            rule_id=r["rule_id"],
            quantity=r["quantity"],
            amount=r["amount"],
            level=r["level"],
            occurred_on=r["occurred_on"],
            description=r["description"],
            source_ref=r["source_ref"] + "-floor",
            recorded_by=user,
        )
        for r in rows
    ]
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        with transaction.atomic():
            LedgerEntry.objects.bulk_create(entries)
        seconds = time.perf_counter() - started
    return seconds, len(queries)


def main():
    create_database(fresh=True)
    setup_django()
    import tempfile

    from django.conf import settings

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-imports-")  # the uploaded workbooks
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Sum

    from specialists import imports as activity_imports
    from specialists.enums import ACTIVE_STATES
    from specialists.models import LedgerEntry, Specialist

    load(SPECIALISTS)
    user = get_user_model().objects.create(username="bench-importer", is_staff=True)
    usernames = list(Specialist.objects.filter(status__in=ACTIVE_STATES).values_list("user__username", flat=True))
    rules = ["books", "knowledge_contest", "attend_training", "ordinary_share", "activity_judge"]
    log(f"{SPECIALISTS:,} specialists, {LedgerEntry.objects.count():,} ledger entries loaded; {machine()}")

    results = {}
    for size in SIZES:
        content = workbook(size, usernames, rules, tag=f"b{size}")
        balance_before = Specialist.objects.aggregate(total=Sum("balance"))["total"]
        seconds, statements, timings, job = run_job(content, user, activity_imports.KEY)
        job.refresh_from_db()
        recorded = LedgerEntry.objects.filter(import_job=job)
        points = recorded.aggregate(total=Sum("points"))["total"] or 0
        balance_after = Specialist.objects.aggregate(total=Sum("balance"))["total"]
        floor_seconds, floor_statements = run_floor(timings["floor_rows"], user)
        results[size] = {
            "job_seconds": round(seconds, 2),
            "read_seconds": round(timings["read"], 2),
            "check_seconds": round(timings["check"], 2),
            "write_seconds": round(timings["write"], 2),
            "job_statements": statements,
            "floor_seconds": round(floor_seconds, 2),
            "floor_statements": floor_statements,
            "ratio_job_to_floor": round(seconds / floor_seconds, 1),
            "ratio_write_to_floor": round(timings["write"] / floor_seconds, 1),
            "sql_seconds_by_statement": timings["sql"],
            "status": job.status,
            "recorded": recorded.count(),
            "balances_add_up": balance_after - balance_before == points,
        }
        log(f"{size:,} rows: {json.dumps(results[size])}")
    large = results[SIZES[-1]]
    checks = {
        "50,000 rows in one job": large["status"] == "done" and large["recorded"] == SIZES[-1],
        "balances equal the ledger": all(r["balances_add_up"] for r in results.values()),
        "statements per batch, not per row": all(r["job_statements"] < size / 100 for size, r in results.items()),
        f"time(job) / time(floor) <= {MAX_RATIO}": large["ratio_job_to_floor"] <= MAX_RATIO,
    }
    print(json.dumps({"results": results, "checks": checks}, indent=2, ensure_ascii=False))
    connection.close()
    drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
