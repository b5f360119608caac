"""Reads and reports of the green-mine programme.

`load_assessment_data` fetches everything an assessment's result, export and report need in a
fixed number of queries, whatever the number of experts; the arithmetic is in `scoring`.

The catalogue (categories, indicators, national prerequisites) is reference data loaded from a
file and never edited in the admin: it is read once per version and kept in the process, keyed
by the version's `loaded_at`, which every reload of the file changes.  Experts' scores are read
as plain rows (`values_list`): at 20 experts × 45 indicators, model instances (each score with
its indicator and its JSON rule) cost several times the query itself.
"""

import hashlib
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from django.core.cache import cache as django_cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from alliance.roles import is_secretariat

from . import scoring
from .enums import AssignmentStatus, MiningMethod, Variant
from .models import (
    Assessment,
    CatalogueVersion,
    Category,
    Evidence,
    ExpertAssignment,
    ExpertScore,
    Indicator,
    Prerequisite,
    PrerequisiteCheck,
    SiteVisit,
)


def assessments_for(user):
    """Staff see every assessment; an expert only those assigned to them."""
    qs = Assessment.objects.select_related("catalogue").order_by("-created_at")
    if is_secretariat(user):
        return qs
    return qs.filter(assignments__expert=user).distinct()


def assignment_of(assessment, user):
    return ExpertAssignment.objects.filter(assessment=assessment, expert=user).first()


@dataclass(frozen=True)
class Catalogue:
    """One catalogue version's reference rows (model instances, shared: do not modify them)."""

    categories: tuple
    indicators: tuple  # with .category filled in, by number
    prerequisites: tuple  # dicts with code, name, requirement, national
    by_id: dict  # indicator id → indicator


_catalogues: dict = {}


def catalogue(version):
    """The rows of a CatalogueVersion (instance, or its id: then one query to learn its `loaded_at`)."""
    if not isinstance(version, CatalogueVersion):
        version = CatalogueVersion.objects.only("id", "loaded_at").get(pk=version)
    key = (version.pk, version.loaded_at)
    cached = _catalogues.get(key)
    if cached is None:
        categories = tuple(Category.objects.filter(version_id=version.pk).order_by("number"))
        indicators = tuple(
            Indicator.objects.filter(version_id=version.pk).select_related("category").order_by("number")
        )
        prerequisites = tuple(
            {"code": p.code, "name": p.name, "requirement": p.requirement, "national": True}
            for p in Prerequisite.objects.filter(version_id=version.pk)
        )
        cached = Catalogue(categories, indicators, prerequisites, {i.pk: i for i in indicators})
        for stale in [k for k in _catalogues if k[0] == version.pk]:
            del _catalogues[stale]
        _catalogues[key] = cached
    return cached


def prerequisite_items(assessment):
    """The national veto items of the assessment's catalogue, then the province's own."""
    items = [dict(item) for item in catalogue(assessment.catalogue).prerequisites]
    for extra in assessment.extra_prerequisites or []:
        items.append(
            {
                "code": extra["code"],
                "name": extra.get("name", extra["code"]),
                "requirement": extra.get("requirement", ""),
            }
        )
    return items


def catalogue_indicators(version):
    return list(catalogue(version).indicators)


def applicable_indicators(assessment):
    """The indicators an expert scores for this mine: its variant and, for ★ items, its method."""
    return [
        indicator
        for indicator in catalogue(assessment.catalogue).indicators
        if scoring.indicator_applies(indicator, assessment.variant)
        and scoring.effective_rule(indicator.rule, assessment.mining_method) is not None
    ]


class ScoreRow(NamedTuple):
    """One expert's entry for one indicator, as read for results and reports."""

    assignment_id: int
    number: int
    score: object  # Decimal or None
    not_applicable: bool
    reason: str  # "" unless read with_texts
    record: str  # "" unless read with_texts
    inputs: dict | None  # only with load_assessment_data(..., with_inputs=True)


@dataclass
class AssessmentData:
    assessment: Assessment
    categories: list
    indicators: list
    prerequisites: list  # dicts with code, name, requirement, passed, record
    assignments: list
    scores: list  # ScoreRow
    evidence_numbers: set
    site_visits: list | None = None


