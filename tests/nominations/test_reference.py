"""The reference data loads with `migrate` and reloads without changing anything."""

import pytest

from nominations import reference
from nominations.models import FieldConsortium, IndustryCode

pytestmark = pytest.mark.django_db


def _snapshot():
    return (
        list(IndustryCode.objects.order_by("code").values_list("code", "level", "name", "parent__code", "position")),
        list(FieldConsortium.objects.order_by("field").values_list("field", "name", "contact", "phone")),
    )


def test_gbt4754_codes_load_with_the_standards_counts():
    counts = {
        level: IndustryCode.objects.filter(level=level).count() for level in ("section", "division", "group", "class")
    }

    assert counts == {"section": 20, "division": 97, "group": 473, "class": 1381}


def test_each_code_hangs_under_its_parent():
    assert IndustryCode.objects.get(code="0810").parent.code == "081"
    assert IndustryCode.objects.get(code="081").parent.code == "08"
    assert IndustryCode.objects.get(code="08").parent.code == "B"
    assert IndustryCode.objects.get(code="B").parent is None
    assert not IndustryCode.objects.filter(level__in=["division", "group", "class"], parent__isnull=True).exists()


def test_the_five_fields_have_the_seeds_consortia():
    assert dict(FieldConsortium.objects.values_list("field", "name")) == {
        "electronics": "中国科协信息科技学会联合体",
        "biomedicine": "中国科协生命科学学会联合体",
        "equipment": "中国科协智能制造学会联合体",
        "materials": "中国科协先进材料学会联合体",
        "resources_environment": "中国科协生态环境产学联合体",
    }


def test_reloading_changes_nothing():
    before = _snapshot()

    summary = reference.load()

    assert _snapshot() == before
    assert summary == {"field consortia": 5, "industry codes": 1971}


def test_the_office_keeps_its_changes_to_a_consortium_on_reload():
    FieldConsortium.objects.filter(field="materials").update(contact="新联系人")

    reference.load()

    assert FieldConsortium.objects.get(field="materials").contact == "新联系人"


def test_a_missing_code_is_added_back_with_its_parent():
    IndustryCode.objects.filter(code="0810").delete()

    reference.load()

    assert IndustryCode.objects.get(code="0810").parent.code == "081"


def test_technology_readiness_levels_are_one_to_nine():
    levels = reference.trl_levels()

    assert sorted(levels) == list(range(1, 10))
    assert reference.trl_description(9, "applied") == "实际系统通过任务运行的成功考验"
    assert reference.trl_description(6, "development") == "完成中试"


def test_the_campaign_defaults_follow_the_seeds_timetable():
    defaults = reference.campaign_defaults()

    assert defaults["deadlines"]["recommendation"] == {"month": 11, "day": 20}
    assert defaults["deadlines"]["preliminary"] == {"month": 11, "day": 30}
    assert (defaults["cap_per_field"], defaults["shortlist_min"], defaults["shortlist_max"], defaults["list_size"]) == (
        2,
        25,
        30,
        100,
    )
