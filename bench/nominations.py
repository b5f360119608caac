"""Benchmark: the staff ranking of a field at 5 fields × 600 nominations × 7 experts (seed 004).

Target: the median latency of the ranking page `/nominations/{year}/ranking/?field=F` (URL name
"nominations:ranking") is at most 3× the median latency of `/healthz` measured in the same run, and
the page and the API `GET /api/nominations/campaigns/{year}/ranking/?field=F` read the ranking in the
same number of queries at 100 and at 600 nominations per field (counted in-process with
CaptureQueriesContext).  Reported, not checked: the API's factor.  gunicorn runs with 2 workers on
127.0.0.1 (`DEBUG=off`, `CONN_MAX_AGE=60` as in production); the URLs are requested in turn (REQUESTS
each, after WARMUP), sequentially, each over a new connection, as in bench/greenmine_result.py.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/nominations.py

The data go in with bulk_create (the services' per-row checks are not under test) into a database of
its own, `alliance_bench_nominations` (or BENCH_DB), dropped at the end (--keep keeps it).  The year
2020 campaign has 5 fields × 600 recommended nominations, each scored by the field's 7 experts
(21,000 evaluations); the 2019 campaign 100 per field, for the query counts.
Exits non-zero when a target is missed.
"""

import argparse
import datetime as dt
import json
import os
import random
import signal
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "alliance_bench_nominations")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import create_database, drop_database, log, machine, setup_django  # noqa: E402
from bench.points_page import Client, free_port, start_gunicorn  # noqa: E402

FIELDS = 5
PER_FIELD = 600
SMALL_PER_FIELD = 100
EXPERTS = 7
UNITS = 400
WARMUP = 10
REQUESTS = 60
MAX_FACTOR = 3.0
PASSWORD = "bench-Secret-4711"
YEAR, SMALL_YEAR = 2020, 2019
FIELD = "resources_environment"


def _campaign(year):
    from nominations.models import Campaign

    return Campaign.objects.create(
        year=year,
        recommendation_deadline=dt.date(year, 11, 20),
        preliminary_deadline=dt.date(year, 11, 30),
        final_review_deadline=dt.date(year, 12, 20),
        publication_date=dt.date(year, 12, 31),
    )


def build():
    """Units, the staff account, two campaigns, nominations, experts and their scores (bulk_create)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from alliance.models import Organisation, Profile
    from alliance.services import user_create
    from nominations.enums import CRITERION_CODES, Field
    from nominations.models import Evaluation, ExpertAssignment, IndustryCode, Nomination

    rng = random.Random(4)
    User = get_user_model()
    staff = user_create(username="bench-office", password=PASSWORD, name="秘书处", roles=["secretariat"])
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    token = Token.objects.create(user=staff).key
    units = Organisation.objects.bulk_create(Organisation(name=f"基准推荐单位{i:04d}研究院") for i in range(UNITS))
    creator = User.objects.create(username="bench-applicant", password="!")
    codes = list(IndustryCode.objects.filter(level__in=("group", "class")).values_list("pk", flat=True))
    expert_group = Group.objects.get_or_create(name="expert")[0]
    fields = list(Field.values)[:FIELDS]
    experts = User.objects.bulk_create(
        User(username=f"bench-expert-{f}-{n}", password="!", email=f"e{f}{n}@example.com")
        for f in range(FIELDS)
        for n in range(EXPERTS)
    )
    Profile.objects.bulk_create(Profile(user=u, name=f"专家{u.pk}") for u in experts)
    expert_group.user_set.add(*experts)
    now = timezone.now()
    through = Nomination.industries.through
    for year, per_field in ((SMALL_YEAR, SMALL_PER_FIELD), (YEAR, PER_FIELD)):
        campaign = _campaign(year)
        started = time.perf_counter()
        nominations = Nomination.objects.bulk_create(
            (
                Nomination(
                    campaign=campaign,
                    unit=units[(f * per_field + i) % UNITS],
                    recommender=units[(f * per_field + i) % UNITS],
                    created_by=creator,
                    name=f"先导技术{year}-{field}-{i:04d}",
                    field=field,
                    project_type="applied" if i % 2 else "development",
                    trl=1 + i % 9,
                    contact="张伟",
                    phone="010-68999603",
                    address="北京市西城区百万庄大街26号",
                    email="zhangwei@example.com",
                    team_intro="团队由地质、采矿与环境工程专业人员组成。" * 5,
                    tech_level="技术达到国际先进水平。" * 10,
                    benefits="年新增产值约一亿元。" * 10,
                    pledge_accepted=True,
                    pledge_accepted_at=now,
                    status="submitted",
                    submitted_at=now,
                )
                for f, field in enumerate(fields)
                for i in range(per_field)
            ),
            batch_size=1000,
        )
        through.objects.bulk_create(
            (through(nomination_id=n.pk, industrycode_id=code) for n in nominations for code in rng.sample(codes, 2)),
            batch_size=5000,
        )
        ExpertAssignment.objects.bulk_create(
            ExpertAssignment(campaign=campaign, field=field, expert=experts[f * EXPERTS + n])
            for f, field in enumerate(fields)
            for n in range(EXPERTS)
        )
        evaluations = []
        for nomination in nominations:
            f = fields.index(nomination.field)
            for n in range(EXPERTS):
                scores = {code: rng.randint(3, 10) for code in CRITERION_CODES}
                evaluations.append(
                    Evaluation(
                        nomination=nomination, expert=experts[f * EXPERTS + n], total=sum(scores.values()), **scores
                    )
                )
        Evaluation.objects.bulk_create(evaluations, batch_size=5000)
        log(
            f"campaign {year}: {len(nominations):,} nominations, {len(evaluations):,} evaluations "
            f"({time.perf_counter() - started:.1f} s)"
        )
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return staff, token


def urls(year):
    return {
        "ranking page": f"/nominations/{year}/ranking/?field={FIELD}",
        "ranking API": f"/api/nominations/campaigns/{year}/ranking/?field={FIELD}",
    }


def queries(staff):
    """Queries of the page and the API at 100 and at 600 nominations in the field, counted in-process."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(staff)
    counts = {}
    for year, size in ((SMALL_YEAR, SMALL_PER_FIELD), (YEAR, PER_FIELD)):
        counts[size] = {}
        for label, url in urls(year).items():
            client.get(url)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            counts[size][label] = len(ctx.captured_queries)
    return counts


