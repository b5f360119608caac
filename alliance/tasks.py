from celery import shared_task

from . import audit


@shared_task(name="alliance.ping")
def ping(*, note=""):
    """Proves a worker is consuming: records an audit entry and answers "pong"."""
    audit.record("worker.ping", note=note)
    return "pong"


# acks_late + reject_on_worker_lost: a worker killed mid-export gives the message back to Redis
# (after the broker's visibility_timeout) and another worker runs it; export_run is idempotent.
@shared_task(name="alliance.run_export", acks_late=True, reject_on_worker_lost=True)
def run_export(*, job_id):
    from .exports import export_run
    from .models import ExportJob

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_run(job)


@shared_task(name="alliance.sweep_jobs", acks_late=True, reject_on_worker_lost=True)
def sweep_jobs():
    """Every few minutes (CELERY_BEAT_SCHEDULE): send again the jobs the worker never received."""
    from . import dispatch

    return dispatch.sweep()


# Idempotent like run_export: a finished job is left alone, and rows an interrupted run recorded
# carry the job's id and are not recorded again; dispatch.exclusive keeps two workers off one job.
@shared_task(name="alliance.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(*, job_id):
    """Check and import an uploaded workbook (alliance.imports.import_run)."""
    from .imports import import_run
    from .models import ImportJob

    job = ImportJob.objects.filter(pk=job_id).first()
    if job is not None:
        import_run(job)
