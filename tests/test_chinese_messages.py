"""Business messages reach a zh-hans user in Chinese: through the admin, the import job's report, the
green-mine expert's pages and the API (issue 8, item 2).  The site's language is zh-hans; each test
asserts the exact sentence the user reads."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from alliance.models import ImportJob
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.models import LedgerEntry, PointRule, Redemption
from tests.factories import UserFactory
from tests.greenmine import factories as gm
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db


def _messages(response):
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder", roles=["service_centre"], is_staff=True)


# ---- the admin -------------------------------------------------------------------------------


def test_admin_illegal_status_move_is_explained_in_chinese(staff_client):
    general = SpecialistFactory(name="赵一", status=S.GENERAL)

    response = staff_client.post(
        reverse("admin:specialists_specialist_changelist"),
        {"action": "approve_today", "_selected_action": [general.pk]},
        follow=True,
    )

    assert any("特别专员不能以这种方式从“一般特别专员”转为“试用期”。" in m for m in _messages(response))


def test_admin_cancelling_a_cancelled_redemption_is_refused_in_chinese(staff_client, recorder):
    alice = SpecialistFactory(name="王爱丽")
    services.activity_record(alice, rule="books", quantity=50, occurred_on=dt.date(2024, 1, 2), actor=recorder)
    redemption, _created = services.redemption_create(alice, reward="office_gift", idempotency_key="g")
    services.redemption_cancel(redemption, actor=recorder)

    response = staff_client.post(
        reverse("admin:specialists_redemption_changelist"),
        {"action": "cancel", "_selected_action": [redemption.pk], "confirmed": "1", "reason": "重复申请"},
        follow=True,
    )

    assert any("只有待处理的兑换可以取消。" in m for m in _messages(response))
    assert Redemption.objects.get().status == "cancelled"


def test_admin_reversing_a_redemption_entry_is_refused_in_chinese(staff_client, recorder):
    alice = SpecialistFactory(name="王爱丽")
    services.activity_record(alice, rule="books", quantity=50, occurred_on=dt.date(2024, 1, 2), actor=recorder)
    services.redemption_create(alice, reward="office_gift", idempotency_key="g")
    entry = LedgerEntry.objects.get(kind="redemption")

    response = staff_client.post(
        reverse("admin:specialists_ledgerentry_changelist"),
        {"action": "reverse_entries", "_selected_action": [entry.pk], "reason": "录入错误"},
        follow=True,
    )

    assert any("只有活动积分记录可以用这种方式更正。" in m for m in _messages(response))


def test_admin_amount_rule_without_amount_names_the_rule_in_chinese(staff_client):
    alice = SpecialistFactory(name="王爱丽")

    response = staff_client.post(
        reverse("admin:specialists_ledgerentry_add"),
        {"specialist": alice.pk, "rule": PointRule.objects.get(code="sponsorship").pk, "occurred_on": "2024-03-01"},
    )

    assert response.context["adminform"].form.errors["amount"] == ["“赞助”按金额（元）计分，请填写金额。"]


def test_admin_completing_an_assessment_not_being_scored_is_refused_in_chinese(staff_client, staff_user):
    draft = gm.assessment(staff_user)

    response = staff_client.post(
        reverse("admin:greenmine_assessment_changelist"),
        {"action": "complete_assessments", "_selected_action": [draft.pk]},
        follow=True,
    )

    assert any("只有处于评分阶段的评价才能完成。" in m for m in _messages(response))


def test_admin_assigning_a_user_without_the_expert_role_is_refused_in_chinese(staff_client, staff_user):
    draft = gm.assessment(staff_user)
    plain = UserFactory(username="plain")

    response = staff_client.post(
        reverse("admin:greenmine_expertassignment_add"), {"assessment": draft.pk, "expert": plain.pk}
    )

    assert "该用户没有“评审专家”角色。" in response.content.decode()


# ---- the activity import ---------------------------------------------------------------------

HEADERS = ["用户名", "规则代码", "日期", "数量", "金额", "级别", "说明", "依据文件"]


def _import(staff_client, django_capture_on_commit_callbacks, rows, headers=HEADERS):
    wb = Workbook()
    wb.active.append(headers)
    for row in rows:
        wb.active.append(row)
    data = io.BytesIO()
    wb.save(data)
    upload = SimpleUploadedFile("activities.xlsx", data.getvalue())
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:specialists_ledgerentry_import"), {"file": upload})
    job = ImportJob.objects.get()
    page = staff_client.get(response["Location"]).content.decode()
    return [(e["row"], e["column"], e["message"]) for e in job.errors], page


def test_import_report_is_in_chinese(staff_client, django_capture_on_commit_callbacks):
    SpecialistFactory(name="王爱丽", user__username="alice")
    UserFactory(username="carol")
    future = (services.today() + dt.timedelta(days=3)).isoformat()

    errors, page = _import(
        staff_client,
        django_capture_on_commit_callbacks,
        [
            ["alice", "books", "2024-13-45", 1, None, None, None, None],
            ["carol", "no_such_rule", "2024-03-01", 1, None, None, None, None],
            ["alice", "books", future, 1, None, None, None, None],
        ],
    )

    assert errors == [
        (2, "日期", "请按 YYYY-MM-DD 格式填写日期。"),
        (3, "用户名", "不是特别专员。"),
        (3, "规则代码", "未知的规则代码 no_such_rule（见模板中的“规则代码”工作表）。"),
        (4, "日期", "日期不能晚于今天。"),
    ]
    assert "不是特别专员。" in page and "请按 YYYY-MM-DD 格式填写日期。" in page


def test_import_missing_column_is_reported_in_chinese(staff_client, django_capture_on_commit_callbacks):
    errors, _page = _import(
        staff_client,
        django_capture_on_commit_callbacks,
        [["alice", "books", 1]],
        headers=["用户名", "规则代码", "数量"],
    )

    assert errors == [(1, "日期", "缺少此列。")]


# ---- the green-mine expert's pages -----------------------------------------------------------


@pytest.fixture
def expert(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def scoring(staff_user, expert):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, expert)
    gm.pass_prerequisites(a, staff_user)
    return a


def test_expert_submitting_an_incomplete_sheet_reads_the_missing_indicators_in_chinese(client, scoring, expert):
    client.force_login(expert)

    response = client.post(
        f"/greenmine/{scoring.pk}/score/", {"action": "submit", "n1-passed": "", "n10-passed": "yes"}, follow=True
    )

    [message] = _messages(response)
    assert message.startswith(
        "草稿已保存，但未能提交：请先为每项指标评分或标记为不涉及；尚未完成：1 功能分区、2 配套设施、3 标识标牌、"
    )
    assert message.endswith("等，另有 36 项。")


def test_expert_submitting_without_inspection_records_reads_them_in_chinese(client, scoring, expert):
    assignment = scoring.assignments.get()
    gm.full_scores(assignment)
    assignment.scores.filter(indicator__number__in=[2, 3]).update(record="")
    client.force_login(expert)

    response = client.post(f"/greenmine/{scoring.pk}/score/", {"action": "submit"}, follow=True)

    assert _messages(response) == ["草稿已保存，但未能提交：请填写以下指标的检查记录：2 配套设施、3 标识标牌。"]


def test_expert_count_that_is_not_a_number_is_refused_in_chinese(client, scoring, expert):
    client.force_login(expert)

    response = client.post(
        f"/greenmine/{scoring.pk}/score/", {"action": "save", "n1-f-admin_living": "两处"}, follow=True
    )

    assert _messages(response) == ["指标 1（功能分区）：“两处”不是整数。"]


def test_expert_upload_that_is_not_a_pdf_is_refused_in_chinese(client, scoring, expert):
    client.force_login(expert)
    upload = SimpleUploadedFile("许可证.pdf", b"MZ\x90\x00 not a pdf")

    response = client.post(f"/greenmine/{scoring.pk}/score/", {"action": "save", "n8-file": upload}, follow=True)

    assert _messages(response)[0] == "指标 8（开采方式）：文件内容不是 .pdf 文件。"


def test_expert_opening_the_result_before_completion_is_told_why_in_chinese(client, scoring, expert):
    client.force_login(expert)

    response = client.get(f"/greenmine/{scoring.pk}/result/", follow=True)

    assert _messages(response) == ["秘书处完成评价后，专家才能查看评价结果。"]


# ---- the API ---------------------------------------------------------------------------------


def test_api_business_errors_are_in_chinese(api_client, staff_user, scoring, expert):
    api_client.force_authenticate(expert)
    base = f"/api/greenmine/assessments/{scoring.pk}/"

    submit = api_client.post(base + "submit/")
    unknown = [{"number": 11, "inputs": {"findings": {"x": 1}}, "record": "x"}]
    score = api_client.put(base + "scores/", unknown, format="json")
    api_client.force_authenticate(staff_user)
    complete = api_client.post(f"/api/greenmine/assessments/{gm.assessment(staff_user).pk}/complete/")
    points = api_client.get("/api/me/points/")

    assert submit.status_code == 400 and submit.json()["scores"][0].startswith("请先为每项指标评分或标记为不涉及")
    assert score.status_code == 400 and score.json()["items"][0]["inputs"] == ["指标 11（质量要求）：未知的扣分项：x。"]
    assert complete.json() == {"detail": "只有处于评分阶段的评价才能完成。"}
    assert points.status_code == 403 and points.json() == {"detail": "只有特别专员才有积分。"}
