from decimal import Decimal

import pytest

from greenmine.models import Evidence, ExpertScore
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def scoring_assessment(staff_user, alice):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    return a


def test_list_page_shows_only_the_experts_assignments(client, staff_user, scoring_assessment, alice):
    gm.assessment(staff_user, mine_name="无关矿山")
    client.force_login(alice)

    html = client.get("/greenmine/").content.decode()

    assert "示范石灰石矿" in html
    assert "无关矿山" not in html


def test_score_page_shows_seed_text_and_only_applicable_inputs(client, scoring_assessment, alice):
    client.force_login(alice)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/score/").content.decode()

    assert "管理区、生活区分区不明显扣 0.5 分" in html
    assert 'name="n1-f-admin_living"' in html
    assert 'name="n9-i-drilling"' in html  # open pit
    assert 'name="n9-i-low_impact_method"' not in html  # underground alternative is hidden
    assert 'id="indicator-21"' not in html  # aggregate variant
    assert 'name="n20-option"' in html


def test_score_page_for_unassigned_expert_is_404(client, scoring_assessment):
    client.force_login(gm.expert("carol"))

    assert client.get(f"/greenmine/{scoring_assessment.pk}/score/").status_code == 404
    assert client.get(f"/greenmine/{scoring_assessment.pk}/result/").status_code == 404


def test_score_page_post_saves_draft_computed_from_inputs(client, scoring_assessment, alice):
    client.force_login(alice)
    data = {
        "action": "save",
        "n1-f-admin_living": "1",
        "n1-record": "管理区与生活区相邻",
        "n44-i-patents": "3",
        "n44-record": "发明专利 3 项",
        "n20-option": "municipal_network",
        "n20-o-municipal_network-passed": "yes",
        "n7-na": "1",
        "n7-reason": "荒漠矿区无绿化条件",
    }

    response = client.post(f"/greenmine/{scoring_assessment.pk}/score/", data)

    assert response.status_code == 302
    saved = {s.indicator.number: s for s in ExpertScore.objects.all()}
    assert saved[1].score == Decimal("1.5")
    assert saved[44].score == Decimal("1.5")
    assert saved[20].score == Decimal("2") and saved[20].record == ""
    assert saved[7].not_applicable is True
    assert set(saved) == {1, 7, 20, 44}


