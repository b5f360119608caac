"""Sending background jobs to the Celery worker so that a broker outage loses nothing.

A job row (ExportJob, ImportJob) is created in the request's transaction; the task is sent
after commit.  If the broker cannot be reached the job is marked `unqueued` (never left
"queued" for ever) and `BrokerUnavailable` tells the caller, who shows a clear message (a 503
in the API).  The job page offers a retry; a periodic sweep re-sends jobs stuck in "queued".

    job = ExportJob.objects.create(...)
    dispatch.enqueue(job, run_export, job_id=str(job.pk))
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .exceptions import BusinessRuleError
from .models import JobStatus

logger = logging.getLogger(__name__)


class BrokerUnavailable(BusinessRuleError):
    """The task queue could not be reached; the job was kept and can be retried."""

    def __init__(self, message=None):
        super().__init__(
            message or _("The task queue cannot be reached right now; the job was saved and can be retried."),
            field="queue",
        )


def send(job, task, **kwargs):
    """Send `task` for `job` now; marks the job unqueued and raises BrokerUnavailable on failure."""
    model = type(job)
    try:
        task.apply_async(kwargs=kwargs, retry=False)
    except Exception as exc:
        logger.warning("could not queue %s %s: %s", model.__name__, job.pk, exc)
        model.objects.filter(pk=job.pk).update(status=JobStatus.UNQUEUED)
        job.status = JobStatus.UNQUEUED
        raise BrokerUnavailable() from exc
    now = timezone.now()
    model.objects.filter(pk=job.pk, status__in=[JobStatus.PENDING, JobStatus.UNQUEUED]).update(
        status=JobStatus.PENDING, queued_at=now
    )
    job.queued_at = now


def enqueue(job, task, **kwargs):
    """Send `task` for `job` once the current transaction commits (at once outside one)."""
    type(job).objects.filter(pk=job.pk).update(attempts=job.attempts + 1)
    job.attempts += 1
    transaction.on_commit(lambda: send(job, task, **kwargs), robust=False)
