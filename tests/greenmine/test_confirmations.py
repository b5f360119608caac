"""Steps that lock or undo work ask first (issue 8, item 3): the expert's submission, sending a
submission back (with a reason the expert reads), completing and reopening an assessment."""

import re

import pytest

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from greenmine import services
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def scoring(staff_user, alice):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, alice)
    gm.pass_prerequisites(a, staff_user)
    return a


@pytest.fixture
def submitted(scoring, staff_user, alice):
    assignment = scoring.assignments.get()
    gm.full_scores(assignment)
    gm.evidence_for_all(scoring, staff_user)
    services.assignment_submit(assignment, by=alice)
    return assignment


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def _no_inline_code(html):
    """The site's Content-Security-Policy forbids inline scripts, handlers and style attributes."""
    return not re.search(r"<script(?![^>]*\bsrc=)|\son[a-z]+=|\sstyle=", html)


# ---- the expert's submission -----------------------------------------------------------------


def test_submit_button_saves_the_draft_and_asks_for_confirmation(client, scoring, alice):
    assignment = scoring.assignments.get()
    gm.full_scores(assignment)
    client.force_login(alice)

    response = client.post(f"/greenmine/{scoring.pk}/score/", {"action": "submit"})
    page = client.get(response["Location"])

    assignment.refresh_from_db()
    assert response["Location"] == f"/greenmine/{scoring.pk}/submit/"
    assert assignment.status == "draft"
    body = page.content.decode()
    assert "确定提交您对“示范石灰石矿”的评分吗？" in body
    assert "提交后评分将被锁定；只有秘书处退回修改后，您才能再次修改。" in body
    assert "已评分指标：45 项" in body
    assert _no_inline_code(body)


def test_confirmed_submission_locks_the_sheet_and_is_audited(client, scoring, alice):
    assignment = scoring.assignments.get()
    gm.full_scores(assignment)
    client.force_login(alice)

    response = client.post(f"/greenmine/{scoring.pk}/submit/", {"confirm": "1"}, follow=True)

    assignment.refresh_from_db()
    assert assignment.status == "submitted"
    assert _messages(response) == ["评分已提交。"]
    assert AuditEntry.objects.filter(action="greenmine.scores.submitted").count() == 1


def test_confirmation_page_of_an_incomplete_sheet_sends_the_expert_back_with_the_reason(client, scoring, alice):
    client.force_login(alice)

    response = client.get(f"/greenmine/{scoring.pk}/submit/", follow=True)

    assert response.redirect_chain == [(f"/greenmine/{scoring.pk}/score/", 302)]
    assert _messages(response)[0].startswith("未提交：请先为每项指标评分或标记为不涉及；尚未完成：1 功能分区、")
    assert scoring.assignments.get().status == "draft"


# ---- sending a submission back ---------------------------------------------------------------


def test_reopen_asks_for_a_reason_before_anything_changes(client, staff_user, scoring, submitted):
    client.force_login(staff_user)
    url = f"/greenmine/{scoring.pk}/reopen/{submitted.pk}/"

    result = client.get(f"/greenmine/{scoring.pk}/result/").content.decode()
    asked = client.get(url)
    refused = client.post(url, {"reason": "   "})

    submitted.refresh_from_db()
    assert f'href="{url}"' in result  # a link to the confirmation, not a one-click form
    assert "确定将 李专家 的评分退回修改吗？" in asked.content.decode()
    assert 'name="reason"' in asked.content.decode() and _no_inline_code(asked.content.decode())
    assert refused.status_code == 400 and "请填写退回修改的原因。" in refused.content.decode()
    assert submitted.status == "submitted"
    assert not AuditEntry.objects.filter(action="greenmine.scores.reopened").exists()


