"""alliance.dispatch and the Celery settings that keep tasks through a broker outage (finding 6)."""

import datetime as dt
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.utils import timezone

from alliance import dispatch
from alliance import tasks as alliance_tasks
from alliance.celery import app as celery_app
from alliance.models import ExportJob, JobStatus
from specialists import documents
from specialists import tasks as specialists_tasks
from specialists.enums import SpecialistStatus as S
from specialists.models import IssuedDocument
from tests.factories import UserFactory
from tests.specialists.factories import SpecialistFactory

ROOT = Path(__file__).resolve().parents[2]
NOW = timezone.make_aware(dt.datetime(2026, 12, 1, 12, 0))


@pytest.mark.django_db
def test_sweep_picks_unqueued_and_stale_jobs_but_not_fresh_finished_or_given_up_ones():
    user = UserFactory()

    def job(status, minutes_ago=None, attempts=1):
        queued = NOW - dt.timedelta(minutes=minutes_ago) if minutes_ago is not None else None
        return ExportJob.objects.create(
            exporter="alliance.audit", requested_by=user, status=status, queued_at=queued, attempts=attempts
        )

    unqueued = job(JobStatus.UNQUEUED)
    stale = job(JobStatus.PENDING, minutes_ago=16)
    job(JobStatus.PENDING, minutes_ago=5)
    job(JobStatus.RUNNING, minutes_ago=60)
    job(JobStatus.DONE, minutes_ago=60)
    job(JobStatus.UNQUEUED, attempts=dispatch.MAX_ATTEMPTS)

    assert set(dispatch.stuck(ExportJob, now=NOW)) == {unqueued, stale}
    assert dispatch.is_stuck(stale, now=NOW) and not dispatch.is_stuck(stale, now=NOW - dt.timedelta(minutes=2))


@pytest.mark.django_db
def test_send_does_nothing_for_a_job_already_running():
    job = ExportJob.objects.create(exporter="alliance.audit", requested_by=UserFactory(), status=JobStatus.RUNNING)

    assert dispatch.send(job, alliance_tasks.run_export, job_id=str(job.pk)) is False
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.RUNNING, 0)


@pytest.mark.django_db
def test_certificate_sweep_renders_those_the_broker_refused(django_capture_on_commit_callbacks):
    from specialists import reference

    reference.load()
    specialist = SpecialistFactory(status=S.GENERAL)
    with django_capture_on_commit_callbacks(execute=False):  # the render was never sent
        issued = documents.documents_issue(specialist, actor=None, on=dt.date(2026, 11, 30))
    IssuedDocument.objects.filter(pk=issued[0].pk).update(dispatch_failed_at=timezone.now())

    assert documents.documents_render_missing() == {"sent": 1, "broker": "ok"}
    assert [d.ready for d in IssuedDocument.objects.order_by("pk")] == [True, False, False]
    assert documents.documents_render_missing(unrendered=True) == {"sent": 2, "broker": "ok"}
    assert all(d.ready and d.dispatch_failed_at is None for d in IssuedDocument.objects.all())


def test_tasks_acknowledge_late_only_where_idempotent_and_give_the_message_back_on_worker_loss():
    assert settings.CELERY_TASK_ACKS_LATE is False
    for task in (
        alliance_tasks.run_export,
        alliance_tasks.sweep_jobs,
        specialists_tasks.render_certificate,
        specialists_tasks.render_missing_certificates,
        specialists_tasks.run_lifecycle,
    ):
        assert (task.acks_late, task.reject_on_worker_lost) == (True, True), task.name
    assert alliance_tasks.run_import.acks_late is True
    assert alliance_tasks.ping.acks_late is False


def test_visibility_timeout_outlasts_the_longest_task_and_sending_fails_fast():
    options = celery_app.conf.broker_transport_options

    assert options["visibility_timeout"] >= 2 * 60 * 60
    assert options["max_retries"] <= 1 and options["socket_connect_timeout"] <= 2


def test_beat_runs_the_sweeps_every_five_minutes():
    schedule = settings.CELERY_BEAT_SCHEDULE
    tasks = {entry["task"]: entry for entry in schedule.values()}

    assert str(tasks["alliance.sweep_jobs"]["schedule"]._orig_minute) == "*/5"
    assert "alliance.specialists.render_missing_certificates" in tasks


def test_compose_redis_keeps_queued_tasks_across_a_restart():
    redis = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["redis"]

    assert "--appendonly yes" in redis["command"]
    assert "--dir /data" in redis["command"]
    assert any(volume.endswith(":/data") for volume in redis["volumes"])
