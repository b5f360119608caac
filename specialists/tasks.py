import datetime as dt
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from .lifecycle import lifecycle_run

SHANGHAI = ZoneInfo("Asia/Shanghai")


@shared_task(name="alliance.specialists.run_lifecycle")
def run_lifecycle(*, as_of=None):
    """Nightly (CELERY_BEAT_SCHEDULE): the lifecycle rules for today in Asia/Shanghai. Idempotent."""
    day = dt.date.fromisoformat(as_of) if as_of else timezone.localdate(timezone=SHANGHAI)
    run, changes = lifecycle_run(as_of=day, source="schedule")
    return {"as_of": day.isoformat(), "run": run.pk, "changed": len(changes)}


@shared_task(name="alliance.specialists.render_certificate")
def render_certificate(*, document_id, force=False):
    """Render one issued certificate to PDF (queued on commit when staff issue it).

    Idempotent: a rendered document is left alone unless `force` (staff asked for a fresh copy).
    """
    from .documents import document_render
    from .models import IssuedDocument

    document = IssuedDocument.objects.filter(pk=document_id).first()
    if document is None:
        return {"document": document_id, "rendered": False}
    document = document_render(document, force=force)
    return {"document": document.pk, "rendered": document.ready, "file": document.file.name}
