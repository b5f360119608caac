"""Pages: the user's assessments, the expert's scoring page, the result with downloads."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from alliance.exceptions import BusinessRuleError
from alliance.roles import is_secretariat

from . import forms, permissions, scoring, selectors, services
from .enums import AssessmentStatus


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


def _sheet(assessment, assignment, data):
    """The scoring page's groups: categories with their applicable indicators and the expert's entries."""
    entries = {s.number: s for s in data.scores if s.assignment_id == assignment.pk} if assignment else {}
    evidence = {}
    for item in assessment.evidence.select_related("indicator").order_by("id"):
        evidence.setdefault(item.indicator.number, []).append(item)
    applicable = {i.number for i in selectors.applicable_indicators(assessment)}
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
                    "evidence": evidence.get(indicator.number, []),
                }
            )
        if rows:
            groups.append({"category": category, "rows": rows})
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
    data = selectors.load_assessment_data(assessment, with_inputs=True)
    groups = _sheet(assessment, assignment, data)
    return render(
        request,
        "greenmine/score.html",
        {
            "assessment": assessment,
            "assignment": assignment,
            "groups": groups,
            "rules": _rules_json(groups),
            "categories": {str(c.number): float(c.points) for c in data.categories},
            "prerequisites": data.prerequisites,
            "site_visits": assessment.site_visits.prefetch_related("indicators").order_by("visited_on", "id"),
            "editable": permissions.scores_editable(assignment, assessment),
            "staff": is_secretariat(request.user),
        },
    )


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
    # Each file stands alone: a refused file is reported and the scores above stay saved.
    upload_failed = False
    for indicator in indicators:
        upload = request.FILES.get(f"{forms.prefix(indicator.number)}file")
        if upload:
            try:
                services.evidence_add(assessment, number=indicator.number, upload=upload, by=request.user)
            except BusinessRuleError as exc:
                upload_failed = True
                messages.error(request, f"{indicator.number} {indicator.name}: {exc.message}")
    if upload_failed:
        messages.warning(request, _("Draft saved; the files listed above were not attached."))
        return redirect("greenmine:score", pk=assessment.pk)
    if request.POST.get("action") == "submit":
        try:
            services.assignment_submit(assignment, by=request.user)
        except BusinessRuleError as exc:
            messages.error(request, _("Draft saved, but not submitted: %(reason)s") % {"reason": exc.message})
            return redirect("greenmine:score", pk=assessment.pk)
        messages.success(request, _("Your scores are submitted."))
    else:
        messages.success(request, _("Draft saved."))
    return redirect("greenmine:score", pk=assessment.pk)


@login_required
@require_POST
def prerequisites_page(request, pk):
    """Staff or an assigned expert record the veto items from the scoring page."""
    assessment = permissions.assessment_or_404(request.user, pk)
    items = []
    for item in selectors.prerequisite_items(assessment):
        code = item["code"]
        passed = request.POST.get(f"{code}-passed")
        if passed in ("yes", "no"):
            items.append({"code": code, "passed": passed == "yes", "record": request.POST.get(f"{code}-record", "")})
    try:
        services.prerequisites_record(assessment, items, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
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
@require_POST
def reopen(request, pk, assignment_id):
    assessment = permissions.assessment_or_404(request.user, pk)
    assignment = assessment.assignments.filter(pk=assignment_id).first()
    try:
        if assignment is None:
            raise BusinessRuleError(_("No such expert on this assessment."))
        services.assignment_reopen(assignment, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The expert's scores are reopened."))
    return redirect("greenmine:result", pk=assessment.pk)


@login_required
@require_POST
def complete(request, pk):
    assessment = permissions.assessment_or_404(request.user, pk)
    try:
        services.assessment_complete(assessment, by=request.user)
    except BusinessRuleError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The assessment is completed and its result kept."))
    return redirect("greenmine:result", pk=assessment.pk)
