"""Every write of the green-mine programme, and the rules that guard it (seed 003)."""

from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from alliance import audit, uploads
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.roles import Role, has_role, is_secretariat
from alliance.validation import ItemErrors, check_date

from . import permissions, scoring, selectors
from .enums import (
    PREREQUISITES_OPEN,
    SCORING_OPEN,
    AssessmentStatus,
    AssignmentStatus,
    MiningMethod,
    Variant,
)
from .models import (
    Assessment,
    CatalogueVersion,
    Evidence,
    ExpertAssignment,
    ExpertScore,
    Indicator,
    PrerequisiteCheck,
    ProvinceRule,
    SiteVisit,
)

# The allowed moves of an assessment; anything else is a domain error.
TRANSITIONS = {
    AssessmentStatus.DRAFT: {AssessmentStatus.SCORING, AssessmentStatus.PREREQUISITES_FAILED},
    AssessmentStatus.PREREQUISITES_FAILED: {AssessmentStatus.DRAFT, AssessmentStatus.SCORING},
    AssessmentStatus.SCORING: {
        AssessmentStatus.DRAFT,
        AssessmentStatus.PREREQUISITES_FAILED,
        AssessmentStatus.COMPLETED,
    },
    AssessmentStatus.COMPLETED: {AssessmentStatus.SCORING},
}

# 说明 二（二）: evidence files — PDF, images and office documents, judged on their content
# (alliance.uploads: parsed, not sniffed).
EVIDENCE_TYPES = uploads.EVIDENCE


# How many indicators a message names before it says "and N more".
NAMED_INDICATORS = 8


def indicator_label(indicator):
    """An indicator as the rulebook names it in a message: its number and Chinese name."""
    return _("Indicator %(number)s (%(name)s)") % {"number": indicator.number, "name": indicator.name}


def indicator_list(indicators):
    """Several indicators in one message: number and name each, the first NAMED_INDICATORS of them."""
    separator = pgettext("list separator", ", ")
    shown = separator.join(f"{i.number} {i.name}" for i in indicators[:NAMED_INDICATORS])
    more = len(indicators) - NAMED_INDICATORS
    if more > 0:
        return _("%(shown)s and %(more)s more") % {"shown": shown, "more": more}
    return shown


def _choices(enum):
    return pgettext("list separator", ", ").join(f"{value} ({label})" for value, label in enum.choices)


def current_catalogue():
    catalogue = CatalogueVersion.objects.filter(is_current=True).first()
    if catalogue is None:
        raise BusinessRuleError(_("No indicator catalogue is loaded; run `manage.py load_reference_data`."))
    return catalogue


def _decimal(value, field):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise BusinessRuleError(_("Enter a number."), field=field) from None
    if not number.is_finite():
        raise BusinessRuleError(_("Enter a number."), field=field)
    return number


# ---- assessments ---------------------------------------------------------------------------


@transaction.atomic
def assessment_create(
    *, mine_name, variant, mining_method, pass_line=None, province="", organisation=None, created_by=None
):
    """Open the assessment of a mine on the current catalogue version.

    The pass line is 80 unless given or set by the province (说明 一（四）); the province's extra
    veto items are copied onto the assessment.  Side effects: the row and an audit entry.
    """
    mine_name = " ".join((mine_name or "").split())
    if not mine_name:
        raise BusinessRuleError(_("Name the mine."), field="mine_name")
    if variant not in Variant.values:
        raise BusinessRuleError(_("Choose one of: %(choices)s.") % {"choices": _choices(Variant)}, field="variant")
    if mining_method not in MiningMethod.values:
        raise BusinessRuleError(
            _("Choose one of: %(choices)s.") % {"choices": _choices(MiningMethod)}, field="mining_method"
        )
    province = (province or "").strip()
    rule = ProvinceRule.objects.filter(province=province).first() if province else None
    if pass_line is None or pass_line == "":
        pass_line = rule.pass_line if rule else Decimal("80")
    pass_line = _decimal(pass_line, "pass_line")
    if not 0 < pass_line <= 100:
        raise BusinessRuleError(_("The pass line must be above 0 and at most 100."), field="pass_line")
    assessment = Assessment.objects.create(
        catalogue=current_catalogue(),
        mine_name=mine_name,
        organisation=organisation,
        province=province,
        variant=variant,
        mining_method=mining_method,
        pass_line=pass_line,
        extra_prerequisites=list(rule.extra_prerequisites) if rule else [],
        created_by=created_by,
    )
    audit.record(
        "greenmine.assessment.created",
        assessment,
        actor=created_by,
        catalogue=assessment.catalogue.code,
        variant=variant,
        mining_method=mining_method,
        pass_line=pass_line,
    )
    return assessment


