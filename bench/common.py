"""Shared set-up of the benchmarks: a database of their own and fast bulk loading with COPY.

The benchmarks never touch the database named in DATABASE_URL: they swap its name for
`alliance_bench` (or BENCH_DB), create it, migrate it and load synthetic specialists into it.
The ledger is loaded with COPY, so the product's invariants stay on: the statement-level insert
trigger adds each COPY's entries to the balances, and the balance guard checks every updated row.
"""

import datetime as dt
import io
import os
import platform
import random
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH_DB = os.environ.get("BENCH_DB", "alliance_bench")
AS_OF = dt.date(2025, 6, 30)
ENTRIES_PER_SPECIALIST = 20  # 100,000 specialists → 2,000,000 ledger entries
START = dt.date(2023, 7, 1)  # 第十三条: the rules apply from 2023-07-01
BENCH_USER = "bench-specialist"
BENCH_USER_ENTRIES = 400  # the page's specialist has a long ledger (20 pages)


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def bench_database_url():
    base = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(base)
    if not parts.scheme.startswith("postgres"):
        sys.exit("The benchmarks need DATABASE_URL=postgres://... (make bench sets it).")
    return urlunsplit(parts._replace(path=f"/{BENCH_DB}")), base


def _admin_connection(base_url):
    import psycopg2

    parts = urlsplit(base_url)
    conn = psycopg2.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or None,
        dbname="postgres",
    )
    conn.autocommit = True
    return conn


def create_database(*, fresh):
    """Create (or with `fresh`, re-create) the benchmark database; return True if it was created."""
    bench_url, base_url = bench_database_url()
    conn = _admin_connection(base_url)
    with conn.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB])
        exists = cursor.fetchone() is not None
        if exists and fresh:
            cursor.execute(f'DROP DATABASE "{BENCH_DB}" WITH (FORCE)')
            exists = False
        if not exists:
            cursor.execute(f'CREATE DATABASE "{BENCH_DB}"')
    conn.close()
    return not exists


def drop_database():
    _bench_url, base_url = bench_database_url()
    conn = _admin_connection(base_url)
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    conn.close()


def setup_django():
    """Point Django at the benchmark database and migrate it."""
    bench_url, _base = bench_database_url()
    os.environ["DATABASE_URL"] = bench_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return bench_url


def machine():
    cores = os.cpu_count()
    return f"{platform.node() or 'host'}: {cores} cores, {platform.machine()}, Python {platform.python_version()}"


def _copy(cursor, table, columns, rows):
    buffer = io.StringIO()
    for row in rows:
        buffer.write("\t".join(r"\N" if v is None else str(v) for v in row))
        buffer.write("\n")
    buffer.seek(0)
    cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)


def specialist_count():
    from specialists.models import Specialist

    return Specialist.objects.count()