def test_score_page_post_uploads_evidence(client, scoring_assessment, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    upload = SimpleUploadedFile("许可证.pdf", gm.PDF_BYTES, content_type="application/pdf")

    client.post(f"/greenmine/{scoring_assessment.pk}/score/", {"action": "save", "n8-file": upload})

    assert list(Evidence.objects.values_list("indicator__number", "original_name")) == [(8, "许可证.pdf")]


def test_score_page_submit_incomplete_keeps_draft_and_explains(client, scoring_assessment, alice):
    client.force_login(alice)

    response = client.post(
        f"/greenmine/{scoring_assessment.pk}/score/",
        {"action": "submit", "n10-passed": "yes", "n10-record": "回采率达标"},
        follow=True,
    )

    refusal = "草稿已保存，但未能提交：请先为每项指标评分或标记为不涉及；尚未完成：1 功能分区、2 配套设施、3 标识标牌、"
    assert refusal in response.content.decode()
    assert ExpertScore.objects.get().score == Decimal("2")
    assert scoring_assessment.assignments.get().status == "draft"


def test_prerequisites_form_failure_marks_not_qualified(client, staff_user):
    a = gm.assessment(staff_user)
    client.force_login(staff_user)
    data = {f"{c}-passed": "yes" for c in ("licences", "no_penalties", "not_abnormal", "production_reserves")}
    data |= {f"{c}-record": "核查" for c in ("licences", "no_penalties", "not_abnormal", "production_reserves")}
    data |= {"outside_red_line-passed": "no", "outside_red_line-record": "矿区涉及生态保护红线"}

    client.post(f"/greenmine/{a.pk}/prerequisites/", data)
    html = client.get(f"/greenmine/{a.pk}/result/").content.decode()

    a.refresh_from_db()
    assert a.status == "prerequisites_failed"
    assert "矿区范围" in html


def test_result_page_for_staff_lists_failure_reasons(client, staff_user, scoring_assessment, alice):
    gm.full_scores(scoring_assessment.assignments.get(), n10=0)
    gm.evidence_for_all(scoring_assessment, staff_user)
    client.force_login(staff_user)

    response = client.get(f"/greenmine/{scoring_assessment.pk}/result/")
    html = response.content.decode()

    # 开采回采率 is also an indicator row, so check the reason itself, not just the name.
    assert response.context["reasons"] == ["约束性指标 10 开采回采率 未得满分"]
    assert 'id="reasons"' in html
    assert "约束性指标 10 开采回采率 未得满分" in html
    assert f"/api/greenmine/assessments/{scoring_assessment.pk}/export.xlsx" in html


def test_result_page_for_expert_before_completion_redirects(client, scoring_assessment, alice):
    client.force_login(alice)

    response = client.get(f"/greenmine/{scoring_assessment.pk}/result/")

    assert response.status_code == 302
    assert response["Location"] == "/greenmine/"


def test_site_visit_form_records_who_where_what(client, scoring_assessment, alice):
    client.force_login(alice)
    data = {
        "visited_on": "2024-05-06",
        "visitors": "李专家、秘书处小张",
        "location": "一号排土场",
        "observations": "复垦植被覆盖良好",
        "numbers": "40、41",
    }

    client.post(f"/greenmine/{scoring_assessment.pk}/site-visits/", data)
    html = client.get(f"/greenmine/{scoring_assessment.pk}/score/").content.decode()

    visit = scoring_assessment.site_visits.get()
    assert visit.location == "一号排土场"
    assert sorted(visit.indicators.values_list("number", flat=True)) == [40, 41]
    assert "复垦植被覆盖良好" in html


def test_site_visit_form_missing_field_records_nothing(client, scoring_assessment, alice):
    client.force_login(alice)

    client.post(f"/greenmine/{scoring_assessment.pk}/site-visits/", {"visited_on": "2024-05-06", "visitors": "李"})

    assert not scoring_assessment.site_visits.exists()


def test_site_visit_form_impossible_date_asks_for_a_date_and_records_nothing(client, scoring_assessment, alice):
    client.force_login(alice)
    data = {"visited_on": "2024-02-30", "visitors": "李专家", "location": "一号排土场", "observations": "正常"}

    response = client.post(f"/greenmine/{scoring_assessment.pk}/site-visits/", data, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["请填写现场核查日期。"]
    assert not scoring_assessment.site_visits.exists()


def test_score_page_bad_file_keeps_scores_and_reports_it(client, scoring_assessment, alice):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(alice)
    upload = SimpleUploadedFile("tool.exe", b"MZ\x90\x00")

    response = client.post(
        f"/greenmine/{scoring_assessment.pk}/score/",
        {"action": "save", "n10-passed": "yes", "n10-record": "达标", "n10-file": upload},
        follow=True,
    )

    assert ExpertScore.objects.get().score == Decimal("2")
    assert not Evidence.objects.exists()
    assert "10 开采回采率" in response.content.decode()


def test_not_applicable_without_reason_saves_as_draft_but_blocks_submission(scoring_assessment, alice):
    from alliance.exceptions import BusinessRuleError
    from greenmine import services

    assignment = scoring_assessment.assignments.get()
    gm.full_scores(assignment)
    services.scores_save(assignment, [{"number": 7, "not_applicable": True}], by=alice, draft=True)

    with pytest.raises(BusinessRuleError, match="请说明以下指标不涉及的判定依据和理由：7 绿化效果。"):
        services.assignment_submit(assignment, by=alice)


def test_staff_reopen_and_complete_from_result_page(client, staff_user, scoring_assessment, alice):
    from greenmine import services

    assignment = scoring_assessment.assignments.get()
    gm.full_scores(assignment)
    gm.evidence_for_all(scoring_assessment, staff_user)
    services.assignment_submit(assignment, by=alice)
    client.force_login(staff_user)

    client.post(f"/greenmine/{scoring_assessment.pk}/reopen/{assignment.pk}/", {"reason": "请补充检查记录"})
    assignment.refresh_from_db()
    reopened = assignment.status
    services.assignment_submit(assignment, by=alice)
    client.post(f"/greenmine/{scoring_assessment.pk}/complete/")

    scoring_assessment.refresh_from_db()
    assert reopened == "draft"
    assert scoring_assessment.status == "completed"
    assert scoring_assessment.result["total"] == 100.0


def test_expert_cannot_complete_or_reopen_from_pages(client, staff_user, scoring_assessment, alice):
    from greenmine import services

    # Submitted, so both actions would succeed for staff: only the expert's role stops them.
    assignment = scoring_assessment.assignments.get()
    gm.full_scores(assignment)
    gm.evidence_for_all(scoring_assessment, staff_user)
    services.assignment_submit(assignment, by=alice)
    client.force_login(alice)

    client.post(f"/greenmine/{scoring_assessment.pk}/complete/")
    client.post(f"/greenmine/{scoring_assessment.pk}/reopen/{assignment.pk}/", {"reason": "请补充检查记录"})

    scoring_assessment.refresh_from_db()
    assignment.refresh_from_db()
    assert scoring_assessment.status == "scoring"
    assert scoring_assessment.result is None
    assert assignment.status == "submitted"


def test_score_page_locks_the_form_once_submitted(client, staff_user, scoring_assessment, alice):
    from greenmine import services

    assignment = scoring_assessment.assignments.get()
    gm.full_scores(assignment)
    client.force_login(alice)
    url = f"/greenmine/{scoring_assessment.pk}/score/"
    draft = client.get(url)

    services.assignment_submit(assignment, by=alice)
    submitted = client.get(url)

    assert draft.context["editable"] is True
    assert "<fieldset disabled" not in draft.content.decode()
    assert submitted.context["editable"] is False
    assert "<fieldset disabled" in submitted.content.decode()


def test_result_page_while_scoring_separates_unscored_from_failed_constraints(
    client, staff_user, scoring_assessment, alice
):
    from greenmine import services

    # Only indicator 10 (a constraint) scored, 0 of 2; indicator 8 (a constraint too) not scored yet.
    services.scores_save(
        scoring_assessment.assignments.get(), [{"number": 10, "score": "0", "record": "回采率未达标"}], by=alice
    )
    client.force_login(staff_user)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/result/").content.decode()

    reasons = html.split('id="reasons"', 1)[1].split("</section>", 1)[0]
    assert 'id="provisional"' in html
    assert "10 开采回采率" in reasons
    assert "8 开采方式" not in reasons
    assert "1、2、3、4、5、6、7、8、9、11、" in reasons  # listed once, as not yet scored


def test_report_while_scoring_lists_only_scored_constraints_as_failed(staff_user, scoring_assessment, alice):
    from greenmine import exports, services

    services.scores_save(
        scoring_assessment.assignments.get(), [{"number": 10, "score": "0", "record": "回采率未达标"}], by=alice
    )

    context = exports.report_context(scoring_assessment)

    assert context["provisional"] is True
    assert context["failed_constraints"] == [(10, "开采回采率")]
    scores = {row[2]: row[9] for row in context["rows"]}
    assert scores["10 开采回采率"] == 0
    assert scores["8 开采方式"] is None  # not scored yet: empty, not 0


def test_result_total_just_below_80_is_shown_below_80(client, staff_user, scoring_assessment, alice):
    from greenmine import selectors

    gm.full_scores(
        scoring_assessment.assignments.get(),
        n7="na", n16="na", n28="na", n1="0.5", n2="1", n4="1.5", n14="0", n19="0", n25="0", n36="0",
        n9="2", n11="4", n45="1.5", n47="0.4",
    )  # fmt: skip
    gm.evidence_for_all(scoring_assessment, staff_user)

    payload = selectors.result_payload(scoring_assessment)

    assert payload["qualified"] is False  # 79.99982… < 80
    assert payload["total"] == 79.99


def test_score_page_indicator_32_offers_full_points_to_a_unit_not_on_the_key_list(client, scoring_assessment, alice):
    client.force_login(alice)

    html = client.get(f"/greenmine/{scoring_assessment.pk}/score/").content.decode()

    assert "符合要求；或未列入土壤污染重点监管单位（本项直接得分） (+1)" in html


def test_score_page_in_chinese_calls_evidence_证明材料_not_the_specialists_依据(client, scoring_assessment, alice):
    from django.utils import translation

    client.force_login(alice)

    with translation.override("zh-hans"):
        label = translation.pgettext("green-mine", "Evidence")
    html = client.get(f"/greenmine/{scoring_assessment.pk}/score/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert label in html
    assert label != "依据"


def test_export_summary_while_scoring_says_provisional_and_prints_plain_numbers(staff_user, scoring_assessment, alice):
    from greenmine import exports, selectors

    data = selectors.load_assessment_data(scoring_assessment)
    summary = {row[0]: row[1] for row in exports.summary_rows(data, selectors.compute(data)) if row[0] != "不达标原因"}

    assert summary["结论"] == "评分中（评价完成前不作结论）"
    assert summary["1 矿区环境（12 分）"] == 0
    assert summary["达标线"] == 80
