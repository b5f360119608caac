"""Sending background jobs to the Celery worker so that a broker outage loses nothing.

A job row (ExportJob, ImportJob) is created in the request's transaction; the task is sent
after commit.  If the broker cannot be reached the job is marked `unqueued` (never left
"queued" for ever) and `BrokerUnavailable` tells the caller, who shows a clear message (a 503
in the API).  The job page offers a retry; the periodic sweep (`alliance.sweep_jobs`) re-sends
jobs not queued, or queued so long ago that the message was probably lost (a Redis restart).

    job = ExportJob.objects.create(...)
    dispatch.enqueue(job, run_export, job_id=str(job.pk))

Sending fails fast: `retry=False` here, and CELERY_BROKER_TRANSPORT_OPTIONS (settings) limit
the connection attempt to about a second, so a request never hangs on a dead broker.  The task
result is not subscribed to (`ignore_result`): nobody waits for it, and subscribing would make
the Redis result backend retry for twenty seconds first.

Tasks sent this way must be idempotent: a job may be sent twice (retry button, sweep) and a
message may be delivered twice (acks_late).  `exclusive(job)` lets a task skip a job another
worker is running.
"""

import contextlib
import datetime as dt
import logging
import zlib

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from kombu.exceptions import OperationalError

from .exceptions import BusinessRuleError
from .models import JobStatus

logger = logging.getLogger(__name__)

# A job queued this long ago and still not started is presumed lost (a broker restart) and is
# sent again by the sweep; running it twice is harmless (the tasks are idempotent).
STALE_AFTER = dt.timedelta(minutes=15)
# The sweep stops re-sending a job after this many sends; the page still offers a retry.
MAX_ATTEMPTS = 5

try:  # redis-py's own errors, when a command fails outside kombu's wrapper
    from redis.exceptions import ConnectionError as _RedisConnectionError
    from redis.exceptions import TimeoutError as _RedisTimeoutError

    _BROKER_ERRORS = (OperationalError, OSError, _RedisConnectionError, _RedisTimeoutError)
except ImportError:  # pragma: no cover - redis is installed wherever a broker is used
    _BROKER_ERRORS = (OperationalError, OSError)


class BrokerUnavailable(BusinessRuleError):
    """The task queue could not be reached; the job was kept and can be retried (503 in the API).

    `job` is the job that was not queued, when there is one.
    """

    job = None

    def __init__(self, message=None):
        super().__init__(
            message or _("The task queue cannot be reached right now; the job was saved and can be retried."),
            field="queue",
            code="broker_unavailable",
        )


def publish(task, **kwargs):
    """Send `task` with keyword `kwargs` now, once; raises BrokerUnavailable if the broker is down.

    In-process (eager) mode the task runs here and its own errors propagate unchanged.
    """
    if task.app.conf.task_always_eager:
        return task.apply_async(kwargs=kwargs)
    try:
        return task.apply_async(kwargs=kwargs, retry=False, ignore_result=True)
    except _BROKER_ERRORS as exc:
        logger.warning("could not send %s %s: %s", task.name, kwargs, exc)
        raise BrokerUnavailable() from exc


def after_commit(func):
    """Run `func` once the current transaction commits, letting its exception reach the caller.

    Outside a transaction `func` runs at once and raises from here; inside `atomic()` it raises
    where the outermost block exits, after the commit (the rows are kept).  Catch
    BrokerUnavailable around the whole block.
    """
    transaction.on_commit(func, robust=False)


def send(job, task, **kwargs):
    """Send `task` for `job` now.  Returns False (and sends nothing) if the job already started.

    Side effects: the job's `attempts` goes up by one, `queued_at` is now and its status is
    "queued"; on a broker failure the status becomes "not queued" and BrokerUnavailable is raised.
    """
    model = type(job)
    now = timezone.now()
    claimed = model.objects.filter(pk=job.pk, status__in=[JobStatus.PENDING, JobStatus.UNQUEUED]).update(
        status=JobStatus.PENDING, queued_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        return False
    job.status, job.queued_at, job.attempts = JobStatus.PENDING, now, job.attempts + 1
    try:
        publish(task, **kwargs)
    except BrokerUnavailable as exc:
        model.objects.filter(pk=job.pk, status=JobStatus.PENDING).update(status=JobStatus.UNQUEUED)
        job.status = JobStatus.UNQUEUED
        exc.job = job  # the caller can point at the job's page (and its retry button)
        raise
    return True


def enqueue(job, task, **kwargs):
    """Send `task` for `job` once the current transaction commits (at once outside one).

    Raises BrokerUnavailable (see `after_commit` for where) with the job marked "not queued".
    """
    after_commit(lambda: send(job, task, **kwargs))


def is_stuck(job, *, now=None):
    """Not queued, or queued so long ago without starting that it needs sending again."""
    now = now or timezone.now()
    if job.status == JobStatus.UNQUEUED:
        return True
    if job.status != JobStatus.PENDING:
        return False
    return (job.queued_at or job.created_at) < now - STALE_AFTER


def stuck(model, *, now=None):
    """The `model` jobs the sweep sends again: not queued, or queued and stale, and not given up on."""
    limit = (now or timezone.now()) - STALE_AFTER
    return model.objects.filter(
        Q(status=JobStatus.UNQUEUED)
        | Q(status=JobStatus.PENDING, queued_at__lt=limit)
        | Q(status=JobStatus.PENDING, queued_at__isnull=True, created_at__lt=limit),
        attempts__lt=MAX_ATTEMPTS,
    ).order_by("created_at")


def _lock_key(job):
    # A PostgreSQL advisory lock key per job: the model's and the row's identity, as two int4.
    model = zlib.crc32(type(job)._meta.label.encode()) - 2**31
    row = zlib.crc32(str(job.pk).encode()) - 2**31
    return model, row


@contextlib.contextmanager
def exclusive(job):
    """Yield True if this worker may run `job` now, False if another worker is running it.

    A session advisory lock on PostgreSQL: a worker that dies releases it with its connection,
    so a redelivered message can take the job over.  Elsewhere (SQLite, one process) always True.
    """
    if connection.vendor != "postgresql":
        yield True
        return
    key = _lock_key(job)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)


# The jobs the sweep looks after: model label → the name of the task that runs one (job_id=...).
SWEPT = {"alliance.ExportJob": "alliance.run_export", "alliance.ImportJob": "alliance.run_import"}


def sweep(*, now=None, limit=200):
    """Send again the jobs `stuck` returns, oldest first, up to `limit` per kind of job.

    Stops at the first broker failure (the next sweep tries again).  Returns what it did, e.g.
    {"alliance.ExportJob": 2, "alliance.ImportJob": 0, "broker": "ok"}.
    """
    from django.apps import apps

    from .celery import app

    report = {"broker": "ok"}
    for label, task_name in SWEPT.items():
        task = app.tasks.get(task_name)
        report[label] = 0
        if task is None:  # the app defining it is not installed (yet)
            continue
        for job in stuck(apps.get_model(label), now=now)[:limit]:
            try:
                sent = send(job, task, job_id=str(job.pk))
            except BrokerUnavailable:
                report["broker"] = "unavailable"
                return report
            report[label] += int(sent)
    return report
