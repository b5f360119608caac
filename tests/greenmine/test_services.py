import shutil
from decimal import Decimal

import pytest

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from greenmine import reference, selectors, services
from greenmine.models import CatalogueVersion, ProvinceRule
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db


def test_province_rule_sets_pass_line_and_adds_veto_items(staff_user):
    ProvinceRule.objects.create(
        province="浙江省",
        pass_line=Decimal("85"),
        extra_prerequisites=[{"code": "no_complaints", "name": "无重大信访投诉", "requirement": "近三年无重大信访"}],
    )

    a = gm.assessment(staff_user, province="浙江省")
    gm.pass_prerequisites(a, staff_user, failed=["no_complaints"])

    a.refresh_from_db()
    assert a.pass_line == Decimal("85")
    assert [p["code"] for p in selectors.prerequisite_items(a)][-1] == "no_complaints"
    assert a.status == "prerequisites_failed"
    assert selectors.result_payload(a)["failed_prerequisites"] == ["no_complaints"]


def test_explicit_pass_line_overrides_province_rule(staff_user):
    ProvinceRule.objects.create(province="浙江省", pass_line=Decimal("85"))

    a = gm.assessment(staff_user, province="浙江省", pass_line=Decimal("90"))

    assert a.pass_line == Decimal("90")


def test_custom_pass_line_decides_qualification(staff_user):
    a = gm.assessment(staff_user, pass_line=Decimal("99"))
    (assignment,) = gm.assign(a, staff_user, gm.expert("alice"))
    gm.pass_prerequisites(a, staff_user)
    gm.full_scores(assignment, n46=0)  # 98 points
    gm.evidence_for_all(a, staff_user)

    result = selectors.result_payload(a)

    assert result["total"] == 98.0
    assert result["failed_constraints"] == []
    assert result["qualified"] is False


def test_result_averages_three_experts(staff_user):
    a = gm.assessment(staff_user)
    experts = [gm.expert(name) for name in ("e1", "e2", "e3")]
    gm.assign(a, staff_user, *experts)
    gm.pass_prerequisites(a, staff_user)
    values = [("2", "2"), ("1.5", "1"), ("0.5", "0.5")]
    for assignment, (n1, n44) in zip(a.assignments.order_by("id"), values, strict=True):
        gm.full_scores(assignment, n1=n1, n44=n44)
    gm.evidence_for_all(a, staff_user)

    result = selectors.result_payload(a)

    by_number = {i["number"]: i for i in result["indicators"]}
    assert by_number[1]["score"] == 1.33  # (2 + 1.5 + 0.5) / 3
    assert by_number[1]["experts"] == {"e1": 2.0, "e2": 1.5, "e3": 0.5}
    assert by_number[44]["score"] == 1.17  # (2 + 1 + 0.5) / 3
    # 100 − (2 − 4/3) − (2 − 3.5/3) = 98.5 exactly, from unrounded means
    assert result["total"] == 98.5
    assert result["qualified"] is True


def test_new_catalogue_version_leaves_old_assessments_on_theirs(staff_user, tmp_path, monkeypatch):
    old = gm.assessment(staff_user)
    shutil.copy(reference.DATA_DIR / "catalogue-2024.yaml", tmp_path / "catalogue-2024.yaml")
    text = (reference.DATA_DIR / "catalogue-2024.yaml").read_text(encoding="utf-8")
    (tmp_path / "catalogue-2025.yaml").write_text(text.replace('version: "2024"', 'version: "2025"'), "utf-8")
    monkeypatch.setattr(reference, "DATA_DIR", tmp_path)

    reference.load()
    new = gm.assessment(staff_user, mine_name="新版矿山")

    assert CatalogueVersion.objects.get(is_current=True).code == "2025"
    old.refresh_from_db()
    assert old.catalogue.code == "2024"
    assert new.catalogue.code == "2025"
    assert old.catalogue.indicators.count() == new.catalogue.indicators.count() == 49


def test_assessment_status_transitions_refuse_illegal_moves(staff_user):
    a = gm.assessment(staff_user)

    with pytest.raises(BusinessRuleError, match="评价不能从“先决条件核查中”转为“已完成”。"):
        services.assessment_set_status(a, "completed", by=staff_user)


def test_prerequisites_then_scores_are_audited(staff_user):
    a = gm.assessment(staff_user)
    alice = gm.expert("alice")
    (assignment,) = gm.assign(a, staff_user, alice)

    gm.pass_prerequisites(a, staff_user)
    services.scores_save(assignment, [{"number": 1, "score": 2, "record": "符合"}], by=alice)

    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert actions.count("greenmine.prerequisite.checked") == 5
    assert "greenmine.assessment.status" in actions
    assert "greenmine.score.saved" in actions


def test_oil_gas_mine_cannot_score_indicator_8(staff_user):
    a = gm.assessment(staff_user, mining_method="oil_gas")
    alice = gm.expert("alice")
    (assignment,) = gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)

    with pytest.raises(BusinessRuleError, match="指标 8（开采方式） 没有适用于本矿山开采方式的评分标准"):
        services.scores_save(assignment, [{"number": 8, "score": 5, "record": "x"}], by=alice)
    assert 8 not in [i.number for i in selectors.applicable_indicators(a)]


def test_submitted_expert_cannot_change_scores(staff_user):
    a = gm.assessment(staff_user)
    alice = gm.expert("alice")
    (assignment,) = gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    gm.full_scores(assignment)
    services.assignment_submit(assignment, by=alice)

    with pytest.raises(BusinessRuleError, match="您的评分已提交并锁定"):
        services.scores_save(assignment, [{"number": 1, "score": 0, "record": "x"}], by=alice)


def test_expert_cannot_save_scores_into_another_experts_assignment(staff_user):
    a = gm.assessment(staff_user)
    alice, bob = gm.expert("alice"), gm.expert("bob")
    (assignment, _) = gm.assign(a, staff_user, alice, bob)
    gm.pass_prerequisites(a, staff_user)

    with pytest.raises(BusinessRuleError, match="专家只能录入本人的评分。"):
        services.scores_save(assignment, [{"number": 1, "score": 0, "record": "x"}], by=bob)


def test_unassigned_expert_cannot_record_prerequisites_evidence_or_visits(staff_user):
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from alliance.exceptions import NotPermitted
    from greenmine.models import Evidence, PrerequisiteCheck, SiteVisit

    a = gm.assessment(staff_user)
    outsider = gm.expert("outsider")

    with pytest.raises(NotPermitted):
        gm.pass_prerequisites(a, outsider)
    with pytest.raises(NotPermitted):
        services.evidence_add(
            a, number=1, upload=SimpleUploadedFile("x.pdf", gm.PDF_BYTES, "application/pdf"), by=outsider
        )
    with pytest.raises(NotPermitted):
        services.site_visit_record(
            a, visited_on=date(2026, 5, 1), visitors="王工", location="采场", observations="正常", by=outsider
        )

    assert PrerequisiteCheck.objects.filter(assessment=a).count() == 0
    assert Evidence.objects.filter(assessment=a).count() == 0
    assert SiteVisit.objects.filter(assessment=a).count() == 0
    a.refresh_from_db()
    assert a.status == "draft"
