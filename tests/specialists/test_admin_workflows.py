"""Staff workflows in the specialists admin (issue 8, item 9): the rule's points and unit when adding a
ledger entry, resolving a liaison-change request by assigning the new liaison, people chosen by name,
and the warning that a voluntary exit's note is published."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from lxml import html as lxml_html

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from specialists import services
from specialists.enums import LiaisonChangeStatus
from specialists.enums import SpecialistStatus as S
from specialists.models import ContactLog, LiaisonAssignment, PointRule
from specialists.services.organisation import liaison_change_request_resolve
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def parse(response):
    return lxml_html.fromstring(response.content.decode())


def options(page, name):
    return [o.text_content().strip() for o in page.xpath(f"//select[@name='{name}']/option")]


@pytest.fixture
def zhang(db):
    return UserFactory(username="zhang3", name="张三", roles=["service_centre"], is_staff=True)


@pytest.fixture
def open_request(staff_user):
    specialist = SpecialistFactory(name="王爱丽")
    services.liaison_assign(specialist, staff_user, on=dt.date(2024, 1, 3), actor=staff_user)
    return services.liaison_change_request_create(specialist, reason="联系不上")


# ---- (a) the rule's points and unit on the ledger's add form -------------------------------------


def test_ledger_add_form_names_each_rule_with_its_points_and_unit(staff_client):
    page = parse(staff_client.get(reverse("admin:specialists_ledgerentry_add"), **ZH))
    labels = options(page, "rule")

    assert "参加培训（10 分/次）" in labels
    assert "赞助（每 100 元 1 分）" in labels
    assert "推荐会员（按级别）" in labels
    assert len(labels) == PointRule.objects.filter(active=True).count() + 1  # and the blank choice


def test_ledger_rule_labels_follow_the_edited_rule_rows(staff_client):
    PointRule.objects.filter(code="sponsorship").update(points=10, per_amount=1000)
    PointRule.objects.filter(code="attend_training").update(points=12, unit="天")
    PointRule.objects.filter(code="knowledge_contest").update(active=False)

    labels = options(parse(staff_client.get(reverse("admin:specialists_ledgerentry_add"), **ZH)), "rule")

    assert "赞助（每 1,000 元 10 分）" in labels
    assert "参加培训（12 分/天）" in labels
    assert not [label for label in labels if label.startswith("参与知识竞赛")]  # inactive: the service refuses it


def test_ledger_add_page_has_no_inline_script(staff_client):
    page = parse(staff_client.get(reverse("admin:specialists_ledgerentry_add"), **ZH))

    assert [s for s in page.xpath("//script") if not s.get("src") and (s.text or "").strip()] == []


# ---- (b) resolving a liaison-change request by assigning the new liaison --------------------------


def test_request_change_page_resolves_the_request_by_assigning_the_chosen_liaison(
    staff_client, staff_user, open_request, zhang
):
    request = open_request
    url = reverse("admin:specialists_liaisonchangerequest_change", args=[request.pk])

    page = parse(staff_client.get(url, **ZH))
    assert "张三（zhang3）" in options(page, "new_liaison")

    response = staff_client.post(url, {"new_liaison": zhang.pk, "assignment_reason": "原联络人调岗"}, **ZH)

    assert response.status_code == 302
    request.refresh_from_db()
    specialist = request.specialist
    specialist.refresh_from_db()
    assert (request.status, request.resolved_by) == (LiaisonChangeStatus.DONE, staff_user)
    assert specialist.liaison == zhang
    current = LiaisonAssignment.objects.get(specialist=specialist, ended_on__isnull=True)
    assert (current.liaison, current.reason) == (zhang, "原联络人调岗")
    entry = AuditEntry.objects.get(action="specialist.liaison_change_resolved")
    assert (entry.actor, entry.data["liaison"], entry.data["number"]) == (staff_user, zhang.pk, request.pk)


def test_the_request_reason_is_the_assignment_reason_when_none_is_given(staff_user, open_request, zhang):
    liaison_change_request_resolve(open_request, zhang, on=dt.date(2024, 2, 1), actor=staff_user)

    assert LiaisonAssignment.objects.get(liaison=zhang).reason == "联系不上"


def test_a_handled_request_is_refused_in_chinese(staff_client, staff_user, open_request, zhang):
    services.liaison_change_request_decline(open_request, actor=staff_user)
    url = reverse("admin:specialists_liaisonchangerequest_change", args=[open_request.pk])

    response = staff_client.post(url, {"new_liaison": zhang.pk}, **ZH)

    assert response.status_code == 200
    assert "只有待处理的申请才能通过指定新联络人办结" in response.content.decode()
    open_request.specialist.refresh_from_db()
    assert open_request.specialist.liaison == staff_user
    with translation.override("zh-hans"), pytest.raises(BusinessRuleError) as refused:
        liaison_change_request_resolve(open_request, zhang, on=dt.date(2024, 2, 1), actor=staff_user)
    assert "待处理" in str(refused.value.message)
    assert not AuditEntry.objects.filter(action="specialist.liaison_change_resolved").exists()


def test_saving_the_request_without_a_liaison_changes_nothing(staff_client, open_request):
    url = reverse("admin:specialists_liaisonchangerequest_change", args=[open_request.pk])

    staff_client.post(url, {"new_liaison": "", "status": LiaisonChangeStatus.DECLINED}, **ZH)

    open_request.refresh_from_db()
    assert open_request.status == LiaisonChangeStatus.OPEN  # the status is not edited by hand


def test_an_exited_specialists_request_is_declined_not_resolved(staff_user, open_request, zhang):
    services.specialist_voluntary_exit(open_request.specialist, on=dt.date(2024, 2, 1), actor=staff_user, reason="退休")

    with translation.override("zh-hans"), pytest.raises(BusinessRuleError) as refused:
        liaison_change_request_resolve(open_request, zhang, on=dt.date(2024, 2, 2), actor=staff_user)

    assert "已不在特别专员名单上" in str(refused.value.message)


# ---- (c) people chosen and shown by name -------------------------------------------------------


def test_the_liaison_assignment_page_lists_staff_by_name(staff_client, zhang):
    specialist = SpecialistFactory()
    page = parse(staff_client.get(reverse("admin:specialists_specialist_liaison", args=[specialist.pk]), **ZH))

    labels = options(page, "liaison")

    assert "张三（zhang3）" in labels
    assert "zhang3" not in labels


def test_liaison_and_contact_staff_are_shown_and_filtered_by_name(staff_client, staff_user, zhang):
    specialist = SpecialistFactory(name="李博")
    services.liaison_assign(specialist, zhang, on=dt.date(2024, 1, 3), actor=staff_user)
    ContactLog.objects.create(specialist=specialist, staff=zhang, contacted_on=dt.date(2024, 2, 1), channel="phone")

    change = staff_client.get(reverse("admin:specialists_specialist_change", args=[specialist.pk]), **ZH)
    roster = parse(staff_client.get(reverse("admin:specialists_specialist_changelist"), **ZH))
    contacts = parse(staff_client.get(reverse("admin:specialists_contactlog_changelist"), **ZH))
    assignments = parse(staff_client.get(reverse("admin:specialists_liaisonassignment_changelist"), **ZH))

    assert "张三（zhang3）" in change.content.decode()
    assert "张三（zhang3）" in [a.text_content().strip() for a in roster.xpath("//*[@id='changelist-filter']//a")]
    assert "张三（zhang3）" in [a.text_content().strip() for a in contacts.xpath("//*[@id='changelist-filter']//a")]
    assert contacts.xpath("//td[@class='field-staff_name']/text()") == ["张三（zhang3）"]
    assert assignments.xpath("//td[@class='field-liaison_name']/text()") == ["张三（zhang3）"]


# ---- (d) the voluntary exit's note is public -----------------------------------------------------


def test_the_voluntary_exit_action_warns_that_the_note_is_published(staff_client, staff_user, client):
    page = parse(staff_client.get(reverse("admin:specialists_specialist_changelist"), **ZH))
    label = page.xpath("//select[@name='action']/option[@value='voluntary_exit']")[0].text_content()

    assert "原样公开在退出名单上" in label

    # and what it warns of: the note is the basis shown on the public list
    specialist = SpecialistFactory(name="赵六", status=S.GENERAL)
    staff_client.post(
        reverse("admin:specialists_specialist_changelist"),
        {"action": "voluntary_exit", "_selected_action": [specialist.pk], "note": "本人申请退出"},
    )
    specialist.refresh_from_db()
    assert (specialist.status, specialist.exit_decision) == (S.EXITED, "本人申请退出")
    # ... and a visitor reads it, as written, on the public exit list
    public = parse(client.get(reverse("specialists_staff:exit-list"), **ZH))
    rows = [
        [cell.text_content().strip() for cell in row.xpath("td")]
        for row in public.xpath("//table[@id='exit-list']/tbody/tr")
    ]
    assert any(row[0] == "赵六" and row[3] == "本人申请退出" for row in rows), rows
