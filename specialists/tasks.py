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
