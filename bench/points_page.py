"""Benchmark: the self-service page and /api/me/points/ served by gunicorn on the 100k database.

Target: the median latency of `/me/points/` is at most 6× and that of `/api/me/points/` at most 4×
the median latency of `/healthz` measured in the same run, each in a constant number of queries
(counted in-process with Django's test client for the benchmark's specialist, 400 entries, and for
a loaded one with 20: the counts must be equal, filtered and not).  gunicorn runs with 2 workers on
127.0.0.1; a specialist logs in through the login form and the three URLs are requested in turn
(REQUESTS each, after WARMUP), sequentially, each over a new connection.  Nothing of the page is
cached: every request reads the database and renders the page.  Reported, not checked: the page
with ledger filters on a later page ("filtered": a COUNT(*) of the filtered ledger, and a
different page each round), and the home page `/` (session, user and the base template only: the
floor of any logged-in page).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance python bench/points_page.py [--keep]

BENCH_REQUESTS sets the number of measured requests per URL (default 200).

Exits non-zero when a target is missed.  Reuses `alliance_bench` if bench/lifecycle.py --keep
left it loaded, else loads it.
"""

import argparse
import http.client
import http.cookies
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    BENCH_USER,
    ROOT,
    create_database,
    drop_database,
    load,
    log,
    setup_django,
    specialist_count,
)

SPECIALISTS = 100_000
WARMUP = 20
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
MAX_FACTOR = {"/me/points/": 6.0, "/api/me/points/": 4.0}
PATHS = ("/healthz", "/me/points/", "/api/me/points/")
FILTERED = "/me/points/ (filtered)"
REPORTED = (FILTERED, "/")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Client:
    """A tiny cookie-keeping HTTP client for 127.0.0.1 (a new connection per request)."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        conn.close()
        return response.status, data

    def login(self, username, password):
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
        body = urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
        status, _ = self.request(
            "POST",
            "/accounts/login/",
            body=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://127.0.0.1:{self.port}/"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"login failed (HTTP {status})")


def start_gunicorn(port, env):
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "alliance.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--log-level",
        "warning",
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def filtered_path(i):
    """The ledger filtered by kind and a date range, on one of its later pages."""
    return f"/me/points/?kind=activity&date_from=2024-01-01&page={2 + i % 5}"


def query_counts(specialist):
    """{url: number of queries} for the URLs as `specialist` sees them, in-process (Django's test client)."""
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import CaptureQueriesContext

    client = TestClient(SERVER_NAME="127.0.0.1")
    client.force_login(specialist.user)
    counts = {}
    for url in ("/me/points/", filtered_path(0), "/api/me/points/", "/api/me/points/?kind=activity&page=2"):
        client.get(url)  # warm-up: the first request in a process also looks up content types and the like
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        if status != 200:
            raise SystemExit(f"{url}: HTTP {status} in-process")
        counts[url] = len(queries.captured_queries)
    return counts


def measure(client):
    """Sequential requests, the URLs in turn; the REPORTED ones are not checked."""
    timings = {path: [] for path in (*PATHS, *REPORTED)}
    for round_ in range(WARMUP + REQUESTS):
        for path in (*PATHS, *REPORTED):
            url = filtered_path(round_) if path == FILTERED else path
            started = time.perf_counter()
            status, body = client.request("GET", url)
            elapsed = time.perf_counter() - started
            if status != 200:
                raise SystemExit(f"{url}: HTTP {status}\n{body[:500]!r}")
            if round_ == 0 and path == "/me/points/" and body.count(b'<td class="num sp-') != 20:
                raise SystemExit("/me/points/ did not show a full ledger page")
            if round_ >= WARMUP:
                timings[path].append(elapsed)
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
    specialist = bench_user(password)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM specialists_ledgerentry")
        entries = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    connection.close()
    log(f"{specialist_count():,} specialists, {entries:,} entries; the page of {specialist.name}")
    from specialists.models import Specialist

    loaded = Specialist.objects.filter(status="general").exclude(pk=specialist.pk).order_by("pk").first()
    queries = {"400 entries": query_counts(specialist), "20 entries": query_counts(loaded)}
    connection.close()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": bench_url, "DEBUG": "off", "DJANGO_SETTINGS_MODULE": "alliance.settings"}
    server = start_gunicorn(port, env)
    try:
        client = Client(port)
        client.login(BENCH_USER, password)
        timings = measure(client)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    medians = {path: statistics.median(values) * 1000 for path, values in timings.items()}
    health = medians["/healthz"]
    factors = {path: medians[path] / health for path in (*PATHS[1:], *REPORTED)}
    checks = {f"{path} <= {MAX_FACTOR[path]}x /healthz": factors[path] <= MAX_FACTOR[path] for path in PATHS[1:]}
    checks["queries constant"] = queries["400 entries"] == queries["20 entries"]
    summary = {
        "specialists": specialist_count(),
        "entries": entries,
        "requests_each": REQUESTS,
        "median_ms": {path: round(v, 2) for path, v in medians.items()},
        "p90_ms": {path: round(statistics.quantiles(v, n=10)[-1] * 1000, 2) for path, v in timings.items()},
        "factor_vs_healthz": {path: round(v, 2) for path, v in factors.items()},
        "queries": queries,
        "checks": checks,
    }
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not args.keep:
        connection.close()
        drop_database()
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
