"""The self-service page's guards (issue 8, item 10): no liaison change for someone no longer on the
list, a transfer confirmed by the recipient's name before points move, paper copies only with an address."""

import datetime as dt
import re

import pytest
from django.contrib.messages import constants as levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.models import DocumentRequest, LiaisonChangeRequest, Transfer

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

PAGE = "/me/points/"


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def me(credit):
    specialist = SpecialistFactory(name="张伟明", user__username="zhang")
    credit(specialist, 30, on=dt.date(2024, 3, 2))
    specialist.refresh_from_db()
    return specialist


@pytest.fixture
def my_client(client, me):
    client.force_login(me.user)
    return client


@pytest.fixture
def friend():
    return SpecialistFactory(name="李晓红", user__username="li", status=S.ROSTER)


# ---- Liaison change ------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [S.EXITED, S.REJECTED])
def test_liaison_change_refused_in_service_for_someone_off_the_list(status):
    gone = SpecialistFactory(status=status)

    with translation.override("zh-hans"), pytest.raises(BusinessRuleError) as exc:
        services.liaison_change_request_create(gone, reason="联系不上")

    assert exc.value.message == "您已不在特别专员名单中，不再安排联络人，也不能申请更换联络人。"
    assert not LiaisonChangeRequest.objects.exists()


@pytest.mark.parametrize("status", [S.GENERAL, S.ROSTER, S.PROBATION, S.EXIT_PENDING])
def test_liaison_change_still_possible_while_on_the_list(status):
    """Exit pending is still on the list until the committee votes (第九条 3), so keeps its liaison."""
    specialist = SpecialistFactory(status=status)

    services.liaison_change_request_create(specialist, reason="联系不上")

    assert LiaisonChangeRequest.objects.filter(specialist=specialist).count() == 1


def test_exited_page_offers_no_liaison_change_nor_promises_a_liaison(client):
    gone = SpecialistFactory(status=S.EXITED)
    client.force_login(gone.user)

    response = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("specialists:liaison-change") not in html
    assert 'id="liaison"' not in html
    assert "将为您安排" not in html
    assert "您已不在特别专员名单中，不再安排联络人。" in html


