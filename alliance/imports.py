"""Workbook imports as Celery jobs: checked whole, written in bulk, and never recorded twice.

An app registers an importer in its `imports.py`:

    imports.register(imports.Importer(
        key="specialists.activities", title=_("Activities"), columns=COLUMNS,
        template=template_sheets, validate=validate, write=write, template_filename="x.xlsx"))

The upload (`import_start`) only stores the file, takes its SHA-256 and creates an ImportJob; a file
already imported by the same importer is refused.  The worker (`import_run`) reads every row, reports
every format and business error at once (then nothing is written), and otherwise hands the checked
rows to the importer's `write`, which records them batch by batch, each batch in one transaction.

    validate(rows) -> (prepared, errors)   rows: dicts from read_sheet with "_row" and "_bad" (keys
                                           whose cell was already reported); errors: ImportProblem
    write(prepared, *, job, progress) -> result dict; call progress(rows_done) inside each batch
"""

import contextlib
import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import audit, dispatch
from .exceptions import BusinessRuleError, NotPermitted
from .models import ImportJob, JobStatus
from .reference import PROJECT_APPS
from .roles import is_secretariat, is_service_staff
from .xlsx import Column, SheetErrors, read_sheet

logger = logging.getLogger(__name__)

# Errors kept on the job (the page pages through them); the total is in result["error_count"].
MAX_STORED_ERRORS = 5_000
# Rows reported as not recorded (duplicates...) kept on the job; the counts are always complete.
MAX_STORED_SKIPS = 2_000
IN_PROGRESS = (JobStatus.PENDING, JobStatus.UNQUEUED, JobStatus.RUNNING)


@dataclass(frozen=True)
class Importer:
    key: str
    title: str
    columns: list[Column]
    template: Callable[[], list]
    validate: Callable[[list[dict]], tuple[list, list]]
    write: Callable[..., dict]
    template_filename: str
    max_rows: int = 50_000
    permission: Callable[[object], bool] = is_service_staff

    @property
    def cap(self):
        """The row limit as the page states it ("50,000")."""
        return f"{self.max_rows:,}"


@dataclass(frozen=True)
class ImportProblem:
    row: int  # the spreadsheet's row number (the header is row 1; 0 for the file as a whole)
    column: str
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": str(self.message)}


@dataclass(frozen=True)
class Invalid:
    """A cell that could not be parsed; the reading layer reports it, validation skips it."""

    message: str


_registry: dict[str, Importer] = {}
_discovered = False


def register(importer):
    _registry[importer.key] = importer
    return importer


def _autodiscover():
    global _discovered
    if _discovered:
        return
    for label in PROJECT_APPS:
        try:
            import_module(f"{label}.imports")
        except ModuleNotFoundError as exc:
            if exc.name != f"{label}.imports":
                raise
    _discovered = True


def get_importer(key):
    _autodiscover()
    try:
        return _registry[key]
    except KeyError:
        raise BusinessRuleError(gettext_lazy("Unknown import."), field="importer") from None


def importers_for(user):
    _autodiscover()
    return [i for i in _registry.values() if i.permission(user)]


def can_view(user, job):
    """The person who uploaded the file, or the secretariat."""
    return bool(user.is_authenticated and (job.requested_by_id == user.pk or is_secretariat(user)))


