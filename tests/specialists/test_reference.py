import pytest

from specialists import reference
from specialists.models import Committee, PointRule, ProgrammeSettings, Reward

pytestmark = pytest.mark.django_db


def test_migrate_loads_the_seed_tables():
    assert PointRule.objects.count() == 26
    assert Reward.objects.count() == 7
    assert list(Committee.objects.values_list("name", flat=True)) == [
        "采矿专业委员会",
        "选矿专业委员会",
        "油气地质专业委员会",
        "生态环境专业委员会",
        "智能矿山专业委员会",
        "绿色矿山建设专业委员会",
    ]
    assert ProgrammeSettings.current().probation_min_points == 10


def test_reference_load_twice_keeps_staff_edits():
    PointRule.objects.filter(code="knowledge_contest").update(points=4)

    summary = reference.load()

    assert summary["point rules"] == "26 (0 new)"
    assert PointRule.objects.get(code="knowledge_contest").points == 4
    assert PointRule.objects.count() == 26


def test_reference_load_restores_a_deleted_rule():
    PointRule.objects.filter(code="standard_drafting").delete()

    reference.load()

    assert PointRule.objects.get(code="standard_drafting").points == 5
