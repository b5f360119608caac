from collections import Counter, defaultdict
from decimal import Decimal

import pytest

from greenmine import reference, selectors
from greenmine.models import CatalogueVersion, Indicator, Prerequisite

pytestmark = pytest.mark.django_db

CONSTRAINTS = {8, 10, 12, 13, 15, 27, 29, 30, 31, 32, 33, 34, 35, 37, 38, 39, 40, 41, 48, 49}


def test_catalogue_migration_loads_all_49_indicators():
    version = CatalogueVersion.objects.get(is_current=True)

    numbers = list(version.indicators.values_list("number", flat=True))

    assert version.code == "2024"
    assert numbers == list(range(1, 50))


def test_catalogue_category_totals_match_seed():
    version = CatalogueVersion.objects.get(is_current=True)
    sums = defaultdict(Decimal)
    for ind in Indicator.objects.filter(version=version).select_related("category"):
        if ind.variant != "aggregate":  # the general variant of category three
            sums[ind.category.number] += ind.points

    assert dict(sums) == {1: 12, 2: 20, 3: 18, 4: 20, 5: 18, 6: 12}
    assert sum(sums.values()) == 100
    assert list(version.categories.values_list("points", flat=True)) == [12, 20, 18, 20, 18, 12]


def test_catalogue_each_variant_of_category_three_sums_to_18():
    sums = defaultdict(Decimal)
    numbers = defaultdict(list)
    for ind in Indicator.objects.filter(version__is_current=True, category__number=3):
        sums[ind.variant] += ind.points
        numbers[ind.variant].append(ind.number)

    assert sums == {"general": 18, "aggregate": 18}
    assert numbers == {"general": list(range(12, 21)), "aggregate": [21, 22, 23, 24]}


def test_catalogue_has_20_constraint_and_29_improvement_indicators():
    indicators = Indicator.objects.filter(version__is_current=True)

    counts = Counter(indicators.values_list("attribute", flat=True))
    constraint_numbers = set(indicators.filter(attribute="constraint").values_list("number", flat=True))

    assert counts == {"constraint": 20, "improvement": 29}
    assert constraint_numbers == CONSTRAINTS


def test_catalogue_counts_per_category_match_seed_headings():
    counts = Counter(Indicator.objects.filter(version__is_current=True).values_list("category__number", flat=True))

    # 一 7 项, 二 4 项, 三 9 + 4 项, 四 13 项, 五 5 项, 六 7 项
    assert counts == {1: 7, 2: 4, 3: 13, 4: 13, 5: 5, 6: 7}


def test_catalogue_has_the_five_prerequisites_in_seed_order():
    codes = list(Prerequisite.objects.filter(version__is_current=True).values_list("code", flat=True))

    assert codes == ["licences", "no_penalties", "not_abnormal", "production_reserves", "outside_red_line"]


def test_catalogue_keeps_seed_text_verbatim():
    one = Indicator.objects.get(version__is_current=True, number=1)

    assert one.category.name == "矿区环境"
    assert one.subcategory == "矿容矿貌（9 分）"
    assert one.name == "功能分区"
    assert one.method == "查资料、查现场"
    assert one.scoring_text.endswith("生产区、管理区分区不明显扣 1.5 分。")
    assert "GB 50187" in one.basis


def test_catalogue_load_twice_changes_nothing():
    before = list(Indicator.objects.values_list("id", "number", "points", "rule"))

    summary = reference.load()

    assert summary == {"catalogue_versions": 1, "indicators": 49}
    assert list(Indicator.objects.values_list("id", "number", "points", "rule")) == before


def test_catalogue_every_rule_is_achievable_up_to_full_points():
    from greenmine.scoring import achievable_scores, effective_rule

    for ind in Indicator.objects.filter(version__is_current=True):
        for method in ("open_pit", "underground", "oil_gas", "geothermal_water"):
            rule = effective_rule(ind.rule, method)
            if rule is None:
                continue
            scores = achievable_scores(rule, ind.points)
            assert max(scores) == ind.points, (ind.number, method)
            assert min(scores) == 0, (ind.number, method)


@pytest.mark.parametrize(
    ("number", "ending"),
    [
        # Text continued after a page header in the seed: nothing may be dropped at the break.
        (19, "地热矿泉水尾废水集中处理达标后外排或回灌。不达标不得分。"),
        (32, "不符合得 0 分（未列入土壤污染重点监管单位的企业本项直接得分）"),
        (35, "对矿区粉尘进行定期监测。符合要求得 2 分，不符合得 0 分。"),
    ],
)
def test_catalogue_keeps_text_continued_after_a_page_break(number, ending):
    indicator = Indicator.objects.get(version__is_current=True, number=number)

    assert indicator.scoring_text.endswith(ending)


def test_catalogue_indicator_1_conditions_are_deducted_once():
    rule = Indicator.objects.get(version__is_current=True, number=1).rule

    assert [(f["key"], f["step"], f.get("max_count")) for f in rule["findings"]] == [
        ("admin_living", 0.5, 1),
        ("production_admin", 1.5, 1),
    ]


def test_catalogue_load_corrects_an_existing_rule_in_place():
    indicator = Indicator.objects.get(version__is_current=True, number=1)
    old_rule = {"kind": "deduction", "findings": [{"key": "admin_living", "label": "x", "step": 0.5}]}
    Indicator.objects.filter(pk=indicator.pk).update(rule=old_rule)

    reference.load()

    indicator.refresh_from_db()
    assert indicator.rule["findings"][0]["max_count"] == 1
    assert Indicator.objects.filter(number=1).count() == 1


def test_catalogue_cache_is_replaced_when_the_catalogue_file_is_loaded_again(monkeypatch):
    """Results read the catalogue from a per-process cache keyed by the version's load time."""
    version = Indicator.objects.get(version__is_current=True, number=1).version
    assert selectors.catalogue(version.pk).indicators[0].name == "功能分区"  # cached now
    read = reference.read_catalogue

    def corrected(path):
        data = read(path)
        data["indicators"][0]["name"] = "功能分区（勘误）"
        return data

    monkeypatch.setattr(reference, "read_catalogue", corrected)
    reference.load()

    assert selectors.catalogue(version.pk).indicators[0].name == "功能分区（勘误）"