def test_reopen_with_a_reason_is_audited_and_shown_to_the_expert(client, staff_user, alice, scoring, submitted):
    client.force_login(staff_user)

    response = client.post(
        f"/greenmine/{scoring.pk}/reopen/{submitted.pk}/", {"reason": "指标 3 的检查记录与照片不符"}, follow=True
    )

    submitted.refresh_from_db()
    entry = AuditEntry.objects.get(action="greenmine.scores.reopened")
    assert submitted.status == "draft"
    assert _messages(response) == ["已退回该专家的评分。"]
    assert (entry.actor, entry.data) == (staff_user, {"reason": "指标 3 的检查记录与照片不符"})
    client.force_login(alice)
    sheet = client.get(f"/greenmine/{scoring.pk}/score/").content.decode()
    assert "秘书处已将您的评分退回修改。" in sheet and "退回原因： 指标 3 的检查记录与照片不符" in sheet


def test_the_reason_is_no_longer_shown_once_the_expert_submits_again(client, staff_user, alice, scoring, submitted):
    services.assignment_reopen(submitted, by=staff_user, reason="请补充")
    services.assignment_submit(submitted, by=alice)
    client.force_login(alice)

    sheet = client.get(f"/greenmine/{scoring.pk}/score/").content.decode()

    assert "秘书处已将您的评分退回修改。" not in sheet


def test_completed_assessment_refuses_reopening_a_submission(client, staff_user, scoring, submitted):
    services.assessment_complete(scoring, by=staff_user)
    client.force_login(staff_user)
    url = f"/greenmine/{scoring.pk}/reopen/{submitted.pk}/"

    result = client.get(f"/greenmine/{scoring.pk}/result/").content.decode()
    response = client.post(url, {"reason": "想再改改"}, follow=True)

    scoring.refresh_from_db()
    submitted.refresh_from_db()
    assert url not in result
    assert _messages(response) == ["该评价已完成，评价结果已保存，不能再退回专家的评分修改。"]
    assert (scoring.status, submitted.status) == ("completed", "submitted")
    assert scoring.result is not None
    with pytest.raises(BusinessRuleError, match="不能再退回专家的评分修改"):
        services.assignment_reopen(submitted, by=staff_user, reason="想再改改")


def test_expert_cannot_send_a_submission_back(client, alice, scoring, submitted):
    client.force_login(alice)

    response = client.post(f"/greenmine/{scoring.pk}/reopen/{submitted.pk}/", {"reason": "我想改"}, follow=True)

    submitted.refresh_from_db()
    assert submitted.status == "submitted"
    assert _messages(response)[0] == "只有秘书处工作人员可以进行此操作。"


# ---- completing and reopening the assessment -------------------------------------------------


def test_complete_asks_first_then_keeps_the_result(client, staff_user, scoring, submitted):
    client.force_login(staff_user)
    url = f"/greenmine/{scoring.pk}/complete/"

    asked = client.get(url)
    scoring.refresh_from_db()
    status_after_asking = scoring.status
    client.post(url, {"confirm": "1"})

    scoring.refresh_from_db()
    assert "确定完成“示范石灰石矿”的评价并保存评价结果吗？" in asked.content.decode()
    assert status_after_asking == "scoring"
    assert scoring.status == "completed"


def test_reopening_a_completed_assessment_needs_a_reason_and_is_audited(client, staff_user, scoring, submitted):
    services.assessment_complete(scoring, by=staff_user)
    client.force_login(staff_user)
    url = f"/greenmine/{scoring.pk}/reopen/"

    result = client.get(f"/greenmine/{scoring.pk}/result/").content.decode()
    refused = client.post(url, {"reason": ""})
    client.post(url, {"reason": "专家组复核后需要调整指标 3"})

    scoring.refresh_from_db()
    assert f'href="{url}"' in result
    assert refused.status_code == 400 and "请填写重新打开已完成评价的原因。" in refused.content.decode()
    assert (scoring.status, scoring.result) == ("scoring", None)
    entry = AuditEntry.objects.filter(action="greenmine.assessment.status").first()
    assert (entry.data["old"], entry.data["new"], entry.data["reason"]) == (
        "completed",
        "scoring",
        "专家组复核后需要调整指标 3",
    )