def load(target, *, seed=0, chunk=10_000):
    """Grow the database to `target` synthetic specialists with ENTRIES_PER_SPECIALIST entries each.

    States, activity dates and icebreakers are spread so that every lifecycle rule has work to do
    on AS_OF.  Users, specialists, attendances and ledger entries go in with COPY, chunk by chunk.
    """
    from django.db import connection

    from specialists.models import Activity, PointRule

    rng = random.Random(seed)
    start_count = specialist_count()
    if start_count >= target:
        return 0
    rules = list(PointRule.objects.filter(kind="each").values_list("pk", "points"))
    icebreakers = _events(Activity, "icebreaker")
    events = _events(Activity, "event")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM auth_user")
        next_user = cursor.fetchone()[0] + 1
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM specialists_specialist")
        next_specialist = cursor.fetchone()[0] + 1
    made = 0
    while start_count + made < target:
        n = min(chunk, target - start_count - made)
        users, specialists, attendances, entries = [], [], [], []
        for i in range(n):
            uid, sid = next_user + made + i, next_specialist + made + i
            users.append((uid, "!", "f", f"bench{sid:07d}", "", "", "", "f", "t", "2023-07-01 00:00:00+00"))
            specialists.append(_specialist(rng, sid, uid))
            attendances.extend(_attendances(rng, sid, specialists[-1], icebreakers, events))
            entries.extend(_entries(rng, sid, specialists[-1], rules, ENTRIES_PER_SPECIALIST))
        with connection.cursor() as cursor:
            raw = cursor.cursor
            _copy(
                raw,
                "auth_user",
                [
                    "id",
                    "password",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                ],
                users,
            )
            _copy(raw, "specialists_specialist", SPECIALIST_COLUMNS, specialists)
            _copy(raw, "specialists_attendance", ATTENDANCE_COLUMNS, attendances)
            _copy(raw, "specialists_ledgerentry", ENTRY_COLUMNS, entries)
        made += n
        log(f"  loaded {start_count + made:,} specialists ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:
        for table in ("auth_user", "specialists_specialist"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
        cursor.execute("ANALYZE")
    return made


def _events(Activity, kind):
    existing = list(Activity.objects.filter(kind=kind, title__startswith="bench").values_list("pk", "held_on"))
    if existing:
        return existing
    months = (AS_OF.year - START.year) * 12 + AS_OF.month - START.month
    objs = [
        Activity(
            title=f"bench {kind} {i}",
            kind=kind,
            held_on=dt.date(START.year + (START.month + i - 1) // 12, (START.month + i - 1) % 12 + 1, 15),
        )
        for i in range(months)
    ]
    Activity.objects.bulk_create(objs)
    return [(a.pk, a.held_on) for a in objs]


SPECIALIST_COLUMNS = [
    "id",
    "user_id",
    "name",
    "email",
    "phone",
    "status",
    "status_since",
    "applied_on",
    "approved_on",
    "probation_ends",
    "roster_without_icebreaker",
    "exited_on",
    "exit_decision",
    "balance",
    "created_at",
]
ATTENDANCE_COLUMNS = ["activity_id", "specialist_id", "held_on", "is_icebreaker"]
ENTRY_COLUMNS = [
    "specialist_id",
    "kind",
    "points",
    "rule_id",
    "quantity",
    "level",
    "occurred_on",
    "description",
    "source_document",
    "source_ref",
    "recorded_at",
]


def _day(rng, first, last):
    span = (last - first).days
    return first + dt.timedelta(days=rng.randint(0, max(span, 0)))


def _specialist(rng, sid, uid):
    """A specialist row; the mix gives every rule work on AS_OF (about one in six changes)."""
    roll = rng.random()
    applied = _day(rng, START, AS_OF - dt.timedelta(days=120))
    approved = applied + dt.timedelta(days=14)
    if roll < 0.10:  # on probation; about half of them end it by AS_OF
        approved = _day(rng, AS_OF - dt.timedelta(days=150), AS_OF - dt.timedelta(days=20))
        status, since = "probation", approved
        ends = dt.date(approved.year + (approved.month + 2) // 12, (approved.month + 2) % 12 + 1, min(approved.day, 28))
    elif roll < 0.60:
        status, since, ends = "general", _day(rng, approved, AS_OF - dt.timedelta(days=30)), None
    elif roll < 0.90:
        status, since, ends = "roster", _day(rng, approved, AS_OF - dt.timedelta(days=30)), None
    elif roll < 0.95:
        status, since, ends = "exit_pending", _day(rng, approved, AS_OF - dt.timedelta(days=10)), None
    else:
        status, since, ends = "exited", _day(rng, approved, AS_OF - dt.timedelta(days=10)), None
    without_icebreaker = status == "roster" and rng.random() < 0.5
    return (
        sid,
        uid,
        f"专员{sid:06d}",
        f"bench{sid:07d}@example.com",
        "",
        status,
        since,
        applied,
        approved,
        ends,
        "t" if without_icebreaker else "f",
        since if status == "exited" else None,
        "bench" if status == "exited" else "",
        0,
        "2023-07-01 00:00:00+00",
    )


def _attendances(rng, sid, row, icebreakers, events):
    status, since = row[5], row[6]
    rows = []
    if rng.random() < 0.55:
        held = [a for a in icebreakers if a[1] <= AS_OF]
        pk, on = rng.choice(held)
        rows.append((pk, sid, on, "t"))
    if status in ("general", "roster") and rng.random() < 0.4:
        later = [a for a in events if since <= a[1] <= AS_OF] or events
        pk, on = rng.choice(later)
        rows.append((pk, sid, on, "f"))
    return rows


def _entries(rng, sid, row, rules, count):
    """`count` activity entries; for some specialists they stop early, so the inactivity rules fire."""
    applied = row[7]
    last = AS_OF if rng.random() < 0.7 else _day(rng, applied, AS_OF - dt.timedelta(days=200))
    rows = []
    for _ in range(count):
        rule_id, points = rng.choice(rules)
        quantity = rng.randint(1, 3)
        rows.append(
            (
                sid,
                "activity",
                points * quantity,
                rule_id,
                quantity,
                "",
                _day(rng, applied, max(last, applied)),
                "",
                "",
                "",
                "2025-01-01 00:00:00+00",
            )
        )
    return rows


def bench_user(password):
    """A general specialist who logs in to the page benchmark, with a long ledger; returns it."""
    from django.contrib.auth import get_user_model
    from django.db import connection

    from alliance.models import Profile
    from specialists.models import PointRule, Specialist

    User = get_user_model()
    user, _created = User.objects.get_or_create(username=BENCH_USER)
    user.set_password(password)
    user.save()
    Profile.objects.get_or_create(user=user, defaults={"name": "基准测试专员"})
    from django.contrib.auth.models import Group

    user.groups.add(Group.objects.get_or_create(name="specialist")[0])
    specialist = Specialist.objects.filter(user=user).first()
    if specialist is None:
        specialist = Specialist.objects.create(
            user=user,
            name="基准测试专员",
            status="general",
            status_since=AS_OF - dt.timedelta(days=60),
            applied_on=START,
            approved_on=START,
        )
        # Entries over the two years before today, so the page's 12-month chart has data.
        rng = random.Random(7)
        rules = list(PointRule.objects.filter(kind="each").values_list("pk", "points"))
        today = dt.date.today()
        rows = []
        for _ in range(BENCH_USER_ENTRIES):
            rule_id, points = rng.choice(rules)
            on = _day(rng, today - dt.timedelta(days=730), today)
            rows.append((specialist.pk, "activity", points, rule_id, 1, "", on, "", "", "", "2025-01-01 00:00:00+00"))
        with connection.cursor() as cursor:
            _copy(cursor.cursor, "specialists_ledgerentry", ENTRY_COLUMNS, rows)
    specialist.refresh_from_db()
    return specialist
