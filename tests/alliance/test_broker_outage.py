"""Finding 6: a broker outage lost work (a 500, and a job "queued" for ever).

Each test runs a Redis server of its own on a spare port, points Celery's broker at it, and
kills and restarts it: the shared Redis on 6379 is never touched.
"""

import contextlib
import datetime as dt
import shlex
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis
import yaml
from django.urls import reverse
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from alliance import dispatch, exports
from alliance.celery import app as celery_app
from alliance.models import ExportJob, JobStatus
from alliance.tasks import run_export, sweep_jobs
from specialists import reference
from specialists.enums import SpecialistStatus as S
from specialists.models import IssuedDocument
from tests.factories import UserFactory
from tests.specialists.factories import SpecialistFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]
QUEUE_DOWN = "任务队列暂时无法连接：任务已保存，可稍后重试。"


def _free_port(start=6390):
    for port in range(start, start + 200):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


class RedisServer:
    """A redis-server process of this test's own, which it may stop and start again on the same port."""

    def __init__(self, directory, args=("--save", "", "--appendonly", "no")):
        self.port = _free_port()
        self.directory = directory
        self.args = list(args)
        self.proc = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", *self.args, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.ConnectionError):
                if client.ping():
                    return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self, sig=signal.SIGKILL):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(timeout=10)


def _use_broker(url):
    """Point the Celery app's broker at `url`, dropping pooled connections to the previous one."""
    celery_app.conf.broker_url = url
    celery_app._pool = None  # kombu keeps one pool per broker URL; the app looks it up again
    celery_app.amqp._producer_pool = None


@pytest.fixture
def own_redis(tmp_path, settings):
    """A Redis server of our own as the broker; Celery's previous broker is restored afterwards."""
    server = RedisServer(tmp_path).start()
    previous = celery_app.conf.broker_url, celery_app.conf.task_always_eager
    settings.CELERY_BROKER_URL = server.url
    celery_app.conf.task_always_eager = False
    _use_broker(server.url)
    yield server
    server.stop()
    celery_app.conf.task_always_eager = previous[1]
    _use_broker(previous[0])


