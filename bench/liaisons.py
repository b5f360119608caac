"""Benchmark: the liaison programme's import, roster export and annual assessment (seed 002).

1. Import of the registration-form template (`liaisons.imports.import_workbook`: read, check every
   row, write in one transaction) at 2,000, 4,000 and 20,000 rows (every row a new unit with its
   liaison and a two-post résumé).  Targets: time(20,000) / time(2,000) <= 12, and the same number
   of queries per 2,000-row batch (queries = fixed + per_batch × batches, checked on the three sizes).
   The database is emptied of units between the sizes, so each import starts from the same state.
2. Roster export of the 20,000 units the last import left, run as the export job runs it
   (`alliance.exports.export_run` of "liaisons.roster": read, write, store the file), against a bare
   openpyxl write-only dump of the same rows read with the same `values_list()` cursor.  Each
   measurement runs in a fresh process (its own peak RSS), alternating, ROUNDS times; medians.
   Targets: <= 1.5× the bare dump, peak RSS < 100 MB.
3. The annual assessment (`liaisons.selectors.assessment`) of 500 and of 5,000 liaisons with duties
   (meetings, trainings, articles, feedback, fees): the same number of queries.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/liaisons.py

Uses `alliance_bench_liaisons` (or BENCH_DB) and drops it at the end (--keep keeps it).
"""

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "alliance_bench_liaisons")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import bench_database_url, create_database, drop_database, log, machine, setup_django  # noqa: E402

SIZES = (2_000, 4_000, 20_000)
MAX_IMPORT_RATIO = 12
ROUNDS = 3
MAX_EXPORT_FACTOR = 1.5
MAX_RSS_MB = 100
ASSESSED = (500, 5_000)
NATURES = ["事业", "社团", "央企", "省企", "市企", "县(区)企", "集体企业(乡镇企业)", "联营企业", "民营企业"]


