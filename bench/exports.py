"""Benchmark: the whole-ledger export job against a bare openpyxl dump of the same rows.

Target (performance issue): the ledger export of 100,000 entries, run as the export job runs it
(`alliance.exports.export_run`: read, write the workbook, report progress, store the file), takes
at most 1.5× the time of the floor — a bare openpyxl write-only dump of the same columns read
with one `values_list()` cursor — measured in the same run, with a peak RSS under 100 MB and a
number of queries that does not depend on the number of rows (the export limited to a date
range, a fraction of the rows, runs the same queries).

Each measurement runs in a fresh Python process (so peak RSS is its own), the two alternating,
ROUNDS times; medians are reported.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/exports.py

Uses `alliance_bench_export` (or BENCH_DB): loads 5,000 specialists × 20 entries and drops it at the end.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "alliance_bench_export")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    bench_database_url,
    create_database,
    drop_database,
    load,
    log,
    setup_django,
)

SPECIALISTS = 5_000  # × 20 entries each = 100,000 ledger entries
ROUNDS = 3
MAX_FACTOR = 1.5
MAX_RSS_MB = 100
SMALL_FROM = "2025-01-01"  # the entries since then: a fraction of the ledger, for the query-count check


def floor(date_from):
    """The same columns straight from one cursor into a write-only workbook: nothing else."""
    from openpyxl import Workbook

    from specialists.models import LedgerEntry

    rows = (
        LedgerEntry.objects.filter(occurred_on__gte=date_from or "2000-01-01")
        .order_by("specialist_id", "occurred_on", "id")
        .values_list(
            "id",
            "specialist_id",
            "specialist__name",
            "occurred_on",
            "kind",
            "rule__code",
            "rule__name",
            "quantity",
            "amount",
            "level",
            "points",
            "description",
            "reverses_id",
            "recorded_by__username",
            "recorded_at",
        )
        .iterator(chunk_size=5000)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("积分台账")
    count = 0
    for row in rows:
        ws.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v.tzinfo else v for v in row])
        count += 1
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
    return count


def export(date_from):
    """The real job: ExportJob row, export_run (progress, workbook, file saved to media)."""
    from django.contrib.auth import get_user_model

    from alliance.exports import export_run
    from alliance.models import ExportJob

    staff = get_user_model().objects.filter(is_superuser=True).first()
    job = ExportJob.objects.create(
        exporter="specialists.ledger", requested_by=staff, params={"date_from": date_from} if date_from else {}
    )
    job = export_run(job)
    assert job.status == "done", job.error
    rows = job.rows_done
    job.file.delete(save=False)
    job.delete()
    return rows


def _maxrss_mb():
    """This process's peak RSS (VmHWM): getrusage's ru_maxrss is kept across execve, so in a child of
    the loading parent it would report the parent's peak."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(mode, date_from):
    """Run one measurement in this process and print it as JSON.

    The process starts as a worker does: Django set up, the exporters registered, no migrate (the
    parent migrated; loading the migration graph alone peaks at ~145 MB, more than any export).
    `base_mb` is the peak RSS before the export, `rss_mb` the peak after it.
    """
    os.environ["DATABASE_URL"] = bench_database_url()[0]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import alliance.exports

    alliance.exports.autodiscover()
    import openpyxl  # noqa: F401 - the floor's import too: both start from the same base

    base_mb = _maxrss_mb()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        rows = (floor if mode == "floor" else export)(date_from)
    seconds = time.perf_counter() - started
    rss_mb = _maxrss_mb()
    print(
        json.dumps(
            {"mode": mode, "rows": rows, "seconds": seconds, "rss_mb": rss_mb, "base_mb": base_mb, "queries": len(ctx)}
        )
    )


def measure(mode, date_from=""):
    output = subprocess.check_output(
        [sys.executable, __file__, "--one", mode, "--date-from", date_from], cwd=Path(__file__).resolve().parent.parent
    )
    return json.loads(output.decode().strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=["floor", "export"])
    parser.add_argument("--date-from", default="")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.one:
        one(args.one, args.date_from)
        return 0
    create_database(fresh=True)
    setup_django()
    log(f"loading {SPECIALISTS:,} specialists")
    load(SPECIALISTS)
    from django.contrib.auth import get_user_model
    from django.db import connection

    if not get_user_model().objects.filter(is_superuser=True).exists():
        get_user_model().objects.create_superuser("bench_admin", "", "bench-Secret-4711")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()
    runs = {"floor": [], "export": []}
    for round_ in range(ROUNDS):
        for mode in ("floor", "export"):
            result = measure(mode)
            log(f"round {round_ + 1}: {mode} {result}")
            runs[mode].append(result)
    small = measure("export", SMALL_FROM)
    median = {
        m: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "rss_mb", "base_mb")} for m, rs in runs.items()
    }
    factor = median["export"]["seconds"] / median["floor"]["seconds"]
    checks = {
        f"export <= {MAX_FACTOR}x the bare dump": factor <= MAX_FACTOR,
        f"export peak RSS < {MAX_RSS_MB} MB": median["export"]["rss_mb"] < MAX_RSS_MB,
        "queries independent of the rows": small["queries"] == runs["export"][0]["queries"],
    }
    summary = {
        "rows": runs["export"][0]["rows"],
        "median_seconds": {m: round(v["seconds"], 2) for m, v in median.items()},
        "median_peak_rss_mb": {m: round(v["rss_mb"], 1) for m, v in median.items()},
        "median_rss_before_mb": {m: round(v["base_mb"], 1) for m, v in median.items()},
        "queries": {
            f"export of {small['rows']:,} rows": small["queries"],
            f"export of {runs['export'][0]['rows']:,} rows": runs["export"][0]["queries"],
        },
        "factor_vs_floor": round(factor, 2),
        "checks": checks,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.keep:
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