@contextlib.contextmanager
def _worker():
    from celery.contrib.testing.worker import start_worker

    with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def _wait_until_done(job, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in (JobStatus.DONE, JobStatus.FAILED):
            return job
        time.sleep(0.1)
    return job


@pytest.fixture
def secretariat(client):
    user = UserFactory(roles=["secretariat"], is_staff=True)
    client.force_login(user)
    return user


class StartExport(APIView):
    """An API endpoint starting an export, as the API's views call services."""

    def post(self, request):
        job = exports.export_start(user=request.user, key="alliance.audit")
        return Response({"id": str(job.pk)}, status=201)


# ---- (a) the broker is down: a clear message, the job kept as "not queued"; (b) retried once it is back ----


def test_export_page_with_the_broker_down_says_so_then_retry_completes_it(own_redis, client, secretariat):
    own_redis.stop()

    started = time.monotonic()
    response = client.post("/exports/start/", {"exporter": "alliance.audit"}, follow=True)
    elapsed = time.monotonic() - started

    job = ExportJob.objects.get()
    page = response.content.decode()
    assert response.status_code == 200
    assert response.redirect_chain == [(f"/exports/{job.pk}/", 302)]
    assert QUEUE_DOWN in page
    assert f'action="/exports/{job.pk}/retry/"' in page
    assert (job.status, job.attempts) == (JobStatus.UNQUEUED, 1)
    assert elapsed < 5  # fails fast instead of retrying the connection for minutes
    listing = client.get("/exports/").content.decode()
    assert "未进入队列" in listing and f'action="/exports/{job.pk}/retry/"' in listing

    own_redis.start()
    with _worker():
        retried = client.post(f"/exports/{job.pk}/retry/", follow=True)
        job = _wait_until_done(job)

    assert "导出已重新提交后台处理。" in retried.content.decode()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert client.get(f"/exports/{job.pk}/download/").status_code == 200


def test_api_and_service_with_the_broker_down_refuse_with_503_after_commit(own_redis, secretariat):
    from django.db import transaction

    own_redis.stop()
    request = APIRequestFactory().post("/api/exports/", {}, format="json")
    force_authenticate(request, user=secretariat)

    response = StartExport.as_view()(request)
    with pytest.raises(dispatch.BrokerUnavailable) as refused, transaction.atomic():
        exports.export_start(user=secretariat, key="alliance.audit")

    assert response.status_code == 503
    assert response.data == {"queue": [QUEUE_DOWN]}
    assert response["Retry-After"] == "60"
    jobs = list(ExportJob.objects.order_by("created_at"))  # both committed: the refusal came after the commit
    assert [j.status for j in jobs] == [JobStatus.UNQUEUED, JobStatus.UNQUEUED]
    assert refused.value.job.pk == jobs[1].pk


def test_certificates_with_the_broker_down_say_so_then_render_again_renders(own_redis, client, secretariat):
    reference.load()  # transactional tests flush the migrations' reference data
    specialist = SpecialistFactory(name="张伟明", status=S.GENERAL)
    own_redis.stop()

    response = client.post(
        reverse("admin:specialists_specialist_changelist"),
        {"action": "issue_certificates", "_selected_action": [specialist.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert "证书已签发，但任务队列无法连接，PDF 未能提交生成。" in response.content.decode()
    issued = IssuedDocument.objects.filter(specialist=specialist)
    assert issued.count() == 3
    assert all(d.dispatch_failed_at is not None and not d.ready for d in issued)
    document = issued.first()
    change_url = reverse("admin:specialists_issueddocument_change", args=[document.pk])
    change = client.get(change_url).content.decode()
    assert "重新生成" in change and "任务队列无法连接，PDF 未能提交生成" in change

    own_redis.start()
    with _worker():
        client.post(reverse("admin:specialists_issueddocument_render", args=[document.pk]))
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not IssuedDocument.objects.get(pk=document.pk).ready:
            time.sleep(0.2)

    document.refresh_from_db()
    assert document.ready
    assert document.dispatch_failed_at is None


# ---- (c) the sweep sends again a job stuck in "queued" ------------------------------------------------------


def test_sweep_resends_a_job_stuck_in_queued_and_it_completes(own_redis, secretariat):
    lost = ExportJob.objects.create(
        exporter="alliance.audit",
        requested_by=secretariat,
        status=JobStatus.PENDING,
        attempts=1,
        queued_at=timezone.now() - dt.timedelta(minutes=30),  # its message died with a Redis restart
    )
    recent = ExportJob.objects.create(
        exporter="alliance.audit", requested_by=secretariat, status=JobStatus.PENDING, queued_at=timezone.now()
    )
    given_up = ExportJob.objects.create(
        exporter="alliance.audit", requested_by=secretariat, status=JobStatus.UNQUEUED, attempts=dispatch.MAX_ATTEMPTS
    )

    report = sweep_jobs.apply().get()
    with _worker():
        lost = _wait_until_done(lost)

    assert report == {"broker": "ok", "alliance.ExportJob": 1, "alliance.ImportJob": 0}
    assert (lost.status, lost.attempts) == (JobStatus.DONE, 2)
    recent.refresh_from_db()
    given_up.refresh_from_db()
    assert (recent.status, recent.attempts) == (JobStatus.PENDING, 0)
    assert given_up.status == JobStatus.UNQUEUED


def test_a_job_delivered_twice_is_written_once(own_redis, secretariat):
    job = ExportJob.objects.create(exporter="alliance.audit", requested_by=secretariat)
    dispatch.send(job, run_export, job_id=str(job.pk))
    dispatch.publish(run_export, job_id=str(job.pk))  # the same message again (a retry, a redelivery)

    with _worker():
        job = _wait_until_done(job)
        first = (job.file.name, job.finished_at)
        time.sleep(0.5)  # the second message is consumed: a finished export is a no-op

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.file.name, job.finished_at) == first


# ---- (d) tasks queued before a Redis restart survive (docker-compose's Redis keeps them) ----------------------


def _compose_redis_args():
    command = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]["command"]
    args = shlex.split(command)
    assert args[0] == "redis-server"
    args = args[1:]
    if "--dir" in args:  # the compose file's /data volume becomes a temporary directory
        i = args.index("--dir")
        del args[i : i + 2]
    return args


def test_task_queued_before_a_redis_restart_runs_after_it(own_redis, tmp_path, secretariat):
    own_redis.stop()
    server = RedisServer(tmp_path, args=_compose_redis_args()).start()
    _use_broker(server.url)
    try:
        job = exports.export_start(user=secretariat, key="alliance.audit")  # queued; no worker is running
        server.stop(signal.SIGTERM)  # `docker-compose restart redis`
        server.start()
        with _worker():
            job = _wait_until_done(job)
    finally:
        server.stop()

    assert job.status == JobStatus.DONE
