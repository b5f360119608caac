"""Certificates issued to specialists, as PDFs (第六条 3, 第九条 1 and 6).

General specialists get an appointment certificate (聘书), a work ID (工作证) and a
rights-and-obligations letter (权利和义务书); a specialist the committee voted excellent gets the
优秀绿色矿山科技特别专员 certificate.  Issuing creates the `IssuedDocument` rows and, after commit, sends the
Celery task `alliance.specialists.render_certificate` (through `alliance.dispatch`), which renders
each PDF once.  If the broker is down the rows are kept, `dispatch_failed_at` is set, the caller
gets RenderNotQueued (a message) and the beat sweep sends the render again.
"""

import datetime as dt
import secrets
from functools import cache

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit, dispatch
from alliance.exceptions import BusinessRuleError
from alliance.pdf import render_pdf

from .enums import DocumentKind, SpecialistStatus
from .models import ExcellentNomination, IssuedDocument, Specialist
from .reference import read

# 第九条 1: 一般特别专员可发放聘书和工作证 (and 第六条 3 adds the rights-and-obligations letter).
GENERAL_KINDS = (DocumentKind.APPOINTMENT, DocumentKind.WORK_ID, DocumentKind.RIGHTS_LETTER)
TEMPLATES = {kind: f"specialists/documents/{kind}.html" for kind in DocumentKind.values}
FILE_STEMS = {
    DocumentKind.APPOINTMENT: "appointment-certificate",
    DocumentKind.WORK_ID: "work-id",
    DocumentKind.RIGHTS_LETTER: "rights-and-obligations",
    DocumentKind.EXCELLENT: "excellent-specialist",
}


@cache
def texts():
    """The documents' fixed wording, transcribed from the seed (data/documents.yaml)."""
    return read("documents.yaml")


def _number(kind, year, specialist_id):
    return f"{texts()['number_prefix'][kind]}〔{year}〕{specialist_id:05d}号"


def _get_or_create(specialist, kind, year, *, on, actor):
    document, created = IssuedDocument.objects.get_or_create(
        specialist=specialist,
        kind=kind,
        year=year,
        defaults={"number": _number(kind, year, specialist.pk), "issued_on": on, "issued_by": actor},
    )
    if created:
        audit.record("specialist.document_issued", specialist, actor=actor, kind=kind, number=document.number)
    return document, created


class RenderNotQueued(dispatch.BrokerUnavailable):
    """The certificates were issued (the rows are kept) but their rendering could not be queued."""

    def __init__(self):
        super().__init__(
            _(
                "The certificate was issued, but its PDF could not be queued for rendering: the task queue "
                "cannot be reached. It will be retried automatically; staff can also use 'Render again'."
            )
        )


def documents_dispatch_render(ids, *, force=False):
    """Send a render task for each document id now.

    Side effects: `dispatch_failed_at` is cleared on each document sent and set (to now) on each
    one the broker refused; then RenderNotQueued is raised.  Stops at the first broker failure.
    """
    from .tasks import render_certificate

    ids = list(ids)
    for n, pk in enumerate(ids):
        try:
            dispatch.publish(render_certificate, document_id=pk, force=force)
        except dispatch.BrokerUnavailable as exc:
            IssuedDocument.objects.filter(pk__in=ids[n:]).update(dispatch_failed_at=timezone.now())
            raise RenderNotQueued() from exc
        IssuedDocument.objects.filter(pk=pk, dispatch_failed_at__isnull=False).update(dispatch_failed_at=None)
    return len(ids)


def _queue_render(documents):
    """After commit, send the renders of the documents not yet rendered (RenderNotQueued if refused)."""
    ids = [document.pk for document in documents if not document.ready]
    if ids:
        dispatch.after_commit(lambda: documents_dispatch_render(ids))


def documents_render_again(documents, *, actor):
    """Staff's "render again" (重新生成): a fresh PDF of each document, e.g. after a change of name.

    Side effects: audit entries, a render task per document (force); RenderNotQueued if the broker
    is down (`dispatch_failed_at` is then set and the sweep retries).
    """
    ids = [document.pk for document in documents]
    for document in documents:
        audit.record("specialist.document_render_again", document.specialist, actor=actor, number=document.number)
    return documents_dispatch_render(ids, force=True)


