"""The scoring rules and the result, with the seed's own examples (pure functions, no database)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from greenmine import reference
from greenmine.scoring import (
    CategorySpec,
    Entry,
    IndicatorSpec,
    PrerequisiteState,
    ScoringInputError,
    achievable_scores,
    check_direct_score,
    compute_result,
    display,
    display_total,
    effective_rule,
    inputs_for_score,
    rule_score,
)

CATALOGUE = reference.read_catalogue(reference.DATA_DIR / "catalogue-2024.yaml")
BY_NUMBER = {item["number"]: item for item in CATALOGUE["indicators"]}
CATEGORIES = [CategorySpec(c["number"], c["name"], Decimal(str(c["points"]))) for c in CATALOGUE["categories"]]
INDICATORS = [
    IndicatorSpec(
        number=i["number"],
        category=i["category"],
        name=i["name"],
        points=Decimal(str(i["points"])),
        constraint=i["attribute"] == "constraint",
        variant=i["variant"] or "",
        rule=i["rule"],
    )
    for i in CATALOGUE["indicators"]
]
ALL_PASSED = [PrerequisiteState(p["code"], p["name"], True) for p in CATALOGUE["prerequisites"]]
GENERAL = [s for s in INDICATORS if s.variant in ("", "general")]


def score(number, inputs, method="open_pit"):
    item = BY_NUMBER[number]
    return rule_score(effective_rule(item["rule"], method), item["points"], inputs)


def full_entries(expert="e1", specs=GENERAL, **overrides):
    """An expert giving full points everywhere, except `overrides` {number: score or "na"}."""
    entries = []
    for spec in specs:
        value = overrides.get(f"n{spec.number}", spec.points)
        if value == "na":
            entries.append(Entry(expert, spec.number, None, not_applicable=True))
        else:
            entries.append(Entry(expert, spec.number, Decimal(str(value))))
    return entries


def result(entries, *, prerequisites=ALL_PASSED, pass_line=80, method="open_pit", evidence=None, variant="general"):
    return compute_result(
        categories=CATEGORIES,
        indicators=INDICATORS,
        variant=variant,
        method=method,
        pass_line=pass_line,
        prerequisites=prerequisites,
        entries=entries,
        evidence=set(range(1, 50)) if evidence is None else evidence,
    )


# ---- scoring kinds -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        ({}, "2"),
        ({"admin_living": 1}, "1.5"),  # 管理区、生活区分区不明显扣 0.5 分
        ({"production_admin": 1}, "0.5"),  # 生产区、管理区分区不明显扣 1.5 分
        ({"admin_living": 1, "production_admin": 1}, "0"),
    ],
)
def test_rule_score_deduction_indicator_1_uses_each_finding_step(findings, expected):
    assert score(1, {"findings": findings}) == Decimal(expected)


@pytest.mark.parametrize("key", ["admin_living", "production_admin"])
def test_rule_score_deduction_indicator_1_refuses_a_condition_counted_twice(key):
    # 分区不明显 is a condition of the mine's layout, deducted once, not per occurrence.
    with pytest.raises(ScoringInputError, match="最多为 1。"):
        score(1, {"findings": {key: 2}})


def test_rule_score_deduction_stops_at_zero_for_many_findings():
    assert score(3, {"findings": {"finding": 7}}) == Decimal("0")  # 1 − 7 × 0.2 → 0
    assert score(3, {"findings": {"finding": 2}}) == Decimal("0.6")


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ({"patents": 1}, "0.5"),
        ({"patents": 3}, "1.5"),
        ({"patents": 4}, "2"),
        ({"patents": 6}, "2"),  # 0.5 per patent, 最多得 2 分
        ({"catalogue_entries": 1}, "1"),
        ({"patents": 1, "catalogue_entries": 1}, "1.5"),
        ({"patents": 4, "high_tech_certificate": True}, "2"),  # capped at the indicator's 2 points
    ],
)
def test_rule_score_additive_indicator_44_counts_patents_up_to_cap(items, expected):
    assert score(44, {"items": items}) == Decimal(expected)


def test_rule_score_additive_indicator_26_never_exceeds_one_point():
    items = {"annual_plan": True, "management_system": True, "certification": True}

    assert score(26, {"items": items}) == Decimal("1")  # 得分不超过 1 分


def test_rule_score_choice_indicator_20_option_two_gives_two_points():
    assert score(20, {"option": "municipal_network", "input": {"passed": True}}) == Decimal("2")
    assert score(20, {"option": "own_treatment", "input": {"items": {"treatment_system": True}}}) == Decimal("1")
    assert score(20, {}) == Decimal("0")


def test_rule_score_alternatives_only_the_mines_method_counts():
    open_pit = {"items": {"drilling": True, "blasting": True, "loading": True, "dumping": True}}
    underground = {"items": {"low_impact_method": True, "advanced_method": True}}

    assert score(9, open_pit, method="open_pit") == Decimal("8")
    assert score(9, underground, method="underground") == Decimal("5")
    with pytest.raises(ScoringInputError):
        score(9, open_pit, method="underground")  # an open-pit sub-item is not an input for an underground mine


def test_effective_rule_indicator_8_does_not_apply_to_oil_and_gas():
    assert effective_rule(BY_NUMBER[8]["rule"], "oil_gas") is None
    assert effective_rule(BY_NUMBER[8]["rule"], "open_pit") == {"kind": "all_or_nothing"}


def test_rule_score_rejects_unknown_keys_and_negative_counts():
    with pytest.raises(ScoringInputError, match="未知的扣分项"):
        score(1, {"findings": {"nonsense": 1}})
    with pytest.raises(ScoringInputError, match="须为不小于 0 的整数"):
        score(2, {"findings": {"finding": -1}})
    with pytest.raises(ScoringInputError, match="最多为 1。"):
        score(43, {"items": {"research_team": 2}})


@pytest.mark.parametrize(
    ("number", "value", "method"),
    [(1, "1.5", "open_pit"), (1, "0.5", "open_pit"), (1, "0", "open_pit"), (44, "1.5", "open_pit"),
     (20, "2", "open_pit"), (9, "5", "underground"), (3, "0.4", "open_pit"), (8, "0", "open_pit")],
)  # fmt: skip
def test_check_direct_score_accepts_scores_on_the_rules_grid(number, value, method):
    item = BY_NUMBER[number]

    assert check_direct_score(effective_rule(item["rule"], method), item["points"], value) == Decimal(value)


@pytest.mark.parametrize(
    ("number", "value", "message"),
    [(8, "3", "不可能得到 3 分"), (8, "5.5", "须在 0 到 5 之间"), (1, "0.7", "不可能得到 0.7 分"),
     (1, "1", "不可能得到 1 分"), (1, "-1", "须在 0 到 2 之间"), (9, "1", "不可能得到 1 分"),
     (10, "abc", "分数须为数字")],
)  # fmt: skip
def test_check_direct_score_rejects_scores_the_rule_cannot_give(number, value, message):
    item = BY_NUMBER[number]

    with pytest.raises(ScoringInputError, match=message) as exc:
        check_direct_score(effective_rule(item["rule"], "open_pit"), item["points"], value)
    assert exc.value.field == "score"


def test_achievable_scores_indicator_1_combines_both_steps():
    # 2, −0.5 (管理区、生活区), −1.5 (生产区、管理区), both: 0 — never 1.
    assert achievable_scores(BY_NUMBER[1]["rule"], 2) == {Decimal(v) for v in ("0", "0.5", "1.5", "2")}


# ---- the result ----------------------------------------------------------------------------


def test_compute_result_full_marks_is_qualified_with_100():
    outcome = result(full_entries())

    assert outcome.qualified is True
    assert outcome.total == Decimal("100")
    assert [c.score for c in outcome.categories] == [12, 20, 18, 20, 18, 12]


def test_compute_result_not_applicable_rescales_its_category():
    # Category one: 7 (1 point) not applicable, 2 loses 0.5 → earned 10.5 of 11 applicable points.
    outcome = result(full_entries(n7="na", n2="1.5"))

    category = outcome.categories[0]
    assert category.applicable_points == Decimal("11")
    assert category.earned == Decimal("10.5")
    assert category.score == Decimal("10.5") / Decimal("11") * 12  # 11.4545…
    assert outcome.total == category.score + 88
    assert outcome.indicators[6].applicable is False


def test_compute_result_total_sums_unrounded_category_scores():
    # Categories one and six each rescale to 10.5 ÷ 11 × 12 = 11.4545…; rounding each first would give 98.90.
    outcome = result(full_entries(n7="na", n2="1.5", n43="na", n45="1.5"))

    assert outcome.exact_total == 2 * Fraction(126, 11) + 76  # 98 10/11, from unrounded category scores
    assert display(outcome.total) == 98.91
    assert [display(c.score) for c in outcome.categories] == [11.45, 20, 18, 20, 18, 11.45]


def test_compute_result_failed_constraint_is_not_qualified_with_total_above_80():
    outcome = result(full_entries(n10="0"))  # 开采回采率 (constraint, 2 points) not met

    assert outcome.total == Decimal("98")
    assert outcome.qualified is False
    assert outcome.failed_constraints == [10]


def test_compute_result_failed_prerequisite_ends_it_without_scoring():
    prerequisites = [PrerequisiteState(p.code, p.name, p.code != "outside_red_line") for p in ALL_PASSED]

    outcome = result(full_entries(), prerequisites=prerequisites)

    assert outcome.qualified is False
    assert outcome.scored is False
    assert outcome.total is None
    assert outcome.failed_prerequisites == ["outside_red_line"]


def test_compute_result_unrecorded_prerequisite_is_not_qualified():
    prerequisites = [*ALL_PASSED[:4], PrerequisiteState("outside_red_line", "矿区范围", None)]

    outcome = result(full_entries(), prerequisites=prerequisites)

    assert outcome.qualified is False
    assert outcome.pending_prerequisites == ["outside_red_line"]


@pytest.mark.parametrize(("pass_line", "qualified"), [(80, True), (85, True), (85.5, False), (90, False)])
def test_compute_result_custom_pass_line(pass_line, qualified):
    # 85 points: 1, 2, 4, 5, 6 (−10), 25 and 28 (−4) and 36 (−1) all improvement indicators at 0.
    entries = full_entries(n1="0", n2="0", n4="0", n5="0", n6="0", n25="0", n28="0", n36="0")

    outcome = result(entries, pass_line=pass_line)

    assert outcome.total == Decimal("85")
    assert outcome.qualified is qualified


def test_compute_result_averages_three_experts():
    entries = [
        *full_entries("a", n1="2"),
        *full_entries("b", n1="1.5"),
        *full_entries("c", n1="0.5"),
    ]

    outcome = result(entries)

    one = outcome.indicators[0]
    assert one.score == Decimal("4") / 3  # (2 + 1.5 + 0.5) / 3
    assert one.expert_scores == {"a": Decimal("2"), "b": Decimal("1.5"), "c": Decimal("0.5")}
    assert outcome.total == Decimal("98") + Decimal("4") / 3


def test_compute_result_score_without_evidence_counts_zero():
    outcome = result(full_entries(), evidence=set(range(1, 50)) - {46})

    assert outcome.missing_evidence == [46]
    assert outcome.total == Decimal("98")
    assert outcome.qualified is True


def test_compute_result_method_without_alternative_makes_indicator_not_applicable():
    outcome = result(full_entries(n8="0"), method="oil_gas")

    eight = outcome.indicators[7]
    assert eight.applicable is False
    assert outcome.categories[1].applicable_points == Decimal("15")
    assert outcome.categories[1].score == Decimal("20")
    assert outcome.failed_constraints == []


def test_compute_result_aggregate_variant_scores_21_to_24():
    specs = [s for s in INDICATORS if s.variant in ("", "aggregate")]

    outcome = result(full_entries(specs=specs, n23="2"), variant="aggregate")

    assert [r.number for r in outcome.indicators if r.category == 3] == [21, 22, 23, 24]
    assert outcome.total == Decimal("98")


def test_compute_result_unscored_indicator_counts_zero():
    entries = [e for e in full_entries() if e.number != 49]

    outcome = result(entries)

    assert outcome.unscored == [49]
    assert outcome.failed_constraints == [49]
    assert outcome.qualified is False


def test_inputs_for_score_reproduces_every_achievable_score():
    for item in CATALOGUE["indicators"]:
        for method in ("open_pit", "underground", "oil_gas", "geothermal_water"):
            rule = effective_rule(item["rule"], method)
            if rule is None:
                continue
            for value in achievable_scores(rule, item["points"]):
                inputs = inputs_for_score(rule, item["points"], value)
                assert rule_score(rule, item["points"], inputs) == value, (item["number"], method, value)


def test_inputs_for_score_indicator_1_picks_the_matching_finding():
    assert inputs_for_score(BY_NUMBER[1]["rule"], 2, Decimal("0.5")) == {"findings": {"production_admin": 1}}


def test_form_controls_indicator_1_allow_one_finding_of_each_condition():
    from greenmine.forms import controls

    fields = controls(BY_NUMBER[1]["rule"], Decimal("2"), "n1-", {})

    assert [(c["name"], c["max"]) for c in fields] == [("n1-f-admin_living", 1), ("n1-f-production_admin", 1)]


def test_compute_result_total_just_below_the_pass_line_is_never_shown_as_80():
    # 不涉及 7, 16 and 28 rescale categories 1 (×12/11), 3 (×18/17) and 4 (×20/18):
    # 8/11×12 + 12/17×18 + 15/18×20 + 13 + 18 + 10.9 = 79.99982…
    outcome = result(
        full_entries(n7="na", n16="na", n28="na", n1="0.5", n2="1", n4="1.5", n14="0", n19="0", n25="0", n36="0",
                     n9="2", n11="4", n45="1.5", n47="0.4")
    )  # fmt: skip

    assert Decimal("79.9998") < outcome.total < Decimal("80")
    assert outcome.qualified is False
    assert outcome.below_pass_line is True
    assert display(outcome.total) == 80.0  # half-up would print 80.00 beside "not qualified"
    assert display_total(outcome.total, outcome.pass_line) == 79.99


@pytest.mark.parametrize(
    ("total", "pass_line", "shown"),
    [("85.456", 80, 85.46), ("79.996", 80, 79.99), ("80", 80, 80.0), ("84.996", 85, 84.99), ("79.994", 80, 79.99)],
)
def test_display_total_is_half_up_unless_that_would_reach_the_pass_line(total, pass_line, shown):
    assert display_total(Decimal(total), pass_line) == shown


def test_display_total_of_an_unscored_assessment_is_none():
    assert display_total(None, 80) is None


def rule_signature(rule):
    """A rule in short: "all"; ("-", steps); ("+", ((points, max count), ...)); ("or", options); {method: rule}."""
    kind = rule["kind"]
    if kind == "all_or_nothing":
        return "all"
    if kind == "deduction":
        return ("-", tuple(Decimal(str(f["step"])) for f in rule["findings"]))
    if kind == "additive":
        return ("+", tuple((Decimal(str(i["points"])), i.get("max_count", 1)) for i in rule["items"]))
    if kind == "choice":
        return ("or", tuple(rule_signature(o["rule"]) for o in rule["options"]))
    return {method: rule_signature(alt["rule"]) for method, alt in rule["by_method"].items()}


def _d(*values):
    return tuple(Decimal(v) for v in values)


def _items(*pairs):
    return ("+", tuple((Decimal(p), n) for p, n in pairs))


FOUR_TWOS = _items(("2", 1), ("2", 1), ("2", 1), ("2", 1))
ONE_PER_FINDING = ("-", _d("1"))
# Written from the seed's 评分说明, row by row.
SEED_RULES = {
    1: ("-", _d("0.5", "1.5")),  # 管理区、生活区 −0.5, 生产区、管理区 −1.5
    2: ("-", _d("0.5")), 3: ("-", _d("0.2")), 4: ("-", _d("0.5")), 5: ("-", _d("0.5")),
    6: ("-", _d("0.5")), 7: ("-", _d("0.5")),
    8: {"open_pit": "all", "underground": "all"},  # ★露天 / ★地下, 符合要求得 5 分，不符合得 0 分
    9: {"open_pit": FOUR_TWOS, "underground": _items(("3", 1), ("3", 1), ("2", 1)),
        "oil_gas": FOUR_TWOS, "geothermal_water": FOUR_TWOS},
    10: "all",
    11: {"open_pit": ONE_PER_FINDING, "underground": ONE_PER_FINDING, "oil_gas": ONE_PER_FINDING,
         "geothermal_water": ONE_PER_FINDING},
    12: "all", 13: "all", 14: "all", 15: "all", 16: "all",
    17: _items(("0.5", 1), ("1", 1), ("0.5", 1)),  # 固废 0.5, 表土 1 (无表土直接得 1), 尾矿库 0.5
    18: "all",
    19: _items(("1", 1), ("1", 1), ("1", 1)),
    20: ("or", (_items(("1", 1), ("1", 1)), "all")),  # ① 1 + 1, or ② 管网 2
    21: "all", 22: "all",
    23: _items(("2", 1), ("2", 1)),
    24: ("or", (_items(("2", 1), ("2", 1)), "all")),  # ① 2 + 2, or ② 管网 4
    25: "all",
    26: _items(("0.5", 1), ("0.5", 1), ("1", 1)),  # capped at 1 by the indicator's points
    27: "all", 28: "all", 29: "all", 30: "all", 31: "all", 32: "all", 33: "all", 34: "all", 35: "all",
    36: "all", 37: "all", 38: "all", 39: "all", 40: "all", 41: "all",
    42: _items(("1", 1), ("1", 1), ("1", 1)),
    43: _items(("0.5", 1), ("0.5", 1), ("0.5", 1)),  # 最多得 1 分
    44: _items(("0.5", 4), ("1", 2), ("2", 1)),  # 专利 0.5 ≤ 2, 目录 1 ≤ 2, 高新技术企业 2; ≤ 2 in all
    45: ("-", _d("0.5")), 46: "all", 47: ("-", _d("0.2")), 48: "all", 49: "all",
}  # fmt: skip


@pytest.mark.parametrize("number", range(1, 50))
def test_catalogue_rule_matches_the_seeds_scoring_text(number):
    assert rule_signature(BY_NUMBER[number]["rule"]) == SEED_RULES[number]


@pytest.mark.parametrize(
    ("number", "inputs", "expected"),
    [
        (17, {"items": {"solid_waste_reuse": True, "topsoil_reuse": True, "tailings_pollution_control": True}}, "2"),
        (17, {"items": {"topsoil_reuse": True}}, "1"),  # 无表土的，直接得 1 分
        (19, {"items": {"treatment_facilities": True, "process_water_recycling": True}}, "2"),
        (24, {"option": "own_treatment", "input": {"items": {"treatment_system": True, "reuse": True}}}, "4"),
        (24, {"option": "municipal_network", "input": {"passed": True}}, "4"),
        (26, {"items": {"annual_plan": True, "management_system": True}}, "1"),
        (42, {"items": {"management_mechanism": True, "certification": True}}, "2"),
        (43, {"items": {"research_team": True, "rd_investment": True, "eia_research": True}}, "1"),  # 最多得 1 分
        (44, {"items": {"patents": 2, "catalogue_entries": 1}}, "2"),  # 1 + 1, capped at 2
        (44, {"items": {"catalogue_entries": 3}}, "2"),  # 1 项得 1 分，最多得 2 分
        (45, {"findings": {"finding": 3}}, "0.5"),
        (47, {"findings": {"finding": 6}}, "0"),  # six requirements × 0.2 > 1: 最多扣完该项分值
        (32, {"passed": True}, "1"),
    ],
)  # fmt: skip
def test_rule_score_seed_examples(number, inputs, expected):
    assert score(number, inputs) == Decimal(expected)


def test_compute_result_exactly_80_from_thirds_and_elevenths_is_qualified():
    # Category one as below (exactly 8 of 12) plus 16 points lost elsewhere by all three experts: exactly 80,
    # decided on the exact total rather than on 28-digit decimals happening to round back to 80.
    common = {"n7": "na", "n9": "0", "n44": "0", "n46": "0", "n42": "0", "n36": "0"}
    entries = full_entries("a", **common, n1="0", n2="0", n4="0") + full_entries("b", **common, n5="0", n6="0")
    entries += full_entries("c", **common, n3="0")

    outcome = result(entries)

    assert outcome.exact_total == 80
    assert outcome.total == Decimal("80")
    assert outcome.qualified is True
    assert outcome.below_pass_line is False


def test_compute_result_category_rescaled_from_thirds_is_exact():
    # Category one with 7 不涉及; three experts lose 6 + 4 + 1 = 11 points: earned 11 − 11/3 = 22/3 of 11,
    # so 22/3 ÷ 11 × 12 = 8 exactly (28-digit decimals gave 7.999…9).
    entries = full_entries("a", n7="na", n1="0", n2="0", n4="0") + full_entries("b", n7="na", n5="0", n6="0")
    entries += full_entries("c", n7="na", n3="0")

    outcome = result(entries)

    assert outcome.categories[0].score == Decimal("8")
    assert display(outcome.categories[0].earned) == 7.33