def load_assessment_data(assessment, *, with_visits=False, with_texts=True, with_inputs=False):
    """Everything about an assessment in a constant number of queries (4 with a cached catalogue,
    plus 1 for site visits), whatever the number of experts.  `assessment` should come with its
    catalogue (`select_related("catalogue")`), else reading it costs a query.

    The result alone needs neither the experts' written records (`with_texts`) nor the scoring
    pages' raw inputs (`with_inputs`); each is read only when asked for."""
    rows = catalogue(assessment.catalogue)
    categories = list(rows.categories)
    indicators = list(rows.indicators)
    checks = {
        code: (passed, record)
        for code, passed, record in PrerequisiteCheck.objects.filter(assessment=assessment)
        .order_by()
        .values_list("code", "passed", "record")
    }
    prerequisites = []
    for item in prerequisite_items(assessment):
        passed, record = checks.get(item["code"], (None, ""))
        prerequisites.append({**item, "passed": passed, "record": record})
    assignments = list(
        ExpertAssignment.objects.filter(assessment=assessment).select_related("expert__profile").order_by("id")
    )
    number = {pk: i.number for pk, i in rows.by_id.items()}
    columns = ["assignment_id", "indicator_id", "score", "not_applicable"]
    columns += ["reason", "record"] if with_texts else []
    columns += ["inputs"] if with_inputs else []
    found = ExpertScore.objects.filter(assignment__assessment=assessment).order_by().values_list(*columns, named=True)
    scores = sorted(
        (
            ScoreRow(
                s.assignment_id,
                number[s.indicator_id],
                s.score,
                s.not_applicable,
                s.reason if with_texts else "",
                s.record if with_texts else "",
                s.inputs if with_inputs else None,
            )
            for s in found
        ),
        key=lambda s: (s.assignment_id, s.number),
    )
    evidence = Evidence.objects.filter(assessment=assessment).order_by().values_list("indicator_id", flat=True)
    evidence_numbers = {number[pk] for pk in evidence.distinct()}
    visits = None
    if with_visits:
        visits = list(
            SiteVisit.objects.filter(assessment=assessment).prefetch_related(
                Prefetch("indicators", queryset=Indicator.objects.only("id", "number"))
            )
        )
    return AssessmentData(
        assessment, categories, indicators, prerequisites, assignments, scores, evidence_numbers, visits
    )


def expert_label(assignment):
    profile = getattr(assignment.expert, "profile", None)
    return (profile and profile.name) or assignment.expert.username


def compute(data: AssessmentData):
    """The scoring.Result of loaded data; every assigned expert's entries count (drafts included)."""
    username = {a.pk: a.expert.username for a in data.assignments}
    entries = [
        scoring.Entry(
            expert=username[s.assignment_id],
            number=s.number,
            score=s.score,
            not_applicable=s.not_applicable,
        )
        for s in data.scores
        if s.not_applicable or s.score is not None
    ]
    category_numbers = {c.pk: c.number for c in data.categories}
    specs = [
        scoring.IndicatorSpec(
            number=i.number,
            category=category_numbers[i.category_id],
            name=i.name,
            points=i.points,
            constraint=i.is_constraint,
            variant=i.variant,
            rule=i.rule,
        )
        for i in data.indicators
    ]
    return scoring.compute_result(
        categories=[scoring.CategorySpec(c.number, c.name, c.points) for c in data.categories],
        indicators=specs,
        variant=data.assessment.variant,
        method=data.assessment.mining_method,
        pass_line=data.assessment.pass_line,
        prerequisites=[scoring.PrerequisiteState(p["code"], p["name"], p["passed"]) for p in data.prerequisites],
        entries=entries,
        evidence=data.evidence_numbers,
    )


# A cached result is also dropped after this long, for what the write path does not version (an
# expert's display name on their profile).
RESULT_CACHE_SECONDS = 600


def result_changed(assessment):
    """Every service that changes what the result shows calls this, in its transaction: the assessment's
    `result_version` goes up with the change, so a result cached under the old version is never read
    again (and one computed before the commit is cached under the old version)."""
    Assessment.objects.filter(pk=assessment.pk).update(result_version=F("result_version") + 1)
    assessment.refresh_from_db(fields=["result_version"])