@transaction.atomic
def assessment_update(assessment, *, mine_name, organisation, by):
    """Correct the mine's name or unit (the admin's change form); the scoring rules of an assessment
    (variant, method, pass line, province) never change here.  Audit entry listing what changed."""
    mine_name = " ".join((mine_name or "").split())
    if not mine_name:
        raise BusinessRuleError(_("Name the mine."), field="mine_name")
    assessment = _lock(assessment)
    changes = {}
    if assessment.mine_name != mine_name:
        changes["mine_name"] = [assessment.mine_name, mine_name]
    if assessment.organisation_id != (organisation.pk if organisation else None):
        changes["organisation"] = [str(assessment.organisation or ""), str(organisation or "")]
    if changes:
        assessment.mine_name = mine_name
        assessment.organisation = organisation
        assessment.save(update_fields=["mine_name", "organisation"])
        audit.record("greenmine.assessment.updated", assessment, actor=by, **changes)
        selectors.result_changed(assessment)
    return assessment


def assessment_set_status(assessment, status, *, by=None, reason=""):
    """The one transition function of an assessment (see TRANSITIONS).  Writes an audit entry."""
    old = assessment.status
    if status == old:
        return assessment
    if status not in TRANSITIONS[old]:
        raise BusinessRuleError(
            _("An assessment cannot go from %(old)s to %(new)s.")
            % {"old": AssessmentStatus(old).label, "new": AssessmentStatus(status).label},
            field="status",
        )
    assessment.status = status
    fields = ["status"]
    if status == AssessmentStatus.COMPLETED:
        assessment.completed_at = timezone.now()
        fields.append("completed_at")
    elif old == AssessmentStatus.COMPLETED:
        assessment.result = None
        assessment.completed_at = None
        fields += ["result", "completed_at"]
    assessment.save(update_fields=fields)
    audit.record("greenmine.assessment.status", assessment, actor=by, old=old, new=status, reason=reason)
    selectors.result_changed(assessment)
    return assessment


def _lock(assessment):
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def expert_check_assignable(assessment, user):
    """The rules for assigning an expert, shared by the service and the admin form."""
    if assessment.status == AssessmentStatus.COMPLETED:
        raise BusinessRuleError(_("The assessment is completed; reopen it before assigning experts."))
    if user is None:
        raise BusinessRuleError(_("No user with this username."), field="username")
    if not has_role(user, Role.EXPERT):
        raise BusinessRuleError(_("This user does not have the expert role."), field="username")
    if ExpertAssignment.objects.filter(assessment=assessment, expert=user).exists():
        raise BusinessRuleError(_("This expert is already assigned to this assessment."), field="username")


@transaction.atomic
def expert_assign(assessment, *, username, assigned_by=None):
    """Assign an expert (a user with the expert role) to score the mine.  Audit entry."""
    assessment = _lock(assessment)
    user = get_user_model().objects.filter(username=username).first() if username else None
    expert_check_assignable(assessment, user)
    assignment = ExpertAssignment.objects.create(assessment=assessment, expert=user, assigned_by=assigned_by)
    audit.record("greenmine.expert.assigned", assessment, actor=assigned_by, expert=user.username)
    selectors.result_changed(assessment)
    return assignment


