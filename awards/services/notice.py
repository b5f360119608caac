"""The leadership group's approval, the 20-day public notice and its objections (第三十一条（六）,
第三十四至三十七条), the final approval and the award (第三十八条)."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.uploads import check_upload
from alliance.validation import check_date

from ..enums import ApplicationStatus as S
from ..enums import ObjectionKind, ObjectionStatus, RevocationReason
from ..models import Application, Notice, Objection, Round
from .applications import check_quota
from .bodies import require_leadership
from .workflow import application_set_status, lock, require_office, today

NOTICE_DAYS = 20  # 第三十一条（六）: 公示期为 20 天; 第三十四条: 公示之日起 20 日内


def objections_until(starts_on):
    """The last day objections are accepted: the first day is not counted (as Chinese law counts
    periods), so 20 days from the day after `starts_on`."""
    return starts_on + dt.timedelta(days=NOTICE_DAYS)


@transaction.atomic
def leadership_approve(round_, *, by, not_approved=()):
    """第三十一条（六）: the leadership group approves the committee's proposals of the round (the
    reconsidered ones included); each approved grade becomes the final grade, checked against its
    quota (第二十三条; a special prize needs the group's limits).  Applications in `not_approved` are
    not awarded.  Side effects: grades, statuses, history rows, the round's approval, audit entries."""
    require_leadership(round_, by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    refused = {a.pk for a in not_approved}
    pending = list(
        Application.objects.select_for_update().filter(round=round_, status=S.LEADERSHIP_APPROVAL).order_by("pk")
    )
    if not pending:
        raise BusinessRuleError(_("No proposal of this round awaits approval."))
    for application in pending:
        if application.pk not in refused:
            check_quota(application, application.proposed_grade, require_special_limit=True)
    for application in pending:
        if application.pk in refused:
            application_set_status(application, S.NOT_AWARDED, by=by, note=_("Not approved by the leadership group."))
        else:
            application.final_grade = application.proposed_grade
            application.save(update_fields=["final_grade", "updated_at"])
    round_.leadership_approved_at, round_.leadership_approved_by = timezone.now(), by
    round_.save(update_fields=["leadership_approved_at", "leadership_approved_by"])
    audit.record("awards.leadership.approved", round_, actor=by, size=len(pending) - len(refused))
    return round_


@transaction.atomic
def notice_start(round_, *, starts_on, by):
    """Puts the approved applications of the round on public notice from `starts_on`; objections are
    accepted up to and including objections_until(starts_on).  Side effects: the notice, statuses,
    history rows, audit entries."""
    require_office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.leadership_approved_at is None:
        raise BusinessRuleError(_("The leadership group has not approved the results yet."))
    if Notice.objects.filter(round=round_).exists():
        raise BusinessRuleError(_("The notice of this round has started already."))
    check_date(starts_on, field="starts_on", planned=True)
    notice = Notice.objects.create(
        round=round_, starts_on=starts_on, objections_until=objections_until(starts_on), started_by=by
    )
    for application in (
        Application.objects.select_for_update()
        .filter(round=round_, status=S.LEADERSHIP_APPROVAL)
        .exclude(final_grade="")
        .order_by("pk")
    ):
        application_set_status(application, S.PUBLIC_NOTICE, by=by)
    audit.record("awards.notice.started", round_, actor=by, on=starts_on, until=notice.objections_until)
    return notice


@transaction.atomic
def objection_file(application, *, kind, name, phone, statement, evidence, unit="", on=None):
    """第三十四、三十五条: anyone files an objection to a project on notice, within 20 days.

    Refused: not on notice, after objections_until (or before the notice), about the grade (不予受理),
    no real name, no contact, no statement, no evidence (checked for type and size).  Side effects:
    the objection, an audit entry.
    """
    application = Application.objects.select_related("round__notice").get(pk=application.pk)
    if application.status != S.PUBLIC_NOTICE:
        raise BusinessRuleError(_("This project is not on public notice."), code="not_on_notice")
    notice = application.round.notice
    on = today(on)
    if on > notice.objections_until:
        raise BusinessRuleError(
            _("Objections were accepted until %(date)s (第三十四条).") % {"date": notice.objections_until.isoformat()},
            code="late",
        )
    if on < notice.starts_on:
        raise BusinessRuleError(_("The public notice has not started yet."), code="early")
    if kind == ObjectionKind.GRADE:
        raise BusinessRuleError(
            _("An opinion on the grade is not an objection and is not accepted (第三十四条)."),
            field="kind",
            code="grade",
        )
    if kind not in (ObjectionKind.SUBSTANTIVE, ObjectionKind.NON_SUBSTANTIVE):
        raise BusinessRuleError(_("Choose substantive or non-substantive."), field="kind")
    name, phone, statement = (name or "").strip(), (phone or "").strip(), (statement or "").strip()
    if not name:
        raise BusinessRuleError(
            _("Give your real name, or the unit's name for an objection under its seal (第三十五条)."), field="name"
        )
    if not phone:
        raise BusinessRuleError(_("Give a telephone number to reach you."), field="phone")
    if not statement:
        raise BusinessRuleError(_("Write the objection."), field="statement")
    if evidence is None:
        raise BusinessRuleError(_("Attach the evidence (第三十五条)."), field="evidence")
    check_upload(evidence, field="evidence")
    objection = Objection.objects.create(
        application=application,
        kind=kind,
        name=name[:200],
        unit=(unit or "")[:200],
        phone=phone[:40],
        statement=statement,
        evidence=evidence,
        received_on=on,
    )
    audit.record("awards.objection.filed", application, kind=kind, on=on)
    return objection


@transaction.atomic
def objection_verify(objection, *, by, answer_deadline=None, note=""):
    """第三十六、三十七条: the office has verified the objection and tells the applicant; a substantive
    one must be answered by `answer_deadline`."""
    require_office(by)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.status != ObjectionStatus.RECEIVED:
        raise BusinessRuleError(_("This objection has been verified already."))
    if objection.kind == ObjectionKind.SUBSTANTIVE and answer_deadline is None:
        raise BusinessRuleError(_("Give the date by which the applicant must answer."), field="answer_deadline")
    objection.status, objection.answer_deadline = ObjectionStatus.VERIFIED, answer_deadline
    objection.save(update_fields=["status", "answer_deadline"])
    audit.record("awards.objection.verified", objection.application, actor=by, deadline=answer_deadline, note=note)
    return objection


@transaction.atomic
def objection_answer(objection, *, user, answer, on=None):
    """第三十七条: the applicant answers a verified objection by its deadline."""
    objection = Objection.objects.select_for_update().select_related("application").get(pk=objection.pk)
    if objection.application.applicant_id != getattr(user, "pk", None):
        from alliance.exceptions import NotPermitted

        raise NotPermitted(_("Only the applicant may do this."))
    on = today(on)
    if objection.status != ObjectionStatus.VERIFIED:
        raise BusinessRuleError(_("This objection is not awaiting an answer."))
    if objection.answer_deadline and on > objection.answer_deadline:
        raise BusinessRuleError(
            _("The answer was due by %(date)s (第三十七条).") % {"date": objection.answer_deadline.isoformat()}
        )
    answer = (answer or "").strip()
    if not answer:
        raise BusinessRuleError(_("Write the answer."), field="answer")
    objection.status, objection.answer, objection.answered_on = ObjectionStatus.ANSWERED, answer, on
    objection.save(update_fields=["status", "answer", "answered_on"])
    audit.record("awards.objection.answered", objection.application, actor=user, on=on)
    return objection


@transaction.atomic
def objection_decide(objection, *, by, upheld, decision):
    """第三十六条: the leadership group decides; an upheld objection means no award this year."""
    objection = Objection.objects.select_for_update().select_related("application__round").get(pk=objection.pk)
    require_leadership(objection.application.round, by)
    if objection.status in (ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED):
        raise BusinessRuleError(_("This objection has been decided already."))
    decision = (decision or "").strip()
    if not decision:
        raise BusinessRuleError(_("Write the decision."), field="decision")
    objection.status = ObjectionStatus.UPHELD if upheld else ObjectionStatus.DISMISSED
    objection.decision = decision
    objection.save(update_fields=["status", "decision"])
    audit.record("awards.objection.decided", objection.application, actor=by, result=objection.status)
    application = lock(objection.application)
    if upheld and application.status == S.PUBLIC_NOTICE:
        application_set_status(application, S.NOT_AWARDED, by=by, note=decision)
    return objection


def _unanswered_substantive(application, as_of):
    return application.objections.filter(
        kind=ObjectionKind.SUBSTANTIVE, status=ObjectionStatus.VERIFIED, answer_deadline__lt=as_of
    ).exists()


@transaction.atomic
def notice_close(round_, *, by, as_of=None):
    """After the last day for objections: an application whose substantive objection went unanswered
    by its deadline loses the award for the year (第三十七条); the others go to the final approval.
    Refused while an objection awaits verification, an answer or a decision."""
    require_office(by)
    notice = Notice.objects.select_for_update().get(round=round_)
    as_of = today(as_of)
    if as_of <= notice.objections_until:
        raise BusinessRuleError(
            _("Objections are accepted until %(date)s.") % {"date": notice.objections_until.isoformat()}
        )
    moved = []
    applications = list(
        Application.objects.select_for_update().filter(round=round_, status=S.PUBLIC_NOTICE).order_by("pk")
    )
    for application in applications:
        if _unanswered_substantive(application, as_of):
            continue
        open_ = application.objections.exclude(status__in=(ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED))
        if open_.exists():
            raise BusinessRuleError(
                _("An objection to “%(title)s” has not been decided.") % {"title": application.title}
            )
    for application in applications:
        if _unanswered_substantive(application, as_of):
            application_set_status(
                application,
                S.NOT_AWARDED,
                by=by,
                note=str(RevocationReason.OBJECTION_UNANSWERED.label),
            )
        else:
            application_set_status(application, S.FINAL_APPROVAL, by=by)
        moved.append(application)
    notice.closed_on = as_of
    notice.save(update_fields=["closed_on"])
    audit.record("awards.notice.closed", round_, actor=by, on=as_of)
    return moved


@transaction.atomic
def final_approve(round_, *, by):
    """第三十一条（六）: the leadership group approves the notice's result; each application awaiting it
    is awarded at its final grade, within that grade's quota (第二十三条).  Side effects: statuses,
    history rows, the round's final approval, audit entries."""
    require_leadership(round_, by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    pending = list(Application.objects.select_for_update().filter(round=round_, status=S.FINAL_APPROVAL).order_by("pk"))
    if not pending:
        raise BusinessRuleError(_("No application of this round awaits the final approval."))
    for application in pending:
        check_quota(application, application.final_grade, require_special_limit=True)
    for application in pending:
        application_set_status(application, S.AWARDED, by=by)
    round_.final_approved_at, round_.final_approved_by = timezone.now(), by
    round_.save(update_fields=["final_approved_at", "final_approved_by"])
    audit.record("awards.final.approved", round_, actor=by, size=len(pending))
    return pending


__all__ = [
    "NOTICE_DAYS",
    "final_approve",
    "leadership_approve",
    "notice_close",
    "notice_start",
    "objection_answer",
    "objection_decide",
    "objection_file",
    "objection_verify",
    "objections_until",
]