def documents_render_missing(*, unrendered=False, limit=500):
    """The sweep: send again the renders the broker refused (`dispatch_failed_at` set), and with
    `unrendered` every document issued before today and still without its PDF (a lost message).

    Idempotent (a rendered document is left alone).  Returns {"sent": n, "broker": "ok"|"unavailable"}.
    """
    query = Q(dispatch_failed_at__isnull=False)
    if unrendered:
        query |= Q(issued_on__lt=timezone.localdate())
    ids = list(
        IssuedDocument.objects.filter(query, rendered_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    try:
        sent = documents_dispatch_render(ids)
    except dispatch.BrokerUnavailable:
        return {"sent": 0, "broker": "unavailable"}
    return {"sent": sent, "broker": "ok"}


@transaction.atomic
def documents_issue(specialist, *, actor, on=None):
    """Issue the 聘书, 工作证 and 权利和义务书 of a general specialist for the year of `on`.

    Idempotent within a year: existing documents are reused.  Side effects: IssuedDocument rows,
    audit, and a render task per document not yet rendered (after commit; if the broker is down the
    rows are kept with `dispatch_failed_at` and RenderNotQueued is raised after the commit).  Refused
    (BusinessRuleError) for anyone who is not a general specialist.
    """
    on = on or timezone.localdate()
    specialist = Specialist.objects.select_for_update().get(pk=specialist.pk)
    if specialist.status != SpecialistStatus.GENERAL:
        raise BusinessRuleError(
            _(
                "Certificates, work IDs and the rights-and-obligations letter are issued to general specialists "
                "only (%(name)s: %(status)s)."
            )
            % {"name": specialist.name, "status": SpecialistStatus(specialist.status).label},
            field="specialist",
        )
    documents = [_get_or_create(specialist, kind, on.year, on=on, actor=actor)[0] for kind in GENERAL_KINDS]
    _queue_render(documents)
    return documents


@transaction.atomic
def excellent_certificate_issue(nomination, *, actor, on=None):
    """第九条 6: the 优秀绿色矿山科技特别专员 certificate for a nomination the committee passed.

    Idempotent: one certificate per specialist and year.  Side effects: IssuedDocument row, audit,
    render task after commit.
    """
    on = on or timezone.localdate()
    nomination = ExcellentNomination.objects.select_related("specialist").get(pk=nomination.pk)
    if not nomination.awarded:
        raise BusinessRuleError(
            _("The excellent-specialist certificate follows a passed committee vote on the nomination."),
            field="nomination",
        )
    document, _created = _get_or_create(
        nomination.specialist, DocumentKind.EXCELLENT, nomination.year, on=on, actor=actor
    )
    _queue_render([document])
    return document


def _chinese_date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def document_context(document):
    specialist = document.specialist
    profile = getattr(specialist.user, "profile", None)
    organisation = getattr(getattr(profile, "organisation", None), "name", "")
    data = texts()
    valid_until = dt.date(document.issued_on.year + data["appointment_years"], 12, 31)
    return {
        "document": document,
        "specialist": specialist,
        "name": specialist.name,
        "organisation": organisation,
        "committee": specialist.committee.name if specialist.committee_id else "",
        "number": document.number,
        "year": document.year,
        "issued_on": _chinese_date(document.issued_on),
        "valid_from": _chinese_date(document.issued_on),
        "valid_until": _chinese_date(valid_until),
        "texts": data,
    }


def document_render(document, *, force=False):
    """Render the document's PDF and store it (the task calls this).

    Idempotent: a document already rendered is left as it is unless `force`.  The PDF is made
    outside any lock (WeasyPrint is slow); the row is then locked and written once.
    """
    document = IssuedDocument.objects.select_related(
        "specialist__user__profile__organisation", "specialist__committee"
    ).get(pk=document.pk)
    if document.ready and not force:
        return document
    pdf = render_pdf(TEMPLATES[document.kind], document_context(document))
    with transaction.atomic():
        locked = IssuedDocument.objects.select_for_update().get(pk=document.pk)
        if locked.ready and not force:
            return locked
        old = locked.file.name if locked.file else None
        name = f"{FILE_STEMS[locked.kind]}-{locked.year}-{secrets.token_hex(8)}.pdf"
        locked.file.save(name, ContentFile(pdf), save=False)
        locked.rendered_at = timezone.now()
        locked.save(update_fields=["file", "rendered_at"])
    if old and old != locked.file.name:
        locked.file.storage.delete(old)
    return locked


def download_name(document):
    return f"{FILE_STEMS[document.kind]}-{document.year}.pdf"