@transaction.atomic
def prerequisites_record(assessment, items, *, by):
    """Record the veto items (先决条件).  All or nothing: a bad item writes nothing.

    One failure means not qualified and no scoring; when every item is recorded and passed the
    assessment moves to scoring.  Side effects: the checks, the status, audit entries.
    """
    assessment = _lock(assessment)
    permissions.require_participant(by, assessment)
    if assessment.status not in PREREQUISITES_OPEN:
        raise BusinessRuleError(_("The assessment is completed; its prerequisites can no longer change."))
    known = {p["code"]: p for p in selectors.prerequisite_items(assessment)}
    if not isinstance(items, list) or not items:
        raise BusinessRuleError(_("Send a list of prerequisite checks."), field="prerequisites")
    seen = set()

    def check(index, item):
        # Every item is checked, so one answer lists every mistake (see ItemErrors).
        if not isinstance(item, dict):
            raise BusinessRuleError(_("Each prerequisite check must be an object."), field="prerequisites")
        code = item.get("code")
        problems = {}
        if code not in known:
            problems["code"] = _("Unknown prerequisite code “%(code)s”; use %(codes)s.") % {
                "code": code,
                "codes": ", ".join(known),
            }
        elif code in seen:
            problems["code"] = _("Prerequisite “%(code)s” is listed twice.") % {"code": code}
        seen.add(code)
        if not isinstance(item.get("passed"), bool):
            problems["passed"] = _("“%(code)s”: passed must be true or false.") % {"code": code}
        if not str(item.get("record") or "").strip():
            problems["record"] = _("“%(code)s”: write the inspection record.") % {"code": code}
        if problems:
            raise ItemErrors({0: {field: [message] for field, message in problems.items()}}, length=1)
        return item

    ItemErrors.collect(items, check)
    for item in items:
        PrerequisiteCheck.objects.update_or_create(
            assessment=assessment,
            code=item["code"],
            defaults={"passed": item["passed"], "record": str(item["record"]).strip(), "checked_by": by},
        )
        audit.record("greenmine.prerequisite.checked", assessment, actor=by, code=item["code"], passed=item["passed"])
    checks = dict(PrerequisiteCheck.objects.filter(assessment=assessment).values_list("code", "passed"))
    if any(checks.get(code) is False for code in known):
        status = AssessmentStatus.PREREQUISITES_FAILED
    elif all(checks.get(code) is True for code in known):
        status = AssessmentStatus.SCORING
    else:
        status = AssessmentStatus.DRAFT
    selectors.result_changed(assessment)
    assessment_set_status(assessment, status, by=by, reason="prerequisites")
    return assessment


def _indicator_for(assessment, number, indicators):
    try:
        number = int(number)
    except (TypeError, ValueError, OverflowError):
        raise BusinessRuleError(_("Give the indicator number (1–49)."), field="number") from None
    indicator = indicators.get(number)
    if indicator is None:
        raise BusinessRuleError(_("There is no indicator %(number)s.") % {"number": number}, field="number")
    if not scoring.indicator_applies(indicator, assessment.variant):
        raise BusinessRuleError(
            _("%(indicator)s belongs to the other variant of category three.")
            % {"indicator": indicator_label(indicator)},
            field="number",
        )
    return indicator


@transaction.atomic
def scores_save(assignment, items, *, by, draft=False):
    """Save an expert's own scores; all or nothing.

    Each item: {"number", "score"? | "inputs"?, "not_applicable"?, "reason"?, "record"}.  The
    score is computed from `inputs` with the catalogue rule, or a direct `score` is checked to be
    one the rule can give.  Not applicable needs a reason (说明 一（三）).  Outside a draft save
    from the scoring page, a score needs its inspection record (说明 二（二）).
    Side effects: ExpertScore rows, one audit entry per indicator.
    """
    assignment = ExpertAssignment.objects.select_for_update().select_related("assessment").get(pk=assignment.pk)
    assessment = assignment.assessment
    if assignment.expert_id != by.pk:
        raise NotPermitted(_("Experts enter only their own scores."))
    if assessment.status not in SCORING_OPEN:
        raise BusinessRuleError(
            _("Scores can be entered only while the assessment is being scored (after all prerequisites passed).")
        )
    if assignment.status == AssignmentStatus.SUBMITTED:
        raise BusinessRuleError(_("Your scores are submitted and locked; ask the secretariat to reopen them."))
    if not isinstance(items, list) or not items:
        raise BusinessRuleError(_("Send a list of scores."), field="scores")
    indicators = {i.number: i for i in Indicator.objects.filter(version_id=assessment.catalogue_id)}
    seen = set()

    def check(index, item):
        # Every item is checked, so one answer lists every mistake (see ItemErrors).
        if not isinstance(item, dict):
            raise BusinessRuleError(_("Each score must be an object."), field="scores")
        indicator = _indicator_for(assessment, item.get("number"), indicators)
        if indicator.number in seen:
            raise BusinessRuleError(
                _("Indicator %(number)s is listed twice.") % {"number": indicator.number}, field="number"
            )
        seen.add(indicator.number)
        return indicator, _score_fields(assessment, indicator, item, draft=draft)

    rows = ItemErrors.collect(items, check)
    saved = []
    for indicator, fields in rows:
        score, _created = ExpertScore.objects.update_or_create(
            assignment=assignment, indicator=indicator, defaults=fields
        )
        saved.append(score)
        audit.record(
            "greenmine.score.saved",
            assignment,
            actor=by,
            number=indicator.number,
            score=fields["score"],
            not_applicable=fields["not_applicable"],
        )
    selectors.result_changed(assessment)
    return saved