def local_time(value):
    """A timestamp as the secretariat reads it (Asia/Shanghai unless TIME_ZONE says otherwise)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


class AlreadyImported(BusinessRuleError):
    """The same file was imported before (or is being imported now); `job` is that import."""

    def __init__(self, job):
        self.job = job
        if job.status == JobStatus.DONE:
            message = _("This file was already imported on %(date)s; nothing was done this time.") % {
                "date": local_time(job.finished_at or job.created_at)
            }
        else:
            message = _("This file is already being imported (uploaded %(date)s).") % {
                "date": local_time(job.created_at)
            }
        super().__init__(message, field="file", code="duplicate")


def fingerprint(fileobj):
    digest = hashlib.sha256()
    if hasattr(fileobj, "chunks"):
        for chunk in fileobj.chunks():
            digest.update(chunk)
    else:
        for chunk in iter(lambda: fileobj.read(1 << 20), b""):
            digest.update(chunk)
    fileobj.seek(0)
    return digest.hexdigest()


def import_start(*, user, key, upload, params=None):
    """Store an uploaded workbook and queue its import; returns the ImportJob.

    Refuses a file this importer already imported (AlreadyImported, naming the date and the job).
    Side effects: the stored file, an ImportJob, an audit entry, and the Celery task after commit.
    If the broker is down the job is kept as "not queued" (its page offers a retry): `job.status`
    says so; the caller shows the message.
    """
    importer = get_importer(key)
    if not importer.permission(user):
        raise NotPermitted(_("You may not run this import."))
    digest = fingerprint(upload)
    earlier = (
        ImportJob.objects.filter(importer=key, fingerprint=digest, status__in=[JobStatus.DONE, *IN_PROGRESS])
        .order_by("-finished_at", "-created_at")
        .first()
    )
    if earlier is not None:
        raise AlreadyImported(earlier)
    with transaction.atomic():
        job = ImportJob(importer=key, filename=upload.name[:255], fingerprint=digest, requested_by=user)
        job.params = params or {}
        job.file.save("workbook.xlsx", upload, save=False)
        job.save()
        audit.record("import.requested", job, actor=user, importer=key, filename=job.filename, fingerprint=digest)
    send(job)
    return job


def send(job):
    """Queue the job's task (again); a broker outage leaves it "not queued" instead of raising."""
    from .tasks import run_import

    # On a broker outage job.status is now UNQUEUED; the page explains and offers a retry.
    with contextlib.suppress(dispatch.BrokerUnavailable):
        dispatch.enqueue(job, run_import, job_id=str(job.pk))
    return job


def import_retry(job, *, user):
    """Send a job that never reached the worker, or that failed part way, to the worker again.

    Rows a failed attempt already recorded are recognised by their import job and not recorded again.
    """
    if not can_view(user, job) or not get_importer(job.importer).permission(user):
        raise NotPermitted(_("You may not run this import."))
    if not can_retry(job):
        raise BusinessRuleError(_("This import cannot be retried."), field="status")
    if job.status == JobStatus.FAILED:
        ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.PENDING, error="")
        job.status, job.error = JobStatus.PENDING, ""
    audit.record("import.retried", job, actor=user, status=job.status)
    return send(job)


def can_retry(job):
    # Validation errors are the file's fault: fix it and upload it again instead.
    return job.status == JobStatus.UNQUEUED or (job.status == JobStatus.FAILED and bool(job.error))


def read_rows(importer, fileobj):
    """Every row of the first sheet, and every format problem found (missing columns, bad cells).

    Cells that cannot be parsed become None and their key is listed in row["_bad"], so validation
    can go on and report the business problems of the same file in the same report.
    """
    columns = [replace(c, parse=_lenient(c.parse)) for c in importer.columns]
    try:
        rows = read_sheet(fileobj, columns, max_rows=importer.max_rows)
    except SheetErrors as exc:
        fatal = [e for e in exc.errors if e.row <= 1 or e.column == "file"]
        if fatal:
            return [], [_file_problem(e, importer) for e in fatal]
        # Only empty required cells: read again without `required` to check the rest too.
        fileobj.seek(0)
        rows = read_sheet(fileobj, [replace(c, required=False) for c in columns], max_rows=importer.max_rows)
    problems = []
    for row in rows:
        bad = set()
        for column in importer.columns:
            value = row.get(column.key)
            if isinstance(value, Invalid):
                problems.append(ImportProblem(row["_row"], column.header, value.message))
                row[column.key] = None
                bad.add(column.key)
            elif value is None and column.required:
                problems.append(ImportProblem(row["_row"], column.header, _("Required.")))
                bad.add(column.key)
        row["_bad"] = bad
    if not rows and not problems:
        problems.append(ImportProblem(0, _("file"), _("The sheet has no rows to import.")))
    return rows, problems


def _lenient(parse):
    def wrapped(value):
        try:
            return parse(value)
        except ValueError as exc:
            # alliance.xlsx's parse_* say what the cell should hold, in the user's language.
            return Invalid(str(exc) or _("Invalid value."))
        except (TypeError, ArithmeticError):
            return Invalid(_("Invalid value."))

    return wrapped


