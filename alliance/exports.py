"""Long `.xlsx` exports as Celery jobs with visible progress.

An app registers an exporter in its `exporters.py`:

    @exports.register("specialists.ledger", title=_("Points ledger"), filename="points-ledger.xlsx",
                      count=lambda params: LedgerEntry.objects.count())
    def ledger(params):
        return [ledger_sheet()]

Staff start one with `export_start(user=..., key=...)`; the task is sent after commit through
`alliance.dispatch` (a broker outage marks the job "not queued" and the page offers a retry).
The worker writes the workbook with `alliance.xlsx.write_workbook`, reporting its row count every
few thousand rows to the cache (not the database: the export's queries stay independent of its
size), and the page at `/exports/<id>/` shows the progress and then the download.
"""

import contextlib
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from django.core.cache import cache
from django.core.files import File
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit, dispatch
from .exceptions import BusinessRuleError, NotPermitted
from .models import ExportJob, ExportStatus
from .reference import PROJECT_APPS
from .roles import is_service_staff
from .xlsx import write_workbook

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Exporter:
    key: str
    title: str
    filename: str
    build: Callable[[dict], list]
    count: Callable[[dict], int] | None
    permission: Callable[[object], bool]
    # The parameters the exporter understands (e.g. "date_from", "date_to", "specialist"): the exports
    # page offers exactly these, and export_start refuses any other.
    params: tuple[str, ...] = ()


_registry: dict[str, Exporter] = {}


def register(key, *, title, filename, count=None, permission=is_service_staff, params=()):
    def decorator(build):
        _registry[key] = Exporter(key, title, filename, build, count, permission, tuple(params))
        return build

    return decorator


def autodiscover():
    for label in PROJECT_APPS:
        try:
            import_module(f"{label}.exporters")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.exporters":
                raise


def get_exporter(key):
    try:
        return _registry[key]
    except KeyError:
        raise BusinessRuleError(f"Unknown export {key!r}.", field="exporter") from None


def exporters_for(user):
    return [e for e in _registry.values() if e.permission(user)]


def _progress_key(job_pk):
    return f"alliance:export-progress:{job_pk}"


def _report_progress(job_pk, rows):
    try:
        cache.set(_progress_key(job_pk), rows, timeout=6 * 60 * 60)
    except Exception:  # noqa: BLE001 - progress is a courtesy: a cache outage must not fail the export
        logger.warning("export %s: progress not reported", job_pk, exc_info=True)


def with_progress(job):
    """`job` with `rows_done` as the worker last reported it while it runs (the database has the
    count once the job has finished)."""
    if job.status == ExportStatus.RUNNING:
        try:
            rows = cache.get(_progress_key(job.pk))
        except Exception:  # noqa: BLE001 - show the last count the database has
            rows = None
        if rows is not None:
            job.rows_done = rows
    return job


def export_start(*, user, key, params=None):
    """Queue an export for `user`.

    Side effects: an ExportJob row, an audit entry, and the Celery task after commit.
    """
    exporter = get_exporter(key)
    if not exporter.permission(user):
        raise NotPermitted("You may not run this export.")
    unknown = set(params or {}) - set(exporter.params)
    if unknown:
        raise BusinessRuleError(
            _("This export cannot be limited by %(names)s.") % {"names": "、".join(sorted(unknown))}, field="params"
        )
    job = ExportJob.objects.create(exporter=key, params=params or {}, requested_by=user)
    audit.record("export.requested", job, actor=user, exporter=key, params=job.params)
    from .tasks import run_export

    dispatch.enqueue(job, run_export, job_id=str(job.pk))
    return job


def export_retry(job, *, user):
    """Send again an export the worker never received (the broker was down, or lost the message).

    Side effects: the job is queued again (see `dispatch.send`) and an audit entry.  Refused for a
    job that is running, finished or queued a moment ago.  Raises BrokerUnavailable if the broker
    is still down.
    """
    if not can_download(user, job):
        raise NotPermitted(_("You may not retry this export."))
    if not dispatch.is_stuck(job):
        raise BusinessRuleError(_("This export is already queued or has run; there is nothing to retry."), field="job")
    from .tasks import run_export

    audit.record("export.retried", job, actor=user, attempts=job.attempts)
    dispatch.send(job, run_export, job_id=str(job.pk))
    return job


def export_run(job):
    """Write the job's workbook, recording progress.

    Idempotent: a finished job is left alone, and a job another worker is running is skipped (the
    same message may arrive twice: acks_late redelivery, a retry, the sweep).
    """
    if job.status == ExportStatus.DONE:
        return job
    with dispatch.exclusive(job) as mine:
        if not mine:
            logger.info("export %s is being run by another worker", job.pk)
            return job
        job.refresh_from_db()
        if job.status == ExportStatus.DONE:
            return job
        return _export_write(job)


def _export_write(job):
    exporter = get_exporter(job.exporter)
    job.status = ExportStatus.RUNNING
    job.rows_done = 0
    job.error = ""
    job.rows_total = exporter.count(job.params) if exporter.count else None
    job.save(update_fields=["status", "rows_done", "error", "rows_total"])

    def progress(rows):
        _report_progress(job.pk, rows)

    try:
        with tempfile.TemporaryFile() as tmp:
            job.rows_done = write_workbook(tmp, exporter.build(job.params), progress=progress)
            tmp.seek(0)
            job.file.save(f"{job.pk}-{exporter.filename}", File(tmp), save=False)
    except Exception as exc:  # noqa: BLE001 - the job records the failure for the person waiting on it
        logger.exception("export %s failed", job.pk)
        job.status = ExportStatus.FAILED
        job.error = f"{exc.__class__.__name__}: {exc}"
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "error", "finished_at"])
        return job
    job.status = ExportStatus.DONE
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "rows_done", "file", "finished_at"])
    with contextlib.suppress(Exception):  # the key expires by itself
        cache.delete(_progress_key(job.pk))
    return job


def can_download(user, job):
    """The person who asked, or the secretariat."""
    from .roles import is_secretariat

    return user.is_authenticated and (job.requested_by_id == user.pk or is_secretariat(user))