def _score_fields(assessment, indicator, item, *, draft):
    label = {"indicator": indicator_label(indicator)}
    record = str(item.get("record") or "").strip()
    not_applicable = item.get("not_applicable") in (True, "true", "on", "1", 1)
    if not_applicable:
        reason = str(item.get("reason") or "").strip()
        if not reason and not draft:  # a draft may be saved first; submission checks the reason
            raise BusinessRuleError(_("%(indicator)s: say why it does not apply.") % label, field="reason")
        return {"score": None, "not_applicable": True, "reason": reason, "record": record, "inputs": {}}
    rule = scoring.effective_rule(indicator.rule, assessment.mining_method)
    if rule is None:
        raise BusinessRuleError(
            _("%(indicator)s has no scoring text for this mine's mining method; it does not apply.") % label,
            field="number",
        )
    inputs = item.get("inputs")
    raw_score = item.get("score")
    try:
        if inputs not in (None, {}, ""):
            score = scoring.rule_score(rule, indicator.points, inputs)
        elif raw_score is not None and raw_score != "":
            score = scoring.check_direct_score(rule, indicator.points, raw_score)
            inputs = scoring.inputs_for_score(rule, indicator.points, score)
        elif draft:
            score, inputs = None, {}
        else:
            raise BusinessRuleError(_("%(indicator)s: give a score or mark it not applicable.") % label, field="score")
    except scoring.ScoringInputError as exc:
        raise BusinessRuleError(
            _("%(indicator)s: %(reason)s") % {**label, "reason": exc.message}, field=exc.field
        ) from None
    if not record and not draft:
        raise BusinessRuleError(_("%(indicator)s: write the inspection record (检查记录).") % label, field="record")
    return {"score": score, "not_applicable": False, "reason": "", "record": record, "inputs": inputs or {}}


def submission_refusal(assignment):
    """Why the expert's table cannot be submitted now (a BusinessRuleError), or None when it can: the
    confirmation page asks only once this is None; `assignment_submit` checks it again under the lock."""
    if assignment.status == AssignmentStatus.SUBMITTED:
        return BusinessRuleError(_("Your scores are already submitted."))
    if assignment.assessment.status not in SCORING_OPEN:
        return BusinessRuleError(_("The assessment is not being scored."))
    missing, no_record, no_reason = [], [], []
    entered = {s.indicator.number: s for s in assignment.scores.select_related("indicator")}
    for indicator in selectors.applicable_indicators(assignment.assessment):
        entry = entered.get(indicator.number)
        if entry is None or (entry.score is None and not entry.not_applicable):
            missing.append(indicator)
        elif not entry.not_applicable and not entry.record:
            no_record.append(indicator)
        elif entry.not_applicable and not entry.reason:
            no_reason.append(indicator)
    if missing:
        return BusinessRuleError(
            _("Score or mark not applicable every indicator first; missing: %(indicators)s.")
            % {"indicators": indicator_list(missing)},
            field="scores",
        )
    if no_record:
        return BusinessRuleError(
            _("Write the inspection record of these indicators: %(indicators)s.")
            % {"indicators": indicator_list(no_record)},
            field="record",
        )
    if no_reason:
        return BusinessRuleError(
            _("Say why these indicators do not apply: %(indicators)s.") % {"indicators": indicator_list(no_reason)},
            field="reason",
        )
    return None


