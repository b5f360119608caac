"""Benchmark: the admin changelists over the tables that grow without bound, served by gunicorn.

On the 100k-specialist / 2M-entry database, with 2M audit entries added: the ledger (积分台账)
changelist unfiltered, filtered by one specialist (400 entries), searched by a login-name prefix
and on page 50, and the audit log's changelist, each requested by a secretariat staff user.
Target: each median at most 10× the median of `/healthz` measured in the same run.  Reported,
not checked: the audit log searched by an action, the attendances, the status history and the
roster (specialists) changelists.  The number of queries of each URL is counted in-process
(Django's test client) and reported; tests/alliance/test_changelist_queries.py asserts that it
does not grow with the rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/admin_changelist.py [--keep]

BENCH_REQUESTS sets the number of measured requests per URL (default 100), BENCH_WARMUP the rounds
before them (default 10).  Exits non-zero when
a target is missed.  Reuses `alliance_bench` (BENCH_DB) if it is loaded, else loads it.
"""

import argparse
import datetime as dt
import json
import os
import random
import secrets
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    _copy,
    create_database,
    drop_database,
    load,
    log,
    setup_django,
    specialist_count,
)
from bench.points_page import Client, free_port, start_gunicorn  # noqa: E402

SPECIALISTS = 100_000
AUDIT_ENTRIES = 2_000_000
WARMUP = int(os.environ.get("BENCH_WARMUP", "10"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "100"))
MAX_FACTOR = 10.0
STAFF_USER = "bench-secretariat"
LEDGER = "/admin/specialists/ledgerentry/"
AUDIT = "/admin/alliance/auditentry/"
# name → URL; the specialist's id is filled in once known.
CHECKED = {
    "ledger": LEDGER,
    "ledger, one specialist": LEDGER + "?specialist__id__exact={specialist}",
    "ledger, searched": LEDGER + "?q=bench001234",
    "ledger, page 50": LEDGER + "?p=50",
    "audit log": AUDIT,
}
REPORTED = {
    "audit log, searched": AUDIT + "?q=specialist.points",
    "attendances": "/admin/specialists/attendance/",
    "status history": "/admin/specialists/statuschange/",
    "specialists": "/admin/specialists/specialist/",
}
ACTIONS = ["specialist.points", "specialist.status", "specialist.points_reversed", "import.done", "export.requested"]


def load_audit(target, chunk=100_000):
    """Grow the audit log to `target` entries with COPY: actions and actors spread, newest last."""
    from django.contrib.auth import get_user_model
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    from alliance.models import AuditEntry
    from specialists.models import LedgerEntry

    have = AuditEntry.objects.count()
    if have >= target:
        return have
    rng = random.Random(3)
    content_type = ContentType.objects.get_for_model(LedgerEntry).pk
    actors = list(get_user_model().objects.filter(is_staff=True).values_list("pk", flat=True)) or [None]
    start = dt.datetime(2023, 7, 1, tzinfo=dt.UTC)
    step = (dt.datetime(2025, 6, 30, tzinfo=dt.UTC) - start) / target
    columns = ["created_at", "actor_id", "action", "content_type_id", "object_id", "object_repr", "data"]
    started = time.perf_counter()
    for first in range(have, target, chunk):
        rows = []
        for i in range(first, min(first + chunk, target)):
            rows.append(
                (
                    (start + step * i).isoformat(),
                    rng.choice(actors),
                    rng.choice(ACTIONS),
                    content_type,
                    str(i),
                    f"2025-01-01 专员{i % SPECIALISTS:06d} +3",
                    '{"points": 3}',
                )
            )
        with connection.cursor() as cursor:
            _copy(cursor.cursor, "alliance_auditentry", columns, rows)
        log(f"  audit log: {min(first + chunk, target):,} entries ({time.perf_counter() - started:.0f} s)")
    return target


def staff_user(password):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from alliance.models import Profile

    user, _created = get_user_model().objects.get_or_create(username=STAFF_USER, defaults={"is_staff": True})
    user.is_staff = True
    user.set_password(password)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"name": "基准测试秘书处"})
    user.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    return user


def query_counts(user, urls):
    """{name: [queries, rows shown]} for the URLs as `user` sees them, in-process (Django's test client)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    client = TestClient(SERVER_NAME="127.0.0.1")
    client.force_login(user)
    counts = {}
    for name, url in urls.items():
        client.get(url)  # warm-up: content types, the session, the permissions
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code} in-process")
        table = response.content.partition(b'id="result_list"')[2].partition(b"</table>")[0]
        counts[name] = (len(queries.captured_queries), table.count(b"<tr") - 1)  # less the header
    return counts


def measure(client, urls):
    timings = {name: [] for name in urls}
    for round_ in range(WARMUP + REQUESTS):
        for name, url in urls.items():
            started = time.perf_counter()
            status, body = client.request("GET", url)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status}\n{body[:500]!r}")
            if round_ == 0 and name == "ledger" and body.count(b'name="_selected_action"') != 100:
                raise SystemExit("the ledger changelist did not show a full page")
            if round_ >= WARMUP:
                timings[name].append(elapsed)
        if round_ % 10 == 9:
            log(f"  {round_ + 1} of {WARMUP + REQUESTS} rounds")
    return timings


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args(argv)
    create_database(fresh=False)
    bench_url = setup_django()
    if specialist_count() < SPECIALISTS:
        log(f"loading {SPECIALISTS:,} specialists")
        load(SPECIALISTS)
    from django.db import connection

    from bench.common import bench_user

    password = secrets.token_urlsafe(16)
    user = staff_user(password)
    specialist = bench_user(secrets.token_urlsafe(16))
    load_audit(AUDIT_ENTRIES)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute("SELECT COUNT(*) FROM specialists_ledgerentry")
        entries = cursor.fetchone()[0]
        cursor.execute("SELECT COUNT(*) FROM alliance_auditentry")
        audit = cursor.fetchone()[0]
    log(f"{specialist_count():,} specialists, {entries:,} entries, {audit:,} audit entries")
    urls = {name: url.format(specialist=specialist.pk) for name, url in {**CHECKED, **REPORTED}.items()}
    queries = query_counts(user, urls)
    connection.close()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": bench_url, "DEBUG": "off", "DJANGO_SETTINGS_MODULE": "alliance.settings"}
    server = start_gunicorn(port, env)
    load_before = os.getloadavg()
    try:
        client = Client(port)
        client.login(STAFF_USER, password)
        timings = measure(client, {"/healthz": "/healthz", **urls})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    load_after = os.getloadavg()
    medians = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    health = medians["/healthz"]
    factors = {name: medians[name] / health for name in urls}
    checks = {f"{name} <= {MAX_FACTOR}x /healthz": factors[name] <= MAX_FACTOR for name in CHECKED}
    summary = {
        "specialists": specialist_count(),
        "entries": entries,
        "audit_entries": audit,
        "requests_each": REQUESTS,
        "load_average_before_after": [round(x, 2) for x in (*load_before, *load_after)],
        "median_ms": {name: round(v, 2) for name, v in medians.items()},
        "p90_ms": {name: round(statistics.quantiles(v, n=10)[-1] * 1000, 2) for name, v in timings.items()},
        "factor_vs_healthz": {name: round(v, 2) for name, v in factors.items()},
        "queries_and_rows": queries,
        "checks": checks,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.keep:
        connection.close()
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