def _result_key(assessment):
    # The assessment's own fields that the payload shows are in the key too, so a change made to the
    # row elsewhere (the admin) is never served from the cache; so is the catalogue's load time.
    facts = (
        assessment.result_version,
        assessment.status,
        assessment.mine_name,
        str(assessment.pass_line),
        assessment.variant,
        assessment.mining_method,
        assessment.catalogue_id,
        assessment.catalogue.loaded_at.isoformat(),
    )
    digest = hashlib.sha1(repr(facts).encode(), usedforsecurity=False).hexdigest()
    database = connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]  # two sites (or test runs) on one Redis
    return f"greenmine:result:{database}:{assessment.pk}:{digest}"


def cached_result_payload(assessment):
    """result_payload, kept in the cache until the next change of the assessment (result_changed).

    bench/README.md §7: the API computed ~900 score rows per request; served from the cache it costs
    a cache read."""
    key = _result_key(assessment)
    payload = django_cache.get(key)
    if payload is None:
        payload = result_payload(assessment)
        django_cache.set(key, payload, RESULT_CACHE_SECONDS)
    return payload


def result_payload(assessment, data=None):
    """The API's result: rounded for display, computed from unrounded values."""
    data = data or load_assessment_data(assessment, with_texts=False)
    result = compute(data)
    # ~1,000 numbers shown, few distinct (20 experts × 45 indicators): each is rounded once.
    show = cache(scoring.display)
    return {
        "id": assessment.pk,
        "mine_name": assessment.mine_name,
        "catalogue": assessment.catalogue.code,
        "status": assessment.status,
        "pass_line": show(result.pass_line),
        "total": scoring.display_total(result.total, result.pass_line),
        "qualified": result.qualified,
        "scored": result.scored,
        "categories": [
            {
                "number": c.number,
                "name": c.name,
                "score": show(c.score) if result.scored else None,
                "max": show(c.max),
                "earned": show(c.earned),
                "applicable_points": show(c.applicable_points),
            }
            for c in result.categories
        ],
        "failed_constraints": result.failed_constraints,
        "failed_prerequisites": result.failed_prerequisites,
        "pending_prerequisites": result.pending_prerequisites,
        "missing_evidence": result.missing_evidence,
        "unscored": result.unscored if result.scored else [],
        "indicators": [
            {
                "number": r.number,
                "name": r.name,
                "points": show(r.points),
                "applicable": r.applicable,
                "score": show(r.score),
                "constraint": r.constraint,
                "experts": {name: show(v) for name, v in r.expert_scores.items()},
            }
            for r in result.indicators
        ],
        "experts": [
            {"username": a.expert.username, "name": expert_label(a), "status": a.status} for a in data.assignments
        ],
    }


def failure_reasons(result, data):
    """Why a mine is not qualified, in the order the seed checks them (for the result page and PDF)."""
    names = {i.number: i.name for i in data.indicators}
    prerequisites = {p["code"]: p["name"] for p in data.prerequisites}
    reasons = []
    for code in result.failed_prerequisites:
        reasons.append(_("Prerequisite failed: %(name)s") % {"name": prerequisites.get(code, code)})
    for code in result.pending_prerequisites:
        reasons.append(_("Prerequisite not yet checked: %(name)s") % {"name": prerequisites.get(code, code)})
    unscored = set(result.unscored)
    for number in result.failed_constraints:
        if number in unscored:
            continue  # not scored yet is not a failure; it is listed once below
        reasons.append(
            _("Constraint indicator %(number)s %(name)s did not get full points")
            % {"number": number, "name": names[number]}
        )
    if result.scored and unscored:
        reasons.append(
            _("Not yet scored: indicator(s) %(numbers)s") % {"numbers": "、".join(str(n) for n in sorted(unscored))}
        )
    if result.below_pass_line:
        reasons.append(
            _("Total %(total)s is below the pass line %(line)s")
            % {
                # Two decimals, like every total on the result page and in the report.
                "total": f"{scoring.display_total(result.total, result.pass_line):.2f}",
                "line": f"{scoring.display(result.pass_line):.2f}",
            }
        )
    return reasons


