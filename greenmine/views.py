"""Pages: the user's assessments, the expert's scoring page, the result with downloads."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.contenttypes.models import ContentType
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from alliance.roles import is_secretariat

from . import forms, permissions, scoring, selectors, services
from .enums import AssessmentStatus, AssignmentStatus
from .models import Evidence, ExpertAssignment


@login_required
def assessment_list(request):
    assessments = list(selectors.assessments_for(request.user))
    mine = {
        a.assessment_id: a
        for a in selectors.ExpertAssignment.objects.filter(
            expert=request.user, assessment__in=[x.pk for x in assessments]
        )
    }
    rows = [(a, mine.get(a.pk)) for a in assessments]
    return render(
        request,
        "greenmine/list.html",
        {"rows": rows, "staff": is_secretariat(request.user)},
    )


def _sheet(assessment, assignment, data, *, user=None, editable=False):
    """The scoring page's groups: categories with their applicable indicators and the expert's entries,
    and a note for the indicators this mine's sheet leaves out.  `editable`: the expert's table is open,
    so the files they uploaded can be removed."""
    entries = {s.number: s for s in data.scores if s.assignment_id == assignment.pk} if assignment else {}
    evidence = {}
    for item in assessment.evidence.select_related("indicator").order_by("id"):
        item.removable = bool(editable and user is not None and item.uploaded_by_id == user.pk)
        evidence.setdefault(item.indicator.number, []).append(item)
    applicable = {i.number for i in selectors.applicable_indicators(assessment)}
    notes = selectors.left_out_notes(assessment, data)
    groups = []
    for category in data.categories:
        rows = []
        for indicator in data.indicators:
            if indicator.category_id != category.pk or indicator.number not in applicable:
                continue
            entry = entries.get(indicator.number)
            rule = scoring.effective_rule(indicator.rule, assessment.mining_method)
            rows.append(
                {
                    "indicator": indicator,
                    "rule": rule,
                    "prefix": forms.prefix(indicator.number),
                    "controls": forms.controls(
                        rule, indicator.points, forms.prefix(indicator.number), entry.inputs if entry else {}
                    ),
                    "entry": entry,
                    "scored": selectors.is_scored(entry),
                    "needs_reason": bool(entry and entry.not_applicable and not entry.reason.strip()),
                    "evidence": evidence.get(indicator.number, []),
                }
            )
        if rows or category.pk in notes:
            # The navigator's name: the label's "一、矿区环境" without its counts.
            short = re.split(r"[（(]", category.label or "")[0].strip() or category.name
            groups.append({"category": category, "short": short, "rows": rows, "notes": notes.get(category.pk, [])})
    return groups


def _rules_json(groups):
    return {
        str(row["indicator"].number): {
            "points": float(row["indicator"].points),
            "category": group["category"].number,
            "rule": row["rule"],
        }
        for group in groups
        for row in group["rows"]
    }


@login_required
def score_page(request, pk):
    assessment = permissions.assessment_or_404(request.user, pk)
    assignment = selectors.assignment_of(assessment, request.user)
    if request.method == "POST":
        return _score_post(request, assessment, assignment)
    return _render_score(request, assessment, assignment)


def _render_score(request, assessment, assignment, *, prerequisites=None, status=200):
    """The scoring page; `prerequisites` replaces the recorded ones when a refused form is shown again."""
    data = selectors.load_assessment_data(assessment, with_inputs=True)
    editable = permissions.scores_editable(assignment, assessment)
    groups = _sheet(assessment, assignment, data, user=request.user, editable=editable)
    progress = selectors.sheet_progress(assessment, assignment, data)
    by_category = {c.category.pk: c for c in progress.categories}
    for group in groups:
        group["progress"] = by_category[group["category"].pk]
    return render(
        request,
        "greenmine/score.html",
        {
            "assessment": assessment,
            "assignment": assignment,
            "groups": groups,
            "progress": progress,
            "rules": _rules_json(groups),
            "categories": {str(c.number): float(c.points) for c in data.categories},
            "prerequisites": data.prerequisites if prerequisites is None else prerequisites,
            "prerequisites_refused": prerequisites is not None,
            "site_visits": assessment.site_visits.prefetch_related("indicators").order_by("visited_on", "id"),
            "editable": editable,
            "staff": is_secretariat(request.user),
            "sent_back": _sent_back(assignment),
        },
        status=status,
    )


def _sent_back(assignment):
    """The secretariat's last "send back for correction" of this draft table (who, when, why), if that is
    the latest thing that happened to it; the expert reads why before correcting."""
    if assignment is None or assignment.status != AssignmentStatus.DRAFT:
        return None
    latest = (
        AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(ExpertAssignment),
            object_id=str(assignment.pk),
            action__in=["greenmine.scores.submitted", "greenmine.scores.reopened"],
        )
        .select_related("actor__profile")
        .order_by("-created_at", "-id")
        .first()
    )
    if latest is None or latest.action != "greenmine.scores.reopened":
        return None
    return latest


def _score_post(request, assessment, assignment):
    if assignment is None:
        messages.error(request, _("Only the experts assigned to this assessment enter scores."))
        return redirect("greenmine:score", pk=assessment.pk)
    indicators = selectors.applicable_indicators(assessment)
    try:
        items = forms.read_items(indicators, assessment.mining_method, request.POST)
        if items:
            services.scores_save(assignment, items, by=request.user, draft=True)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("greenmine:score", pk=assessment.pk)
    # Saved, but said now rather than at submission: not applicable needs a reason (说明 一（三）).
    no_reason = selectors.not_applicable_without_reason(indicators, items)
    # Each file stands alone: a refused file is reported and the scores above stay saved.
    upload_failed = False
    for indicator in indicators:
        upload = request.FILES.get(f"{forms.prefix(indicator.number)}file")
        if upload:
            try:
                services.evidence_add(assessment, number=indicator.number, upload=upload, by=request.user)
            except BusinessRuleError as exc:
                upload_failed = True
                messages.error(
                    request,
                    _("%(indicator)s: %(reason)s")
                    % {"indicator": services.indicator_label(indicator), "reason": exc.message},
                )
    if upload_failed:
        messages.warning(request, _("Draft saved; the files listed above were not attached."))
        _warn_no_reason(request, no_reason)
        return redirect("greenmine:score", pk=assessment.pk)
    if request.POST.get("action") == "submit":
        # Submitting locks the table: the draft is saved, then the expert confirms on the next page.
        refusal = services.submission_refusal(assignment)
        if refusal is not None:
            messages.error(request, _("Draft saved, but not submitted: %(reason)s") % {"reason": refusal.message})
            return redirect("greenmine:score", pk=assessment.pk)
        messages.success(request, _("Draft saved. Check and confirm the submission below."))
        return redirect("greenmine:submit", pk=assessment.pk)
    messages.success(request, _("Draft saved."))
    _warn_no_reason(request, no_reason)
    return redirect("greenmine:score", pk=assessment.pk)


def _warn_no_reason(request, indicators):
    """A warning, not a refusal: the draft is saved, and submission will ask for these reasons."""
    if indicators:
        messages.warning(
            request,
            _("Marked not applicable without a reason (write why before submitting): %(indicators)s.")
            % {"indicators": services.indicator_list(indicators)},
        )


@login_required
@require_POST
def evidence_remove(request, pk, evidence_id):
    """The expert removes a file they uploaded by mistake, until they submit (one small form per file)."""
    assessment = permissions.assessment_or_404(request.user, pk)
    evidence = Evidence.objects.filter(assessment=assessment, pk=evidence_id).select_related("indicator").first()
    if evidence is None:
        messages.error(request, _("This file is no longer attached."))
        return redirect("greenmine:score", pk=assessment.pk)
    anchor = f"#indicator-{evidence.indicator.number}"
    try:
        services.evidence_remove(evidence, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, _("Not removed: %(reason)s") % {"reason": exc.message})
    else:
        messages.success(
            request,
            _("Removed “%(file)s” from %(indicator)s.")
            % {"file": evidence.original_name, "indicator": services.indicator_label(evidence.indicator)},
        )
    return redirect(reverse("greenmine:score", args=[assessment.pk]) + anchor)


def _confirm_page(
    request, assessment, *, title, question, warning, confirm_label, back, facts=(), reason=None, status=200
):
    """The confirmation step of an action that locks or undoes work (greenmine/confirm.html), posting back to
    this URL.  `back`: (URL name, label) of the page to return to; `reason`: the reason field's label,
    value and error, for the actions that must say why."""
    back_url, back_label = back
    return render(
        request,
        "greenmine/confirm.html",
        {
            "assessment": assessment,
            "title": title,
            "question": question,
            "facts": facts,
            "warning": warning,
            "reason": reason,
            "action": request.path,
            "confirm_label": confirm_label,
            "cancel_url": reverse(back_url, args=[assessment.pk]),
            "cancel_label": back_label,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def submit_page(request, pk):
    """The expert confirms the submission that locks their table (GET asks, POST submits)."""
    assessment = permissions.assessment_or_404(request.user, pk)
    assignment = selectors.assignment_of(assessment, request.user)
    if assignment is None:
        messages.error(request, _("Only the experts assigned to this assessment enter scores."))
        return redirect("greenmine:score", pk=assessment.pk)
    if request.method == "POST":
        try:
            services.assignment_submit(assignment, by=request.user)
        except BusinessRuleError as exc:
            messages.error(request, _("Not submitted: %(reason)s") % {"reason": exc.message})
        else:
            messages.success(request, _("Your scores are submitted."))
        return redirect("greenmine:score", pk=assessment.pk)
    refusal = services.submission_refusal(assignment)
    if refusal is not None:
        messages.error(request, _("Not submitted: %(reason)s") % {"reason": refusal.message})
        return redirect("greenmine:score", pk=assessment.pk)
    scores = list(assignment.scores.all())
    return _confirm_page(
        request,
        assessment,
        title=_("Submit your scores"),
        question=_("Submit your scores for %(mine)s?") % {"mine": assessment.mine_name},
        facts=[
            _("Indicators scored: %(n)s") % {"n": sum(1 for s in scores if not s.not_applicable)},
            _("Indicators marked not applicable: %(n)s") % {"n": sum(1 for s in scores if s.not_applicable)},
        ],
        warning=_(
            "Once submitted, your scores are locked: you can change them again only if the secretariat "
            "sends them back to you."
        ),
        confirm_label=_("Confirm and submit"),
        back=("greenmine:score", _("Back to the scoring sheet")),
    )


@login_required
@require_POST
def prerequisites_page(request, pk):
    """Staff or an assigned expert record the veto items from the scoring page."""
    assessment = permissions.assessment_or_404(request.user, pk)
    shown, items = [], []
    for item in selectors.prerequisite_items(assessment):
        code = item["code"]
        passed = request.POST.get(f"{code}-passed")
        record = request.POST.get(f"{code}-record", "")
        # As posted, for showing the form again: True/False/None like a recorded check.
        shown.append({**item, "passed": {"yes": True, "no": False}.get(passed), "record": record, "errors": []})
        if passed in ("yes", "no"):
            items.append({"code": code, "passed": passed == "yes", "record": record})
    try:
        services.prerequisites_record(assessment, items, by=request.user)
    except BusinessRuleError as exc:
        # Nothing was saved: show the form again with the choices and records as posted, each item's
        # own errors beside it, instead of a redirect that would bring back the recorded (or empty) ones.
        messages.error(request, exc.message)
        if assessment.status == AssessmentStatus.COMPLETED:  # no form on the page: nothing to show again
            return redirect("greenmine:score", pk=assessment.pk)
        by_code = {p["code"]: p for p in shown}
        for index, fields in getattr(exc, "errors", {}).items():
            if index < len(items) and items[index]["code"] in by_code:
                by_code[items[index]["code"]]["errors"] += [m for reasons in fields.values() for m in reasons]
        assignment = selectors.assignment_of(assessment, request.user)
        return _render_score(request, assessment, assignment, prerequisites=shown, status=400)
    messages.success(request, _("Prerequisites recorded."))
    return redirect("greenmine:score", pk=assessment.pk)


@login_required
@require_POST
def site_visit_page(request, pk):
    """说明 二（五）: record which staff went where and saw what."""
    assessment = permissions.assessment_or_404(request.user, pk)
    numbers = [n for n in request.POST.get("numbers", "").replace("，", ",").replace("、", ",").split(",") if n.strip()]
    try:
        visited_on = parse_date(request.POST.get("visited_on", "") or "")
    except ValueError:  # well formed but no such day (2026-02-30): the service asks for a date
        visited_on = None
    try:
        services.site_visit_record(
            assessment,
            visited_on=visited_on,
            visitors=request.POST.get("visitors", ""),
            location=request.POST.get("location", ""),
            observations=request.POST.get("observations", ""),
            numbers=[n.strip() for n in numbers],
            by=request.user,
        )
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Site visit recorded."))
    return redirect("greenmine:score", pk=assessment.pk)


@login_required
def result_page(request, pk):
    assessment = permissions.assessment_or_404(request.user, pk)
    try:
        permissions.require_result_access(request.user, assessment)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("greenmine:list")
    data = selectors.load_assessment_data(assessment, with_visits=True)
    result = selectors.compute(data)
    by_number = {i.number: i for i in data.indicators}
    records = selectors.indicator_records(data)
    experts = [a.expert.username for a in data.assignments]
    failed = set(result.failed_constraints) - set(result.unscored)
    indicator_rows = [
        {
            "result": r,
            "indicator": by_number[r.number],
            "score": scoring.display(r.score),
            "experts": [scoring.display(r.expert_scores.get(u)) if u in r.expert_scores else None for u in experts],
            "failed": r.number in failed,
            "records": records.get(r.number, []),
        }
        for r in result.indicators
    ]
    return render(
        request,
        "greenmine/result.html",
        {
            "assessment": assessment,
            "data": data,
            "result": result,
            "total": scoring.display_total(result.total, result.pass_line),
            "pass_line": scoring.display(result.pass_line),
            "reasons": selectors.failure_reasons(result, data),
            "categories": [
                {
                    "c": c,
                    "score": scoring.display(c.score) if result.scored else None,
                    "percent": round(float(c.score / c.max) * 100, 1) if result.scored and c.max else 0,
                }
                for c in result.categories
            ],  # fmt: skip
            "indicator_rows": indicator_rows,
            "expert_labels": [selectors.expert_label(a) for a in data.assignments],
            "staff": is_secretariat(request.user),
            "provisional": assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.SCORING),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen(request, pk, assignment_id):
    """Staff send an expert's submitted table back for correction: GET asks for the reason, POST does it."""
    assessment = permissions.assessment_or_404(request.user, pk)
    assignment = assessment.assignments.select_related("expert__profile").filter(pk=assignment_id).first()
    reason = request.POST.get("reason", "")
    error = None
    try:
        permissions.require_staff(request.user)
        if assignment is None:
            raise BusinessRuleError(_("No such expert on this assessment."))
        refusal = services.reopen_refusal(assignment)
        if refusal is not None:
            raise refusal
        if request.method == "POST":
            services.assignment_reopen(assignment, by=request.user, reason=reason)
            messages.success(request, _("The expert's scores are reopened."))
            return redirect("greenmine:result", pk=assessment.pk)
    except BusinessRuleError as exc:
        if exc.field != "reason":
            messages.error(request, exc.message)
            return redirect("greenmine:result", pk=assessment.pk)
        error = exc.message
    expert = selectors.expert_label(assignment)
    return _confirm_page(
        request,
        assessment,
        title=_("Send the scores back for correction"),
        question=_("Send the scores of %(expert)s back for correction?") % {"expert": expert},
        warning=_(
            "The expert's table is unlocked and their scores no longer count as submitted until they submit "
            "again. The reason is recorded and shown to the expert."
        ),
        reason={"label": _("Reason (shown to the expert)"), "value": reason, "error": error},
        confirm_label=_("Send back for correction"),
        back=("greenmine:result", _("Back to the result")),
        status=400 if error else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def complete(request, pk):
    """Staff complete the assessment and keep its result: GET asks for confirmation, POST does it."""
    assessment = permissions.assessment_or_404(request.user, pk)
    if request.method == "POST":
        try:
            services.assessment_complete(assessment, by=request.user)
        except BusinessRuleError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The assessment is completed and its result kept."))
        return redirect("greenmine:result", pk=assessment.pk)
    try:
        permissions.require_staff(request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
        return redirect("greenmine:result", pk=assessment.pk)
    return _confirm_page(
        request,
        assessment,
        title=_("Complete the assessment"),
        question=_("Complete the assessment of %(mine)s and keep its result?") % {"mine": assessment.mine_name},
        warning=_(
            "The result is kept as it stands and the experts can read it; the scores can then be changed only "
            "by reopening the assessment, with a reason."
        ),
        confirm_label=_("Complete the assessment"),
        back=("greenmine:result", _("Back to the result")),
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen_assessment(request, pk):
    """Staff reopen a completed assessment, saying why: GET asks for the reason, POST does it."""
    assessment = permissions.assessment_or_404(request.user, pk)
    reason = request.POST.get("reason", "")
    error = None
    try:
        permissions.require_staff(request.user)
        if assessment.status != AssessmentStatus.COMPLETED:
            raise BusinessRuleError(_("Only a completed assessment can be reopened."))
        if request.method == "POST":
            services.assessment_reopen(assessment, by=request.user, reason=reason)
            messages.success(request, _("The assessment is reopened for scoring; its kept result is cleared."))
            return redirect("greenmine:result", pk=assessment.pk)
    except BusinessRuleError as exc:
        if exc.field != "reason":
            messages.error(request, exc.message)
            return redirect("greenmine:result", pk=assessment.pk)
        error = exc.message
    return _confirm_page(
        request,
        assessment,
        title=_("Reopen the completed assessment"),
        question=_("Reopen the assessment of %(mine)s?") % {"mine": assessment.mine_name},
        warning=_(
            "The kept result is cleared and the assessment goes back to scoring; the reason is recorded in the "
            "audit log. Experts' tables stay submitted until you send one back for correction."
        ),
        reason={"label": _("Reason"), "value": reason, "error": error},
        confirm_label=_("Reopen the assessment"),
        back=("greenmine:result", _("Back to the result")),
        status=400 if error else 200,
    )
