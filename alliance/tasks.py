from celery import shared_task

from . import audit


@shared_task(name="alliance.ping")
def ping(*, note=""):
    """Proves a worker is consuming: records an audit entry and answers "pong"."""
    audit.record("worker.ping", note=note)
    return "pong"


@shared_task(name="alliance.run_export", acks_late=True)
def run_export(*, job_id):
    from .exports import export_run
    from .models import ExportJob

    job = ExportJob.objects.filter(pk=job_id).first()
    if job is not None:
        export_run(job)
