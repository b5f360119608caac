from celery import shared_task


# acks_late: a worker lost mid-run gives the message back; safe because a delivery already sent is
# never sent again (notice_deliver sends only rows not marked sent, each under its row lock).
@shared_task(name="alliance.liaisons.send_notice", acks_late=True, reject_on_worker_lost=True)
def send_notice(*, notice_id):
    """Email a notice to every liaison it is addressed to and not yet sent to. Idempotent."""
    from .models import Notice
    from .services import notice_deliver

    notice = Notice.objects.filter(pk=notice_id).first()
    if notice is None:
        return {"notice": notice_id, "sent": 0, "failed": 0}
    sent, failed = notice_deliver(notice)
    return {"notice": notice_id, "sent": sent, "failed": failed}


@shared_task(name="alliance.liaisons.send_pending_notices", acks_late=True, reject_on_worker_lost=True)
def send_pending_notices():
    """Beat: notices with deliveries not sent yet (the broker was down, or a mail server refused)."""
    from .selectors import notices_with_pending_deliveries
    from .services import notice_deliver

    totals = {"notices": 0, "sent": 0, "failed": 0}
    for notice in notices_with_pending_deliveries():
        sent, failed = notice_deliver(notice)
        totals["notices"] += 1
        totals["sent"] += sent
        totals["failed"] += failed
    return totals