def test_exited_post_of_liaison_change_is_refused_in_chinese(client):
    gone = SpecialistFactory(status=S.EXITED)
    client.force_login(gone.user)

    response = client.post(
        reverse("specialists:liaison-change"), {"reason": "联系不上"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    [(level, text)] = _messages(response)
    assert level == levels.ERROR
    assert "不能申请更换联络人" in text
    assert not LiaisonChangeRequest.objects.exists()


def test_exit_pending_page_still_offers_liaison_change(client):
    pending = SpecialistFactory(status=S.EXIT_PENDING)
    client.force_login(pending.user)

    response = client.get(PAGE)

    assert reverse("specialists:liaison-change") in response.content.decode()


# ---- Transfer confirmation -----------------------------------------------------------------------


def test_transfer_first_post_shows_recipient_name_and_moves_nothing(my_client, me, friend):
    response = my_client.post(
        reverse("specialists:transfer"),
        {"to": "li", "points": "12", "idempotency_key": "k1"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="confirm-recipient">李晓红<', html)
    assert re.search(r'id="confirm-points">12<', html)
    assert re.search(r'id="confirm-balance">18<', html)
    # The confirming form carries the same key and the confirm flag; no inline script (strict CSP).
    assert 'name="idempotency_key" value="k1"' in html
    assert 'name="confirm" value="1"' in html
    assert "<script" not in html.split('id="transfer-confirm"')[1]
    me.refresh_from_db()
    friend.refresh_from_db()
    assert (me.balance, friend.balance) == (30, 0)
    assert not Transfer.objects.exists()


def test_transfer_confirming_post_moves_points_once(my_client, me, friend):
    form = {"to": "li", "points": "12", "idempotency_key": "k1"}
    my_client.post(reverse("specialists:transfer"), form)

    confirmed = my_client.post(reverse("specialists:transfer"), {**form, "confirm": "1"})
    again = my_client.post(reverse("specialists:transfer"), {**form, "confirm": "1"})

    me.refresh_from_db()
    friend.refresh_from_db()
    assert (me.balance, friend.balance) == (18, 12)
    assert Transfer.objects.get().idempotency_key == "k1"
    assert confirmed["Location"].endswith("#transfer")
    assert [level for level, _text in _messages(confirmed)] == [levels.SUCCESS]
    assert [level for level, _text in _messages(again)] == [levels.SUCCESS, levels.INFO]


@pytest.mark.parametrize(
    ("to", "points"),
    [("nobody", "5"), ("zhang", "5"), ("li", "31"), ("li", "0"), ("gone", "5")],
    ids=["unknown-account", "to-self", "more-than-balance", "zero", "exited-recipient"],
)
def test_transfer_confirmation_refuses_what_the_transfer_would(my_client, me, friend, to, points):
    SpecialistFactory(user__username="gone", status=S.EXITED)

    response = my_client.post(reverse("specialists:transfer"), {"to": to, "points": points, "idempotency_key": "k"})

    assert response.status_code == 302
    assert response["Location"].endswith("#transfer")
    assert [level for level, _text in _messages(response)] == [levels.ERROR]


def test_transfer_preview_service_checks_without_recording(me, friend):
    recipient, balance_after = services.transfer_preview(me, username=" li ", points=10)

    assert (recipient, balance_after) == (friend, 20)
    assert not Transfer.objects.exists()


def test_page_transfer_form_leads_to_confirmation(my_client):
    html = my_client.get(PAGE).content.decode()

    form = html.split('id="transfer"')[1].split("</form>")[0]
    assert 'name="confirm"' not in form


# ---- Paper copies --------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["", "   "])
def test_paper_copy_without_address_refused_in_service(me, address):
    with translation.override("zh-hans"), pytest.raises(BusinessRuleError) as exc:
        services.document_request_create(me, kind="work_id", address=address)

    assert exc.value.field == "address"
    assert exc.value.message == "请填写纸质文件的邮寄地址。"
    assert not DocumentRequest.objects.exists()


def test_paper_copy_address_is_kept_trimmed(me):
    request = services.document_request_create(me, kind="work_id", address="  北京市海淀区学院路 30 号 ")

    assert request.address == "北京市海淀区学院路 30 号"


def test_paper_copy_without_address_refused_on_page_in_chinese(my_client):
    response = my_client.post(
        reverse("specialists:document-request"), {"kind": "work_id", "copies": "1"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    [(level, text)] = _messages(response)
    assert level == levels.ERROR
    assert "请填写纸质文件的邮寄地址。" in text
    assert not DocumentRequest.objects.exists()


def test_page_paper_copy_address_field_is_required(my_client):
    html = my_client.get(PAGE).content.decode()

    assert re.search(r'<input type="text" name="address" id="paper-address" maxlength="300" required>', html)


# ---- Admin (issue 8, item 9) ---------------------------------------------------------------------


def test_admin_ledger_add_form_offers_the_rules_levels_as_choices(staff_client):
    response = staff_client.get(reverse("admin:specialists_ledgerentry_add"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    select = re.search(r'<select name="level"[^>]*>(.*?)</select>', html, re.S).group(1)
    assert '<optgroup label="推荐会员">' in select
    assert re.findall(r'<option value="(\w+)"', select) == [
        "ordinary",
        "director",
        "standing_director",
        "vice_chairman",
    ]
    assert "常务理事（15）" in select


def test_admin_ledger_add_by_level_records_the_chosen_level(staff_client, staff_user):
    from specialists.models import LedgerEntry, PointRule

    specialist = SpecialistFactory()
    rule = PointRule.objects.get(code="recommend_member")
    form = {"specialist": specialist.pk, "rule": rule.pk, "quantity": "1", "occurred_on": "2024-03-01"}

    refused = staff_client.post(reverse("admin:specialists_ledgerentry_add"), {**form, "level": "chairman"})
    added = staff_client.post(reverse("admin:specialists_ledgerentry_add"), {**form, "level": "director"})

    assert refused.status_code == 200
    assert "level" in refused.context["adminform"].form.errors
    assert added.status_code == 302
    entry = LedgerEntry.objects.get(specialist=specialist)
    assert (entry.level, entry.points) == ("director", 10)


def test_admin_exit_decision_warns_that_the_text_is_published(staff_client):
    pending = SpecialistFactory(status=S.EXIT_PENDING)

    response = staff_client.get(
        reverse("admin:specialists_specialist_confirm_exit", args=[pending.pk]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )

    assert "此内容将原样公开" in response.content.decode()