def indicator_records(data):
    """Per indicator number: the experts' inspection records (or not-applicable reasons), labelled."""
    by_assignment = {a.pk: a for a in data.assignments}
    records: dict[int, list[str]] = {}
    for s in data.scores:
        text = s.record if not s.not_applicable else f"不涉及：{s.reason}" + (f"；{s.record}" if s.record else "")
        if text:
            records.setdefault(s.number, []).append(f"{expert_label(by_assignment[s.assignment_id])}：{text}")
    return records


def submitted_count(data):
    return sum(1 for a in data.assignments if a.status == AssignmentStatus.SUBMITTED)


@dataclass(frozen=True)
class CategoryProgress:
    """One category of an expert's sheet: its indicators (applicable to the mine) and how many are scored."""

    category: Category
    numbers: tuple  # applicable indicator numbers, in order
    scored: int
    first_unscored: int | None


@dataclass(frozen=True)
class SheetProgress:
    """The scoring sheet's navigator: per category and overall, and where the next unscored indicator is."""

    categories: tuple  # CategoryProgress, in category order
    scored: int
    total: int
    next_unscored: int | None


def is_scored(row):
    """An entry counts as scored once it has a score or is marked not applicable (what submission asks for)."""
    return row is not None and (row.score is not None or row.not_applicable)


def sheet_progress(assessment, assignment, data):
    """How far the expert's table is filled, from loaded data (no query): `data` is load_assessment_data's."""
    mine = {s.number: s for s in data.scores if assignment is not None and s.assignment_id == assignment.pk}
    applicable = {i.number for i in applicable_indicators(assessment)}
    categories = []
    for category in data.categories:
        numbers = tuple(i.number for i in data.indicators if i.category_id == category.pk and i.number in applicable)
        unscored = [n for n in numbers if not is_scored(mine.get(n))]
        categories.append(
            CategoryProgress(category, numbers, len(numbers) - len(unscored), unscored[0] if unscored else None)
        )
    pending = [c.first_unscored for c in categories if c.first_unscored is not None]
    return SheetProgress(
        tuple(categories),
        sum(c.scored for c in categories),
        sum(len(c.numbers) for c in categories),
        pending[0] if pending else None,
    )


def number_ranges(numbers):
    """Indicator numbers as a reader writes them: 21–24, or 8, or 12–14、16."""
    runs = []
    for number in sorted(numbers):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return "、".join(str(a) if a == b else f"{a}–{b}" for a, b in runs)


def left_out_notes(assessment, data):
    """Per category id, the notes saying which of its indicators this mine's sheet leaves out and why:
    those of the other variant of category three, and ★ items with no text for the mine's method."""
    by_variant, by_method = {}, {}
    for indicator in data.indicators:
        if not scoring.indicator_applies(indicator, assessment.variant):
            by_variant.setdefault((indicator.category_id, indicator.variant), []).append(indicator.number)
        elif scoring.effective_rule(indicator.rule, assessment.mining_method) is None:
            by_method.setdefault(indicator.category_id, []).append(indicator.number)
    notes = {}
    for (category_id, variant), numbers in by_variant.items():
        notes.setdefault(category_id, []).append(
            _(
                "This sheet is for %(variant)s: indicators %(numbers)s are for %(other)s; they do not apply to "
                "this kind of mine and are not listed."
            )
            % {
                "variant": Variant(assessment.variant).label,
                "numbers": number_ranges(numbers),
                "other": Variant(variant).label,
            }
        )
    for category_id, numbers in by_method.items():
        notes.setdefault(category_id, []).append(
            _("Indicators %(numbers)s have no scoring text for %(method)s; they do not apply and are not listed.")
            % {"numbers": number_ranges(numbers), "method": MiningMethod(assessment.mining_method).label}
        )
    return notes


def not_applicable_without_reason(indicators, items):
    """The indicators of `items` (a scores save) marked not applicable with no reason written: saved as a
    draft, but submission will ask for the reason (说明 一（三）)."""
    by_number = {i.number: i for i in indicators}
    return [
        by_number[item["number"]]
        for item in items
        if item.get("not_applicable") and not str(item.get("reason") or "").strip()
    ]
