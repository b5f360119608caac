"""How the alliance looks after a specialist: the liaison (第三条), contact with them (第六条 5) and
paper copies of documents on request (第六条 3).
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError

from ..enums import FROZEN_STATES, DocumentRequestStatus, LiaisonChangeStatus, SpecialistStatus
from ..models import ContactLog, DocumentRequest, LiaisonAssignment, LiaisonChangeRequest
from .common import lock_specialist, today

S = SpecialistStatus


@transaction.atomic
def liaison_assign(specialist, liaison, *, on, actor, reason=""):
    """第三条: assign (or change) the alliance liaison; history kept, open change requests closed."""
    specialist = lock_specialist(specialist)
    if specialist.liaison_id == liaison.pk:
        raise BusinessRuleError(_("That liaison is already assigned."), field="liaison")
    LiaisonAssignment.objects.filter(specialist=specialist, ended_on__isnull=True).update(ended_on=on)
    LiaisonAssignment.objects.create(specialist=specialist, liaison=liaison, started_on=on, reason=reason)
    specialist.liaison = liaison
    specialist.save(update_fields=["liaison"])
    LiaisonChangeRequest.objects.filter(specialist=specialist, status=LiaisonChangeStatus.OPEN).update(
        status=LiaisonChangeStatus.DONE, resolved_by=actor, resolved_at=timezone.now()
    )
    audit.record("specialist.liaison", specialist, actor=actor, liaison=liaison.pk, reason=reason)
    return specialist


def liaison_change_request_create(specialist, *, reason):
    """第三条: contact with the liaison is not working; the specialist asks for another.

    Only someone on the list has a liaison: an exited (or rejected) specialist is refused."""
    if specialist.status in FROZEN_STATES:
        raise BusinessRuleError(
            _("You are no longer on the specialist list, so no liaison is arranged and none can be changed."),
            field="status",
        )
    if not (reason or "").strip():
        raise BusinessRuleError(_("Say why you would like another liaison."), field="reason")
    if LiaisonChangeRequest.objects.filter(specialist=specialist, status=LiaisonChangeStatus.OPEN).exists():
        raise BusinessRuleError(_("You already have an open request."), field="reason")
    request = LiaisonChangeRequest.objects.create(specialist=specialist, reason=reason.strip())
    audit.record("specialist.liaison_change_requested", specialist, actor=specialist.user)
    return request


def liaison_change_request_decline(request, *, actor):
    if request.status != LiaisonChangeStatus.OPEN:
        raise BusinessRuleError(_("Only an open request can be declined."), field="status")
    request.status = LiaisonChangeStatus.DECLINED
    request.resolved_by = actor
    request.resolved_at = timezone.now()
    request.save(update_fields=["status", "resolved_by", "resolved_at"])
    audit.record("specialist.liaison_change_declined", request.specialist, actor=actor)
    return request


@transaction.atomic
def liaison_change_request_resolve(request, liaison, *, on, actor, reason=""):
    """第三条: resolve an open change request by assigning the new liaison (liaison_assign, which closes
    the specialist's open requests as done); the assignment's reason defaults to the request's."""
    specialist = lock_specialist(request.specialist)
    request = LiaisonChangeRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != LiaisonChangeStatus.OPEN:
        raise BusinessRuleError(
            _("This request has already been handled: only an open request is resolved by assigning a liaison."),
            field="status",
        )
    if specialist.status in FROZEN_STATES:
        raise BusinessRuleError(
            _("%(name)s is no longer on the specialist list: decline the request instead.") % {"name": specialist.name},
            field="liaison",
        )
    reason = (reason or "").strip() or request.reason.strip()
    liaison_assign(specialist, liaison, on=on, actor=actor, reason=reason[:300])
    request.refresh_from_db()
    audit.record("specialist.liaison_change_resolved", specialist, actor=actor, liaison=liaison.pk, number=request.pk)
    return request


def contact_record(specialist, *, staff, on, channel, notes=""):
    if on > today():
        raise BusinessRuleError(_("The contact date cannot be in the future."), field="contacted_on")
    return ContactLog.objects.create(specialist=specialist, staff=staff, contacted_on=on, channel=channel, notes=notes)


# ---- Paper copies -------------------------------------------------------------------------


def document_request_create(specialist, *, kind, copies=1, address=""):
    """第六条 3: a paper copy of a document, on request, posted to `address` (required).
    General specialists only (第九条 1)."""
    if specialist.status != S.GENERAL:
        raise BusinessRuleError(_("Certificates and work IDs are issued to general specialists."), field="kind")
    if not 1 <= copies <= 10:
        raise BusinessRuleError(_("Ask for 1 to 10 copies."), field="copies")
    address = (address or "").strip()
    if not address:
        raise BusinessRuleError(_("Give the postal address the paper copies are to be sent to."), field="address")
    if len(address) > 300:
        raise BusinessRuleError(_("The postal address is at most 300 characters."), field="address")
    if DocumentRequest.objects.filter(
        specialist=specialist, kind=kind, status=DocumentRequestStatus.REQUESTED
    ).exists():
        raise BusinessRuleError(_("A request for this document is already open."), field="kind")
    request = DocumentRequest.objects.create(specialist=specialist, kind=kind, copies=copies, address=address)
    audit.record("specialist.document_requested", specialist, actor=specialist.user, kind=kind)
    return request


def document_request_mark_sent(request, *, on, actor):
    if request.status != DocumentRequestStatus.REQUESTED:
        raise BusinessRuleError(_("Only an open request can be marked as sent."), field="status")
    request.status = DocumentRequestStatus.SENT
    request.sent_on = on
    request.handled_by = actor
    request.save(update_fields=["status", "sent_on", "handled_by"])
    audit.record("specialist.document_sent", request.specialist, actor=actor, kind=request.kind)
    return request