def _file_problem(error, importer):
    text = str(error.message)
    if error.column != "file":
        return ImportProblem(error.row, error.column, _("This column is missing."))
    if text.startswith("more than"):
        message = _("The file has more than %(n)s rows; split it into several files.") % {"n": f"{importer.max_rows:,}"}
    elif "empty" in text:
        message = _("The sheet is empty.")
    else:
        message = _("This is not a readable .xlsx workbook.")
    return ImportProblem(error.row, _("file"), message)


def _sort_key(columns):
    order = {c.header: i for i, c in enumerate(columns)}
    return lambda p: (p.row, order.get(p.column, len(order)))


def import_run(job):
    """Check and import the job's workbook; does nothing for a finished job (idempotent).

    Side effects: on errors, job.errors and nothing else; otherwise the importer's writes (batch by
    batch, with rows_done after each), the job marked done, and an audit entry.
    """
    if job.status == JobStatus.DONE:
        return job
    with dispatch.exclusive(job) as mine:
        if not mine:  # another worker is running this job (a message delivered twice)
            return job
        job.refresh_from_db()
        if job.status == JobStatus.DONE:
            return job
        with translation.override(settings.LANGUAGE_CODE):
            return _run(job)


def _run(job):
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, rows_done=0, error="")
    job.status, job.rows_done, job.error = JobStatus.RUNNING, 0, ""
    try:
        importer = get_importer(job.importer)
        started = time.perf_counter()
        with job.file.open("rb") as fileobj:
            rows, problems = read_rows(importer, fileobj)
        read = time.perf_counter()
        prepared, business = importer.validate(rows) if rows else ([], [])
        logger.info(
            "import %s: %d rows read in %.1f s, checked in %.1f s",
            job.pk,
            len(rows),
            read - started,
            time.perf_counter() - read,
        )
        problems = sorted([*problems, *business], key=_sort_key(importer.columns))
        job.rows_total = len(rows)
        if problems:
            job.status = JobStatus.FAILED
            job.errors = [p.as_dict() for p in problems[:MAX_STORED_ERRORS]]
            job.result = {"error_count": len(problems)}
            job.finished_at = timezone.now()
            job.save(update_fields=["status", "errors", "result", "rows_total", "finished_at"])
            return job
        job.errors = []
        job.save(update_fields=["rows_total", "errors"])

        def progress(done):
            ImportJob.objects.filter(pk=job.pk).update(rows_done=done)
            job.rows_done = done

        started = time.perf_counter()
        result = importer.write(prepared, job=job, progress=progress)
        logger.info("import %s: written in %.1f s", job.pk, time.perf_counter() - started)
    except Exception as exc:  # noqa: BLE001 - the job records the failure for the person waiting on it
        logger.exception("import %s failed", job.pk)
        return _fail(job, f"{exc.__class__.__name__}: {exc}")
    job.result = result
    job.status = JobStatus.DONE
    job.finished_at = timezone.now()
    try:
        with transaction.atomic():
            job.save(update_fields=["status", "result", "rows_done", "finished_at"])
            audit.record("import.done", job, actor=job.requested_by, importer=job.importer, **_counts(result))
    except IntegrityError:
        # Another job imported the same file meanwhile; its rows were found in the ledger, not re-recorded.
        other = ImportJob.objects.filter(importer=job.importer, fingerprint=job.fingerprint, status=JobStatus.DONE)
        other = other.exclude(pk=job.pk).first()
        return _fail(job, AlreadyImported(other).message if other else _("This file was already imported."))
    return job


def _counts(result):
    return {k: v for k, v in result.items() if isinstance(v, int)}


def _fail(job, message):
    job.status = JobStatus.FAILED
    job.error = message
    job.finished_at = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(status=job.status, error=job.error, finished_at=job.finished_at)
    return job


def status(job) -> dict[str, Any]:
    """What the job page polls."""
    return {
        "id": str(job.pk),
        "status": job.status,
        "status_display": job.get_status_display(),
        "rows_done": job.rows_done,
        "rows_total": job.rows_total,
        "percent": job.percent,
        "error": job.error,
        "error_count": (job.result or {}).get("error_count", 0),
        "recorded": (job.result or {}).get("recorded"),
    }