@transaction.atomic
def assignment_submit(assignment, *, by):
    """Submit an expert's table: complete, then locked until the secretariat reopens it.

    Side effects: the assignment submitted (locked), an audit entry.
    """
    assignment = ExpertAssignment.objects.select_for_update().select_related("assessment").get(pk=assignment.pk)
    if assignment.expert_id != by.pk:
        raise NotPermitted(_("Experts submit only their own scores."))
    refusal = submission_refusal(assignment)
    if refusal is not None:
        raise refusal
    assignment.status = AssignmentStatus.SUBMITTED
    assignment.submitted_at = timezone.now()
    assignment.save(update_fields=["status", "submitted_at"])
    audit.record("greenmine.scores.submitted", assignment, actor=by)
    selectors.result_changed(assignment.assessment)
    return assignment


def reopen_refusal(assignment):
    """Why a submitted table cannot be sent back to its expert (a BusinessRuleError), or None.

    A completed assessment keeps its result: its tables are not reopened one by one (the result
    page does not offer it); the assessment itself is reopened first, deliberately and audited.
    """
    if assignment.status != AssignmentStatus.SUBMITTED:
        return BusinessRuleError(_("These scores are not submitted."))
    if assignment.assessment.status == AssessmentStatus.COMPLETED:
        return BusinessRuleError(
            _(
                "The assessment is completed and its result is kept; an expert's scores can no longer be "
                "sent back for correction."
            )
        )
    return None


@transaction.atomic
def assignment_reopen(assignment, *, by, reason=""):
    """Staff send a submitted table back to its expert for correction, saying why.

    Refused on a completed assessment (see `reopen_refusal`) and without a reason.  Side effects:
    the assignment back to draft, an audit entry with the reason (the expert's page shows it).
    """
    if not is_secretariat(by):
        raise NotPermitted(_("Only the secretariat can reopen submitted scores."))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise BusinessRuleError(_("Say why the scores are sent back for correction."), field="reason")
    assignment = ExpertAssignment.objects.select_for_update().select_related("assessment").get(pk=assignment.pk)
    refusal = reopen_refusal(assignment)
    if refusal is not None:
        raise refusal
    assignment.status = AssignmentStatus.DRAFT
    assignment.submitted_at = None
    assignment.save(update_fields=["status", "submitted_at"])
    audit.record("greenmine.scores.reopened", assignment, actor=by, reason=reason[:1000])
    selectors.result_changed(assignment.assessment)
    return assignment


@transaction.atomic
def assessment_reopen(assessment, *, by, reason):
    """Reopen a completed assessment for scoring: the deliberate step that sets a kept result aside.

    Secretariat only, with a reason.  Side effects: status back to scoring, the kept result cleared,
    an audit entry with the reason (`assessment_set_status`).  The experts' tables stay submitted;
    staff then send back the ones that need correcting.
    """
    if not is_secretariat(by):
        raise NotPermitted(_("Only the secretariat can reopen a completed assessment."))
    reason = " ".join(str(reason or "").split())
    if not reason:
        raise BusinessRuleError(_("Say why the completed assessment is reopened."), field="reason")
    assessment = _lock(assessment)
    if assessment.status != AssessmentStatus.COMPLETED:
        raise BusinessRuleError(_("Only a completed assessment can be reopened."))
    return assessment_set_status(assessment, AssessmentStatus.SCORING, by=by, reason=reason[:1000])


def _check_upload(upload):
    return uploads.check_upload(upload, EVIDENCE_TYPES, field="file")


@transaction.atomic
def evidence_add(assessment, *, number, upload, by):
    """Attach a supporting file to an indicator (说明 二（二）).  Audit entry."""
    permissions.require_participant(by, assessment)
    if upload is None:
        raise BusinessRuleError(_("Choose a file."), field="file")
    if assessment.status == AssessmentStatus.COMPLETED:
        raise BusinessRuleError(_("The assessment is completed; no more files can be added."))
    indicators = {i.number: i for i in Indicator.objects.filter(version_id=assessment.catalogue_id)}
    indicator = _indicator_for(assessment, number, indicators)
    name = _check_upload(upload)
    evidence = Evidence(
        assessment=assessment,
        indicator=indicator,
        original_name=name[:255],
        content_type=getattr(upload, "content_type", "") or "",
        size=upload.size,
        uploaded_by=by,
    )
    evidence.file.save(name, upload, save=False)
    evidence.save()
    audit.record("greenmine.evidence.added", assessment, actor=by, number=indicator.number, file=name)
    selectors.result_changed(assessment)
    return evidence