def measure(client, paths, headers):
    timings = {label: [] for label in paths}
    for round_ in range(WARMUP + REQUESTS):
        for label, path in paths.items():
            started = time.perf_counter()
            status, body = client.request("GET", path, headers=headers.get(label))
            elapsed = time.perf_counter() - started
            if status != 200:
                raise SystemExit(f"{path}: HTTP {status}\n{body[:500]!r}")
            if round_ >= WARMUP:
                timings[label].append(elapsed)
    return timings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    create_database(fresh=True)
    bench_url = setup_django()
    log(machine())
    staff, token = build()
    counts = queries(staff)
    log(f"queries {counts}")
    from django.db import connection

    connection.close()

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DEBUG": "off",
        "CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
    }
    server = start_gunicorn(port, env)
    paths = urls(YEAR)
    try:
        client = Client(port)
        session = Client(port)
        session.login(staff.username, PASSWORD)
        timings = measure(
            client,
            {"/healthz": "/healthz", "ranking API": paths["ranking API"]},
            {"ranking API": {"Authorization": f"Token {token}"}},
        )
        timings.update(measure(session, {"ranking page": paths["ranking page"]}, {}))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    medians = {label: statistics.median(values) * 1000 for label, values in timings.items()}
    factors = {label: medians[label] / medians["/healthz"] for label in medians if label != "/healthz"}
    checks = {
        f"ranking page <= {MAX_FACTOR}x /healthz": factors["ranking page"] <= MAX_FACTOR,
        "page queries independent of the nominations": counts[SMALL_PER_FIELD]["ranking page"]
        == counts[PER_FIELD]["ranking page"],
        "API queries independent of the nominations": counts[SMALL_PER_FIELD]["ranking API"]
        == counts[PER_FIELD]["ranking API"],
    }
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    print(
        json.dumps(
            {
                "fields": FIELDS,
                "nominations_per_field": PER_FIELD,
                "experts_per_field": EXPERTS,
                "requests_each": REQUESTS,
                "warmup": WARMUP,
                "queries": counts,
                "median_ms": {k: round(v, 2) for k, v in medians.items()},
                "p90_ms": {k: round(statistics.quantiles(v, n=10)[-1] * 1000, 2) for k, v in timings.items()},
                "factor_vs_healthz": {k: round(v, 2) for k, v in factors.items()},
                "load_average": load,
                "checks": checks,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    if not args.keep:
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
