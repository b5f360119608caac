"""Scoring rules and the result of an assessment, as pure functions over plain data.

Nothing here touches the database: the catalogue's rule dicts, the experts' entries and the
prerequisite checks come in, numbers and reasons go out.  `static/greenmine/scoring.js`
mirrors `rule_score` for the live subtotal; the server value is the one that counts.

Seed rules applied here (附件 3, 说明):
- 一（二）: every constraint indicator must get full points, else not qualified.
- 一（三）: not-applicable items are scored by rescaling their category (折合法).
- 一（四）: total ≥ pass line (80 unless the province sets another).
- 二（一）: deductions stop at 0, additions stop at the indicator's points.
- 二（二）: a score without supporting material counts 0.
- 二（四）: several experts' scores are averaged.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from itertools import product
from typing import NamedTuple

from django.utils.translation import gettext as _

ZERO = Decimal("0")
CENT = Decimal("0.01")
MAX_FINDINGS = 100  # a sanity bound on the number of findings of one type


class ScoringInputError(ValueError):
    """The input cannot be scored with the rule; `field` names the part at fault."""

    def __init__(self, message, field="inputs"):
        super().__init__(message)
        self.message = message
        self.field = field


def D(value) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def display(value: Decimal | None) -> float | None:
    """Two decimals for display only; computations keep the unrounded value."""
    if value is None:
        return None
    return float(D(value).quantize(CENT, rounding=ROUND_HALF_UP))


def display_total(value: Decimal | None, pass_line) -> float | None:
    """The total for display: two decimals, half-up like every other score, except that a total below the
    pass line is never shown as reaching it (79.996 is shown 79.99, not 80.00 beside “not qualified”);
    qualification compares the unrounded total."""
    if value is None:
        return None
    value, shown = D(value), display(value)
    if value < D(pass_line) <= D(str(shown)):
        return float(value.quantize(CENT, rounding=ROUND_DOWN))
    return shown


def plain(value) -> str:
    """A displayed number as text without trailing zeros (80, 12, 4.69), for sentences and labels."""
    return "" if value is None else f"{D(value).normalize():f}"


# ---- rules ---------------------------------------------------------------------------------


def effective_rule(rule: dict, method: str) -> dict | None:
    """The rule that applies to a mine with this main method; None if the indicator does not apply.

    ★ alternatives: only the mine's main method is scored (兼备地下和露天开采的，以现阶段主要开采
    方式选择其一进行评分，分数不可累加).
    """
    if rule["kind"] == "alternatives":
        alternative = rule["by_method"].get(method)
        return alternative["rule"] if alternative else None
    return rule


def _count(value, label, limit):
    """A count entered for a finding or sub-item; `label` is its wording in the catalogue."""
    if isinstance(value, bool):
        value = int(value)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise ScoringInputError(_("“%(label)s” must be a whole number of 0 or more.") % {"label": label})
    if value > limit:
        raise ScoringInputError(_("“%(label)s” may be at most %(limit)s.") % {"label": label, "limit": limit})
    return value


def finding_limit(finding) -> int:
    """How many findings of one type can be entered: `max_count` for a condition that either holds or not
    (1: 管理区、生活区分区不明显扣 0.5 分 is deducted once), else a sanity bound."""
    return finding.get("max_count", MAX_FINDINGS)


def _finding_counts(points, finding):
    """The counts of one finding type worth trying: enough to reach 0, never above its own limit."""
    return range(min(int(points / D(finding["step"])) + 1, finding_limit(finding)) + 1)


def _item_points(item, key, value):
    """A ticked sub-item earns its points once; a counted one (`max_count`) per unit, up to its own cap
    (44: 获得 1 项发明专利得 0.5 分，最多得 2 分 — a fifth patent is accepted and adds nothing)."""
    if "max_count" in item:
        return D(item["points"]) * min(_count(value, item.get("label", key), MAX_FINDINGS), item["max_count"])
    return D(item["points"]) * _count(value, item.get("label", key), 1)


def rule_score(rule: dict, points, inputs: dict | None) -> Decimal:
    """The score an input earns under a (method-resolved) rule, capped at the indicator's points.

    Inputs by kind:
      all_or_nothing  {"passed": true}
      deduction       {"findings": {"<finding key>": count}}
      additive        {"items": {"<item key>": true | count}}
      choice          {"option": "<option key>", "input": {...the option's own input}}
    """
    points = D(points)
    inputs = inputs or {}
    if not isinstance(inputs, dict):
        raise ScoringInputError(_("The inputs must be an object."))
    kind = rule["kind"]
    if kind == "all_or_nothing":
        return points if inputs.get("passed") is True else ZERO
    if kind == "deduction":
        findings = inputs.get("findings") or {}
        known = {f["key"]: f for f in rule["findings"]}
        unknown = sorted(set(findings) - set(known))
        if unknown:
            raise ScoringInputError(_("Unknown finding type(s): %(keys)s.") % {"keys": ", ".join(unknown)})
        deducted = sum(
            (
                D(known[key]["step"]) * _count(count, known[key].get("label", key), finding_limit(known[key]))
                for key, count in findings.items()
            ),
            ZERO,
        )
        return max(ZERO, points - deducted)
    if kind == "additive":
        items = inputs.get("items") or {}
        known = {i["key"]: i for i in rule["items"]}
        unknown = sorted(set(items) - set(known))
        if unknown:
            raise ScoringInputError(_("Unknown sub-item(s): %(keys)s.") % {"keys": ", ".join(unknown)})
        earned = sum((_item_points(known[key], key, value) for key, value in items.items()), ZERO)
        return min(points, earned)
    if kind == "choice":
        option_key = inputs.get("option")
        if not option_key:
            return ZERO
        options = {o["key"]: o for o in rule["options"]}
        if option_key not in options:
            raise ScoringInputError(_("Unknown option: %(key)s.") % {"key": option_key})
        return min(points, rule_score(options[option_key]["rule"], points, inputs.get("input")))
    if kind == "alternatives":
        raise ScoringInputError("Resolve the mining method first (effective_rule).")
    raise ScoringInputError(f"Unknown rule kind: {kind}.")


def achievable_scores(rule: dict, points) -> frozenset[Decimal]:
    """Every score the (method-resolved) rule can give; a directly entered score must be one of them."""
    points = D(points)
    kind = rule["kind"]
    if kind == "all_or_nothing":
        return frozenset({ZERO, points})
    if kind == "deduction":
        # Enough findings of each type to reach 0, combined.
        ranges = [_finding_counts(points, f) for f in rule["findings"]]
        steps = [D(f["step"]) for f in rule["findings"]]
        return frozenset(
            max(ZERO, points - sum((s * n for s, n in zip(steps, counts, strict=True)), ZERO))
            for counts in product(*ranges)
        )
    if kind == "additive":
        ranges = [range(item.get("max_count", 1) + 1) for item in rule["items"]]
        values = [D(item["points"]) for item in rule["items"]]
        return frozenset(
            min(points, sum((v * n for v, n in zip(values, counts, strict=True)), ZERO)) for counts in product(*ranges)
        )
    if kind == "choice":
        scores = {ZERO}
        for option in rule["options"]:
            scores |= {min(points, s) for s in achievable_scores(option["rule"], points)}
        return frozenset(scores)
    raise ScoringInputError(f"Unknown rule kind: {kind}.")


def inputs_for_score(rule: dict, points, score) -> dict:
    """Inputs that give `score` under the rule (the first combination found), so a score entered
    directly through the API shows on the scoring form with the same value."""
    points, score = D(points), D(score)
    kind = rule["kind"]
    if kind == "all_or_nothing":
        return {"passed": score == points}
    if kind == "deduction":
        findings = rule["findings"]
        for counts in product(*[_finding_counts(points, f) for f in findings]):
            inputs = {"findings": {f["key"]: n for f, n in zip(findings, counts, strict=True) if n}}
            if rule_score(rule, points, inputs) == score:
                return inputs
    elif kind == "additive":
        items = rule["items"]
        for counts in product(*[range(item.get("max_count", 1) + 1) for item in items]):
            chosen = {
                item["key"]: (n if "max_count" in item else True) for item, n in zip(items, counts, strict=True) if n
            }
            if rule_score(rule, points, {"items": chosen}) == score:
                return {"items": chosen}
    elif kind == "choice":
        if score == 0:
            return {}
        for option in rule["options"]:
            if score in achievable_scores(option["rule"], points):
                return {"option": option["key"], "input": inputs_for_score(option["rule"], points, score)}
    raise ScoringInputError(_("No input gives %(score)s.") % {"score": score}, field="score")


def check_direct_score(rule: dict, points, score) -> Decimal:
    """Validate a score entered directly (API): 0 ≤ score ≤ points and on the rule's grid."""
    try:
        score = D(score)
    except Exception:
        raise ScoringInputError(_("The score must be a number."), field="score") from None
    if not score.is_finite():
        raise ScoringInputError(_("The score must be a number."), field="score")
    points = D(points)
    if score < 0 or score > points:
        raise ScoringInputError(
            _("The score must be between 0 and %(points)s.") % {"points": f"{points.normalize():f}"}, field="score"
        )
    allowed = achievable_scores(rule, points)
    if score not in allowed:
        shown = ", ".join(f"{s.normalize():f}" for s in sorted(allowed))
        raise ScoringInputError(
            _("This indicator's rule cannot give %(score)s; possible: %(allowed)s.")
            % {"score": f"{score.normalize():f}", "allowed": shown},
            "score",
        )
    return score


# ---- the result ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CategorySpec:
    number: int
    name: str
    points: Decimal


@dataclass(frozen=True)
class IndicatorSpec:
    number: int
    category: int
    name: str
    points: Decimal
    constraint: bool
    variant: str  # "" for every variant
    rule: dict


class Entry(NamedTuple):
    """One expert's entry for one indicator.  A NamedTuple rather than a frozen dataclass: a result
    is built from ~900 of them per request, and a tuple is made in a third of the time (bench §7)."""

    expert: str
    number: int
    score: Decimal | None
    not_applicable: bool = False


@dataclass(frozen=True)
class PrerequisiteState:
    code: str
    name: str
    passed: bool | None  # None: not yet recorded


@dataclass
class IndicatorResult:
    number: int
    name: str
    category: int
    points: Decimal
    constraint: bool
    applicable: bool
    score: Decimal | None  # the mean of the experts' counted scores; None if not applicable
    scored_by: int = 0
    expert_scores: dict = field(default_factory=dict)
    not_applicable_reason: str = ""
    missing_evidence: bool = False
    exact: Fraction = Fraction(0)  # `score` as an exact fraction (means of thirds, 折合 by 11ths…)


@dataclass
class CategoryResult:
    number: int
    name: str
    max: Decimal
    earned: Decimal
    applicable_points: Decimal
    score: Decimal  # earned ÷ applicable points × category total


@dataclass
class Result:
    qualified: bool
    total: Decimal | None
    pass_line: Decimal
    scored: bool
    categories: list[CategoryResult]
    indicators: list[IndicatorResult]
    failed_prerequisites: list[str]
    pending_prerequisites: list[str]
    failed_constraints: list[int]
    missing_evidence: list[int]
    unscored: list[int]
    exact_total: Fraction | None = None

    @property
    def below_pass_line(self):
        if self.exact_total is not None:
            return self.exact_total < Fraction(self.pass_line)
        return self.total is not None and self.total < self.pass_line


def _to_decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


def indicator_applies(spec, variant: str) -> bool:
    """Category three is scored on the mine's variant only (`spec` is anything with `.variant`)."""
    return not spec.variant or spec.variant == variant


def compute_result(
    *,
    categories: Iterable[CategorySpec],
    indicators: Iterable[IndicatorSpec],
    variant: str,
    method: str,
    pass_line,
    prerequisites: Iterable[PrerequisiteState],
    entries: Iterable[Entry],
    evidence: set[int],
) -> Result:
    """The result of an assessment from plain data.

    - Per indicator, the mean over the experts who scored it; a score above 0 for an indicator
      without evidence counts 0.  An indicator is not applicable when every expert who entered
      it said so (or when its ★ alternatives do not cover the mine's method).
    - Category score = earned ÷ applicable points × category total; the total is the sum of
      unrounded category scores.
    - Qualified = all prerequisites recorded and passed, every applicable constraint indicator
      full, total ≥ pass line.
    """
    pass_line = D(pass_line)
    prerequisites = list(prerequisites)
    failed_prerequisites = [p.code for p in prerequisites if p.passed is False]
    pending_prerequisites = [p.code for p in prerequisites if p.passed is None]
    by_number: dict[int, list[Entry]] = {}
    for entry in entries:
        by_number.setdefault(entry.number, []).append(entry)

    indicator_results: list[IndicatorResult] = []
    for spec in sorted(indicators, key=lambda s: s.number):
        if not indicator_applies(spec, variant):
            continue
        result = IndicatorResult(
            number=spec.number,
            name=spec.name,
            category=spec.category,
            points=D(spec.points),
            constraint=spec.constraint,
            applicable=True,
            score=None,
        )
        indicator_results.append(result)
        if effective_rule(spec.rule, method) is None:
            result.applicable = False
            result.not_applicable_reason = "method"
            continue
        own = by_number.get(spec.number, [])
        scored = [e for e in own if not e.not_applicable and e.score is not None]
        if own and not scored and all(e.not_applicable for e in own):
            result.applicable = False
            result.not_applicable_reason = "experts"
            continue
        counted = []
        for e in scored:
            value = D(e.score)
            if value > 0 and spec.number not in evidence:
                result.missing_evidence = True
                value = ZERO  # 缺少支撑材料或证明材料不得分
            counted.append(value)
            result.expert_scores[e.expert] = value
        result.scored_by = len(counted)
        # Exact arithmetic: in 28-digit decimals a mean of thirds rescaled by 12/11 can come out as
        # 7.999…9 for an exact 8, and a total of exactly 80 as 79.999…9 (not qualified).
        # The experts' scores have two decimals, so their Decimal sum is exact; one Fraction per mean.
        result.exact = Fraction(sum(counted, ZERO)) / len(counted) if counted else Fraction(0)
        result.score = _to_decimal(result.exact)

    category_results, exact_scores = [], []
    for cat in sorted(categories, key=lambda c: c.number):
        own = [r for r in indicator_results if r.category == cat.number]
        applicable = [r for r in own if r.applicable]
        earned = sum((r.exact for r in applicable), Fraction(0))
        applicable_points = sum((r.points for r in applicable), ZERO)
        total = D(cat.points)
        # 折合法; a category with nothing applicable keeps its full points (nothing was missed).
        score = earned / Fraction(applicable_points) * Fraction(total) if applicable_points else Fraction(total)
        exact_scores.append(score)
        category_results.append(
            CategoryResult(cat.number, cat.name, total, _to_decimal(earned), applicable_points, _to_decimal(score))
        )

    scored = not failed_prerequisites
    exact_total = sum(exact_scores, Fraction(0)) if scored else None
    total = _to_decimal(exact_total) if scored else None
    failed_constraints = [
        r.number for r in indicator_results if r.constraint and r.applicable and r.exact < Fraction(r.points)
    ]
    qualified = (
        not failed_prerequisites
        and not pending_prerequisites
        and not failed_constraints
        and exact_total is not None
        and exact_total >= Fraction(pass_line)
    )
    return Result(
        qualified=qualified,
        total=total,
        pass_line=pass_line,
        scored=scored,
        categories=category_results,
        indicators=indicator_results,
        failed_prerequisites=failed_prerequisites,
        pending_prerequisites=pending_prerequisites,
        failed_constraints=failed_constraints if scored else [],
        missing_evidence=[r.number for r in indicator_results if r.missing_evidence] if scored else [],
        unscored=[r.number for r in indicator_results if r.applicable and r.scored_by == 0],
        exact_total=exact_total,
    )