def evidence_remove_refusal(evidence, user):
    """Why `user` cannot remove this evidence file now (a BusinessRuleError), or None when they can.

    A file is removed only by whoever uploaded it: an expert until they submit their scores (the
    sheet is then locked), staff until the assessment is completed (its result is then kept)."""
    assessment = evidence.assessment
    if assessment.status == AssessmentStatus.COMPLETED:
        return BusinessRuleError(_("The assessment is completed; its evidence can no longer be removed."))
    if evidence.uploaded_by_id != user.pk:
        return NotPermitted(_("Only whoever uploaded a file can remove it."))
    if is_secretariat(user):
        return None
    assignment = selectors.assignment_of(assessment, user)
    if assignment is None:
        return NotPermitted(_("Only the secretariat or an expert assigned to this assessment may do this."))
    if assignment.status == AssignmentStatus.SUBMITTED:
        return BusinessRuleError(
            _(
                "Your scores are submitted and locked, so their evidence can no longer be removed; ask the "
                "secretariat to send them back for correction."
            )
        )
    return None


@transaction.atomic
def evidence_remove(evidence, *, by):
    """Remove a wrongly uploaded evidence file (see `evidence_remove_refusal` for who and until when).

    Side effects: the row deleted, its stored file deleted once the transaction commits, an audit
    entry on the assessment naming the indicator and the file."""
    assessment = _lock(evidence.assessment)
    evidence = Evidence.objects.select_related("indicator").get(pk=evidence.pk)
    evidence.assessment = assessment
    refusal = evidence_remove_refusal(evidence, by)
    if refusal is not None:
        raise refusal
    number, name, stored = evidence.indicator.number, evidence.original_name, evidence.file.name
    storage = evidence.file.storage
    evidence.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))
    audit.record("greenmine.evidence.removed", assessment, actor=by, number=number, file=name)
    selectors.result_changed(assessment)
    return number


@transaction.atomic
def site_visit_record(assessment, *, visited_on, visitors, location, observations, numbers=(), by):
    """说明 二（五）: which staff went where and saw what."""
    permissions.require_participant(by, assessment)
    fields = {"visitors": visitors, "location": location, "observations": observations}
    for key, value in fields.items():
        if not str(value or "").strip():
            raise BusinessRuleError(_("This field is required."), field=key)
    if not visited_on:
        raise BusinessRuleError(_("Give the date of the visit."), field="visited_on")
    check_date(visited_on, field="visited_on")  # a visit that took place
    indicators = {i.number: i for i in Indicator.objects.filter(version_id=assessment.catalogue_id)}
    chosen = [_indicator_for(assessment, n, indicators) for n in numbers or ()]
    visit = SiteVisit.objects.create(
        assessment=assessment,
        visited_on=visited_on,
        recorded_by=by,
        **{k: str(v).strip() for k, v in fields.items()},
    )
    visit.indicators.set(chosen)
    audit.record("greenmine.site_visit.recorded", assessment, actor=by, location=visit.location)
    return visit


@transaction.atomic
def assessment_complete(assessment, *, by):
    """Close the scoring and keep the result: every assigned expert must have submitted.

    Side effects: status completed, the result snapshot on the assessment, an audit entry.
    """
    if not is_secretariat(by):
        raise NotPermitted(_("Only the secretariat can complete an assessment."))
    assessment = _lock(assessment)
    if assessment.status != AssessmentStatus.SCORING:
        raise BusinessRuleError(_("Only an assessment being scored can be completed."))
    assignments = list(assessment.assignments.select_related("expert__profile"))
    if not assignments:
        raise BusinessRuleError(_("Assign at least one expert first."))
    pending = [a for a in assignments if a.status != AssignmentStatus.SUBMITTED]
    if pending:
        raise BusinessRuleError(
            _("These experts have not submitted their scores yet: %(names)s.")
            % {"names": pgettext("list separator", ", ").join(selectors.expert_label(a) for a in pending)}
        )
    payload = selectors.result_payload(assessment)
    assessment.result = payload
    assessment.save(update_fields=["result"])
    assessment_set_status(assessment, AssessmentStatus.COMPLETED, by=by, reason="result")
    audit.record(
        "greenmine.assessment.result", assessment, actor=by, total=payload["total"], qualified=payload["qualified"]
    )
    return assessment
