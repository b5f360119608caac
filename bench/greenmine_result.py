"""Benchmark: the green-mine result API and result page at 20 experts × every indicator.

Target (performance issue): the median latency of `GET /api/greenmine/assessments/{id}/result/`
is at most 3× the median latency of `/healthz` measured in the same run, and both the API and
the page read the assessment in the same number of queries at 2 and at 20 experts.  gunicorn
runs with 2 workers on 127.0.0.1 (`DEBUG=off`, `CONN_MAX_AGE=60` as in production); the URLs are
requested in turn (REQUESTS each, after WARMUP), sequentially, each over a new connection.
Reported, not checked: the result page (`/greenmine/{id}/result/`), which renders the 49-row
table with every expert's column.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/greenmine_result.py

Builds its own small database (`alliance_bench_gm`, or BENCH_DB) through the services, and drops it.
Exits non-zero when a target is missed.
"""

import json
import os
import secrets
import signal
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("BENCH_DB", "alliance_bench_gm")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import create_database, drop_database, log, setup_django  # noqa: E402
from bench.points_page import Client, free_port, start_gunicorn  # noqa: E402

EXPERTS = 20
WARMUP = 20
REQUESTS = 200
MAX_FACTOR = 3.0
PASSWORD = "bench-Secret-4711"


def build(experts):
    """A scored assessment with `experts` experts, every applicable indicator scored, all evidence."""
    from django.core.files.base import ContentFile
    from rest_framework.authtoken.models import Token

    from alliance.services import user_create
    from greenmine import selectors, services
    from greenmine.models import Evidence, Indicator

    tag = secrets.token_hex(3)
    staff = user_create(username=f"gm_staff_{tag}", password=PASSWORD, name="秘书处", roles=["secretariat"])
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    assessment = services.assessment_create(
        mine_name=f"基准测试石灰石矿{tag}", variant="general", mining_method="open_pit", created_by=staff
    )
    items = [{"code": p["code"], "passed": True, "record": "已查验"} for p in selectors.prerequisite_items(assessment)]
    services.prerequisites_record(assessment, items, by=staff)
    indicators = selectors.applicable_indicators(assessment)
    for n in range(experts):
        user = user_create(username=f"gm_expert_{tag}_{n}", password=PASSWORD, name=f"专家{n}", roles=["expert"])
        assignment = services.expert_assign(assessment, username=user.username, assigned_by=staff)
        scores = [
            {"number": i.number, "score": i.points if (i.number + n) % 4 else "0", "record": f"查看第{i.number}项"}
            for i in indicators
        ]
        services.scores_save(assignment, scores, by=user)
    for indicator in Indicator.objects.filter(version_id=assessment.catalogue_id):
        item = Evidence(assessment=assessment, indicator=indicator, original_name="证明.pdf", size=9, uploaded_by=staff)
        item.file.save("proof.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        item.save()
    return assessment, Token.objects.create(user=staff).key, staff


def queries(assessment, staff):
    """Queries of the API view and the page, counted in-process."""
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient()
    client.force_login(staff)
    counts = {}
    for label, url in (
        ("api", f"/api/greenmine/assessments/{assessment.pk}/result/"),
        ("page", f"/greenmine/{assessment.pk}/result/"),
    ):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts[label] = len(ctx.captured_queries)
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
    create_database(fresh=True)
    bench_url = setup_django()
    small, _token, staff_small = build(2)
    assessment, token, staff = build(EXPERTS)
    counts = {"2 experts": queries(small, staff_small), f"{EXPERTS} experts": queries(assessment, staff)}
    from django.db import connection

    connection.close()
    log(f"assessment {assessment.pk}: {EXPERTS} experts; queries {counts}")

    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": bench_url,
        "DEBUG": "off",
        "CONN_MAX_AGE": "60",
        "DJANGO_SETTINGS_MODULE": "alliance.settings",
    }
    server = start_gunicorn(port, env)
    api = f"/api/greenmine/assessments/{assessment.pk}/result/"
    page = f"/greenmine/{assessment.pk}/result/"
    try:
        client = Client(port)
        session = Client(port)
        session.login(staff.username, PASSWORD)
        timings = measure(
            client, {"/healthz": "/healthz", "result API": api}, {"result API": {"Authorization": f"Token {token}"}}
        )
        timings.update(measure(session, {"result page": page}, {}))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    medians = {label: statistics.median(values) * 1000 for label, values in timings.items()}
    factors = {label: medians[label] / medians["/healthz"] for label in medians if label != "/healthz"}
    checks = {
        f"result API <= {MAX_FACTOR}x /healthz": factors["result API"] <= MAX_FACTOR,
        "queries independent of the number of experts": counts["2 experts"] == counts[f"{EXPERTS} experts"],
    }
    print(
        json.dumps(
            {
                "experts": EXPERTS,
                "requests_each": REQUESTS,
                "queries": counts,
                "median_ms": {k: round(v, 2) for k, v in medians.items()},
                "p90_ms": {k: round(statistics.quantiles(v, n=10)[-1] * 1000, 2) for k, v in timings.items()},
                "factor_vs_healthz": {k: round(v, 2) for k, v in factors.items()},
                "checks": checks,
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
