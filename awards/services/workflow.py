"""The one state machine of an application (第三十一条) and the helpers every service shares."""

from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.roles import is_secretariat

from ..enums import ApplicationStatus as S
from ..models import Application, StatusChange

# Every move an application may make; application_set_status refuses any other.  The services add
# the conditions a move needs (a tally, a deadline, no committee score yet).
ALLOWED = {
    S.DRAFT: {S.SUBMITTED},
    # 第三十一条（一）: the office's formal check.  A re-application of a project awarded two years
    # before goes straight to the committee (第二十九条).  A correction still not conforming → not reviewed.
    S.SUBMITTED: {S.PEER_REVIEW, S.COMMITTEE_REVIEW, S.CORRECTION_REQUESTED, S.REJECTED, S.NOT_REVIEWED},
    # 逾期不补正 → not reviewed; corrected in time → back to the formal check.
    S.CORRECTION_REQUESTED: {S.SUBMITTED, S.NOT_REVIEWED},
    # 第三十一条（二）: ≥ 2/3 of the peer reviewers agree → committee, else no award.
    S.PEER_REVIEW: {S.COMMITTEE_REVIEW, S.NOT_AWARDED},
    # 第三十三条: withdrawal after peer review, before the committee reviews (no score yet).
    S.COMMITTEE_REVIEW: {S.LEADERSHIP_APPROVAL, S.NOT_AWARDED, S.WITHDRAWN},
    # 第三十一条（六）: the leadership group approves, then the notice.
    S.LEADERSHIP_APPROVAL: {S.PUBLIC_NOTICE, S.NOT_AWARDED},
    # 第三十三条: withdrawal during notice (two-year ban); 第三十七条: an unanswered substantive objection.
    S.PUBLIC_NOTICE: {S.FINAL_APPROVAL, S.NOT_AWARDED, S.WITHDRAWN},
    S.FINAL_APPROVAL: {S.AWARDED, S.NOT_AWARDED},
    # 第三十九、四十条: 不论何时，一经查明属实，撤消其奖励.
    S.AWARDED: {S.REVOKED},
    S.NOT_REVIEWED: set(),
    S.REJECTED: set(),
    S.NOT_AWARDED: set(),
    S.WITHDRAWN: set(),
    S.REVOKED: set(),
}


def status_label(status):
    return str(S(status).label)


def application_set_status(application, status, *, by, note="", **facts):
    """Move `application` to `status` if ALLOWED; extra `facts` set fields in the same save.

    Callers lock the row and hold the transaction.  Side effects: the status (saved with
    update_fields), a StatusChange row, an audit entry.  Raises BusinessRuleError naming both states.
    """
    old = application.status
    if status not in ALLOWED[S(old)]:
        raise BusinessRuleError(
            _("An application that is “%(old)s” cannot become “%(new)s”.")
            % {"old": status_label(old), "new": status_label(status)},
            field="status",
        )
    application.status = status
    for name, value in facts.items():
        setattr(application, name, value)
    application.save(update_fields=["status", "updated_at", *facts])
    StatusChange.objects.create(application=application, from_status=old, to_status=status, by=by, note=note)
    audit.record("awards.application.status", application, actor=by, **{"from": old, "to": status, "note": note})
    return application


def lock(application):
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("round", "organisation")
        .get(pk=application.pk)
    )


def require_office(user):
    if not is_secretariat(user):
        raise NotPermitted(_("Only the award office may do this."))


def require_status(application, *states):
    if application.status not in states:
        raise BusinessRuleError(
            _("Not possible while the application is “%(status)s”.") % {"status": status_label(application.status)},
            field="status",
        )


def today(on=None):
    return on or timezone.localdate()


def unit_of(user):
    profile = getattr(user, "profile", None) if user is not None else None
    return getattr(profile, "organisation", None)