def template(size, tag):
    """A filled-in template of `size` new units, written as an office would (write-only openpyxl)."""
    from openpyxl import Workbook

    from liaisons.imports import HEADERS

    rng = random.Random(size)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员单位联络员登记")
    ws.append(HEADERS)
    for i in range(size):
        ws.append(
            [
                f"基准{tag}煤业{i:06d}有限责任公司",
                rng.choice(NATURES),
                f"西安市和平路{i}号",
                "710001",
                f"联络员{i:06d}",
                rng.choice(["男", "女"]),
                "汉族",
                dt.date(1970 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28)),
                "中共党员",
                "大学本科",
                "工程师",
                "综合办公室主任",
                f"b{tag}{i:06d}@example.com",
                "029-87671711",
                f"13{rng.randint(3, 9)}{i:08d}",
                f"wx{tag}{i}",
                "710001",
                "2008.07-2015.03 某某矿业公司 技术员\n2015.04-至今 基准煤业 综合办公室主任",
                "同意推荐",
                dt.date(2025, 5, 6),
                "",
                None,
            ]
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def empty_units():
    """Every unit and what hangs on it gone (a benchmark database only)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE alliance_organisation, alliance_auditentry CASCADE")


def run_import(size, actor):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liaisons.imports import BATCH_SIZE, import_workbook

    content = template(size, tag=size)
    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        result = import_workbook(io.BytesIO(content), actor=actor)
        seconds = time.perf_counter() - started
    batches = -(-size // BATCH_SIZE)
    kinds = {}
    for query in ctx.captured_queries:
        words = query["sql"].split()
        table = next((w for w in words if w.startswith('"')), "")
        kind = f"{words[0]} {table}".strip()
        kinds[kind] = kinds.get(kind, 0) + 1
    return {
        "rows": size,
        "batches": batches,
        "seconds": round(seconds, 2),
        "queries": len(ctx),
        **result,
        "by_statement": kinds,
    }


# ---- roster export (one process per measurement) ------------------------------------------------


def floor():
    from django.db.models import FilteredRelation, Q
    from openpyxl import Workbook

    from liaisons import exports, selectors

    rows = (
        selectors.member_units()
        .annotate(current=FilteredRelation("liaisons", condition=Q(liaisons__is_active=True)))
        .order_by("name", "pk")
        .values_list(*exports.ROSTER_FIELDS)
        .iterator(chunk_size=exports.CHUNK_ROWS)
    )
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("会员单位联络员名册")
    count = 0
    for row in rows:
        ws.append(row)
        count += 1
    with tempfile.TemporaryFile() as tmp:
        wb.save(tmp)
    return count


def export():
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from alliance.exports import export_run
    from alliance.models import ExportJob

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="bench-liaisons-")
    staff = get_user_model().objects.get(username="bench-office")
    job = ExportJob.objects.create(exporter="liaisons.roster", requested_by=staff, params={})
    job = export_run(job)
    assert job.status == "done", job.error
    rows = job.rows_done
    job.file.delete(save=False)
    job.delete()
    return rows


def _maxrss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def one(mode):
    os.environ["DATABASE_URL"] = bench_database_url()[0]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    import alliance.exports
    import liaisons.exports  # noqa: F401 - registers the roster (liaisons has no exporters.py yet)

    alliance.exports.autodiscover()
    import openpyxl  # noqa: F401 - both start from the same base

    base_mb = _maxrss_mb()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx:
        rows = (floor if mode == "floor" else export)()
    seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "mode": mode,
                "rows": rows,
                "seconds": seconds,
                "rss_mb": _maxrss_mb(),
                "base_mb": base_mb,
                "queries": len(ctx),
            }
        )
    )


def measure(mode):
    output = subprocess.check_output(
        [sys.executable, __file__, "--one", mode], cwd=Path(__file__).resolve().parent.parent
    )
    return json.loads(output.decode().strip().splitlines()[-1])


# ---- assessment ------------------------------------------------------------------------------------


def duties(year, liaison_ids):
    """Meetings, trainings, articles, feedback and fees for the liaisons assessed in `year`."""
    from liaisons.models import Article, Attendance, Feedback, FeePayment, Gathering, Membership

    rng = random.Random(year)
    gatherings = Gathering.objects.bulk_create(
        [
            Gathering(kind="meeting", title=f"{year} 联络员会议", held_on=dt.date(year, 4, 1)),
            Gathering(kind="training", title=f"{year} 业务培训", held_on=dt.date(year, 9, 1)),
        ]
    )
    Attendance.objects.bulk_create(
        Attendance(gathering=g, liaison_id=pk) for pk in liaison_ids for g in gatherings if rng.random() < 0.6
    )
    Article.objects.bulk_create(
        Article(
            liaison_id=pk,
            title="稿件",
            submitted_on=dt.date(year, rng.randint(1, 12), 10),
            status=rng.choice(["adopted", "not_adopted", "pending"]),
        )
        for pk in liaison_ids
        for _ in range(rng.randint(0, 4))
    )
    Feedback.objects.bulk_create(
        Feedback(liaison_id=pk, subject="意见", body="建议", raised_on=dt.date(year, 6, 1))
        for pk in liaison_ids
        if rng.random() < 0.3
    )
    from liaisons.models import Liaison

    units = dict(Liaison.objects.filter(pk__in=liaison_ids).values_list("pk", "organisation_id"))
    Membership.objects.bulk_create(
        (Membership(organisation_id=units[pk], association="association") for pk in liaison_ids),
        ignore_conflicts=True,
    )
    memberships = Membership.objects.filter(organisation_id__in=units.values(), association="association")
    FeePayment.objects.bulk_create(
        FeePayment(
            membership=m,
            year=year,
            due_on=dt.date(year, 6, 30),
            paid_on=dt.date(year, rng.randint(3, 9), 1) if rng.random() < 0.8 else None,
        )
        for m in memberships
    )


def run_assessment():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from liaisons import selectors
    from liaisons.models import Liaison

    ids = list(Liaison.objects.order_by("pk").values_list("pk", flat=True)[: ASSESSED[-1]])
    small, rest = ids[: ASSESSED[0]], ids[ASSESSED[0] :]
    # The first 500 took up their posts in 2024 and the others in 2025: 2024 assesses 500, 2025 all 5,000.
    Liaison.objects.filter(pk__in=small).update(started_on=dt.date(2024, 1, 1))
    Liaison.objects.filter(pk__in=rest).update(started_on=dt.date(2025, 1, 1))
    duties(2024, small)
    duties(2025, ids)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    results = {}
    for year in (2024, 2025):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            rows = selectors.assessment(year)
            seconds = time.perf_counter() - started
        results[len(rows)] = {"year": year, "queries": len(ctx), "seconds": round(seconds, 2)}
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", choices=["floor", "export"])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    if args.one:
        one(args.one)
        return 0
    create_database(fresh=True)
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    office = get_user_model().objects.create(username="bench-office", is_staff=True)
    office.groups.add(Group.objects.get(name="secretariat"))
    log(machine())

    # A first small import fills the per-process caches (content types, the actor's roles) and loads the
    # code, so the sizes below compare the import's own work.
    run_import(20, office)
    imports_ = []
    for size in SIZES:
        empty_units()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        result = run_import(size, office)
        log(f"import {json.dumps(result, ensure_ascii=False)}")
        imports_.append(result)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    connection.close()

    runs = {"floor": [], "export": []}
    for round_ in range(ROUNDS):
        for mode in ("floor", "export"):
            result = measure(mode)
            log(f"round {round_ + 1}: {mode} {result}")
            runs[mode].append(result)
    median = {
        m: {k: statistics.median(r[k] for r in rs) for k in ("seconds", "rss_mb", "base_mb")} for m, rs in runs.items()
    }
    factor = median["export"]["seconds"] / median["floor"]["seconds"]

    assessment = run_assessment()
    log(f"assessment {assessment}")

    first, second, large = imports_
    per_batch = second["queries"] - first["queries"]
    fixed = first["queries"] - per_batch
    ratio = large["seconds"] / first["seconds"]
    checks = {
        "every row imported": all(r["units"] == r["rows"] == r["liaisons"] for r in imports_),
        f"import time(20,000) / time(2,000) <= {MAX_IMPORT_RATIO}": ratio <= MAX_IMPORT_RATIO,
        "import queries = fixed + per_batch × batches": large["queries"] == fixed + per_batch * large["batches"],
        f"roster export <= {MAX_EXPORT_FACTOR}x the bare dump": factor <= MAX_EXPORT_FACTOR,
        f"roster export peak RSS < {MAX_RSS_MB} MB": median["export"]["rss_mb"] < MAX_RSS_MB,
        "roster rows = units": runs["export"][0]["rows"] == SIZES[-1],
        "assessment queries independent of the liaisons": len({r["queries"] for r in assessment.values()}) == 1,
        "assessment of 5,000 liaisons": ASSESSED[-1] in assessment,
    }
    summary = {
        "import": imports_,
        "import_ratio_20000_to_2000": round(ratio, 2),
        "import_queries": {"fixed": fixed, "per_batch_of_2000": per_batch},
        "roster_median_seconds": {m: round(v["seconds"], 2) for m, v in median.items()},
        "roster_median_peak_rss_mb": {m: round(v["rss_mb"], 1) for m, v in median.items()},
        "roster_median_rss_before_mb": {m: round(v["base_mb"], 1) for m, v in median.items()},
        "roster_queries": {m: rs[0]["queries"] for m, rs in runs.items()},
        "roster_factor_vs_floor": round(factor, 2),
        "assessment": assessment,
        "checks": checks,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.keep:
        connection.close()
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
