"""docker-compose.yml runs the production shape; no Docker engine runs here, so each
service's command is run natively against the local PostgreSQL and Redis."""

import contextlib
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest
import yaml
from celery import Celery
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.integration


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _redis_url(db):
    base = settings.REDIS_URL.rsplit("/", 1)[0] if settings.REDIS_URL else "redis://127.0.0.1:6379"
    return f"{base}/{db}"


@pytest.fixture(scope="module")
def native_env(tmp_path_factory):
    """The compose environment with its hostnames pointed at this machine's services."""
    db_name = "alliance_compose_check"
    admin = psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres")
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        cur.execute(f"CREATE DATABASE {db_name}")
    env = {k: str(v) for k, v in COMPOSE["services"]["web"]["environment"].items()}
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{db_name}",
        REDIS_URL=_redis_url(14),
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_MANIFEST="off",  # the image runs collectstatic; this checkout has not
        MEDIA_ROOT=str(tmp_path_factory.mktemp("media")),
    )
    full = {**os.environ, **env, "PATH": f"{BIN}:{os.environ['PATH']}"}
    full.pop("CELERY_TASK_ALWAYS_EAGER", None)
    full.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser fixture, never in production
    # The web service migrates on start; the worker test may run first and needs the tables.
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=full, check=True)
    yield full
    with admin.cursor() as cur:
        cur.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    admin.close()


def _start(service, env, replace=()):
    command = COMPOSE["services"][service]["command"]
    for old, new in replace:
        assert old in command, f"{service} command no longer contains {old!r}"
        command = command.replace(old, new)
    args = shlex.split(command)
    return subprocess.Popen(
        args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )


def _stop(proc):
    """Stop the service and everything it started (its own process group)."""
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        try:
            return proc.communicate(timeout=wait)[0]
        except subprocess.TimeoutExpired:
            continue
    return ""


def test_compose_file_declares_the_production_shape():
    services = COMPOSE["services"]

    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    assert "gunicorn alliance.wsgi:application" in services["web"]["command"]
    assert services["worker"]["command"].startswith("celery -A alliance worker")
    assert services["beat"]["command"].startswith("celery -A alliance beat")
    assert services["db"]["image"].startswith("postgres")
    assert services["redis"]["image"].startswith("redis")
    assert services["web"]["environment"]["HTTPS"] == "on"


@pytest.mark.skipif(not shutil.which("docker-compose"), reason="docker-compose is installed by `make sysdeps`")
def test_compose_file_is_valid_for_docker_compose():
    result = subprocess.run(
        ["docker-compose", "config", "-q"],
        cwd=ROOT,
        env={**os.environ, "SECRET_KEY": "x"},
        capture_output=True,
        text=True,
    )

    assert result.returncode == 0, result.stderr


def test_db_and_redis_services_are_reachable_locally():
    psycopg2.connect(host="127.0.0.1", user="postgres", dbname="postgres").close()
    import redis

    assert redis.Redis.from_url(_redis_url(14)).ping()


def test_web_service_migrates_and_answers_healthz(native_env):
    port = _free_port()
    proc = _start("web", native_env, replace=[("0.0.0.0:8000", f"127.0.0.1:{port}"), ("--workers 3", "--workers 1")])
    try:
        deadline = time.monotonic() + 120
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    body = response.read().decode()
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
    finally:
        output = _stop(proc)
    assert body is not None, output[-3000:]
    assert status == 200
    assert '"database": "ok"' in body and '"broker": "ok"' in body


def test_worker_service_executes_a_task(native_env):
    proc = _start("worker", native_env, replace=[("--concurrency=2", "--concurrency=1")])
    client = Celery(broker=native_env["REDIS_URL"], backend=native_env["REDIS_URL"])
    try:
        result = client.send_task("alliance.ping", kwargs={"note": "compose-check"})
        answer = result.get(timeout=90)
    finally:
        output = _stop(proc)
    assert answer == "pong", output[-3000:]
    conn = psycopg2.connect(native_env["DATABASE_URL"])
    with conn, conn.cursor() as cur:
        cur.execute("SELECT data->>'note' FROM alliance_auditentry WHERE action = 'worker.ping'")
        assert cur.fetchall() == [("compose-check",)]
    conn.close()


def test_beat_service_starts(native_env, tmp_path):
    proc = _start("beat", native_env, replace=[("/tmp/celerybeat-schedule", str(tmp_path / "schedule"))])
    time.sleep(6)
    alive = proc.poll() is None
    output = _stop(proc)

    assert alive, output[-3000:]
    assert "beat: Starting" in output
