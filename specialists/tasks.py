import datetime as dt

from celery import shared_task

from .lifecycle import lifecycle_run, shanghai_today


# acks_late: a worker lost mid-run gives the message back.  Safe because a run is idempotent for
# its as-of date (a transition restarts the state's clock on that date, so a second run for the
# same date finds nothing to change) and it writes in one transaction (a killed run writes nothing).
@shared_task(name="alliance.specialists.run_lifecycle", acks_late=True, reject_on_worker_lost=True)
def run_lifecycle(*, as_of=None):
    """Nightly (CELERY_BEAT_SCHEDULE): the lifecycle rules for today in Asia/Shanghai. Idempotent.

    A future `as_of` is refused (BusinessRuleError) like everywhere else.
    """
    day = dt.date.fromisoformat(as_of) if as_of else shanghai_today()
    run, changes = lifecycle_run(as_of=day, source="schedule")
    return {"as_of": day.isoformat(), "run": run.pk, "changed": len(changes)}


@shared_task(name="alliance.specialists.render_certificate", acks_late=True, reject_on_worker_lost=True)
def render_certificate(*, document_id, force=False):
    """Render one issued certificate to PDF (sent after commit when staff issue it).

    Idempotent, so safe to receive twice: a rendered document is left alone unless `force` (staff
    asked for a fresh copy), and two concurrent renders write the file once (document_render).
    """
    from .documents import document_render
    from .models import IssuedDocument

    document = IssuedDocument.objects.filter(pk=document_id).first()
    if document is None:
        return {"document": document_id, "rendered": False}
    document = document_render(document, force=force)
    return {"document": document.pk, "rendered": document.ready, "file": document.file.name}


@shared_task(name="alliance.specialists.render_missing_certificates", acks_late=True, reject_on_worker_lost=True)
def render_missing_certificates(*, unrendered=False):
    """Beat: send again the renders the broker refused (and, with `unrendered`, any not yet rendered)."""
    from .documents import documents_render_missing

    return documents_render_missing(unrendered=unrendered)
