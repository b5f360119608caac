from celery import shared_task

from . import audit


@shared_task(name="alliance.ping")
def ping(*, note=""):
    """Proves a worker is consuming: records an audit entry and answers "pong"."""
    audit.record("worker.ping", note=note)
    return "pong"
