"""The liaisons API (SPEC, API contract "Liaisons"): each operation's answer with exact values, and bad
input answered 400 naming the field with nothing written."""

import datetime as dt

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.models import AuditEntry, Organisation
from liaisons import services
from liaisons.enums import GatheringKind
from liaisons.models import (
    Article,
    Feedback,
    Handover,
    Liaison,
    Membership,
    Notice,
    NoticeDelivery,
    UnitChangeRequest,
)
from tests.factories import UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

API = "/api/liaisons"
FORM = {"name": "王敏", "mobile": "13912345678", "email": "wangmin@example.com"}


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client


@pytest.fixture
def staff(api_client, staff_user):
    return as_user(api_client, staff_user)


def _state():
    """What the API may write, counted: a refused request leaves all of it as it was."""
    return {
        model.__name__: model.objects.count()
        for model in (
            Organisation,
            Membership,
            Liaison,
            Handover,
            UnitChangeRequest,
            Article,
            Feedback,
            Notice,
            NoticeDelivery,
            AuditEntry,
        )
    }


def assert_refused(response, field, before, status=400):
    assert response.status_code == status, response.content
    assert field in response.json(), response.json()
    assert response.json()[field]  # the reason, as a list of messages (by position for a list input)
    assert _state() == before


# ---- member units ----------------------------------------------------------------------------


def test_staff_registers_a_member_unit_of_the_association_by_default(staff, staff_user):
    payload = {
        "name": "陕西示范煤业有限公司",
        "nature": "soe_provincial",
        "address": "西安市雁塔路2号",
        "postcode": "710061",
    }

    response = staff.post(f"{API}/units/", payload, format="json")

    assert response.status_code == 201
    unit = Organisation.objects.get(name="陕西示范煤业有限公司")
    assert response.json() == {
        "id": unit.pk,
        "name": "陕西示范煤业有限公司",
        "nature": "soe_provincial",
        "address": "西安市雁塔路2号",
        "postcode": "710061",
        "memberships": [{"association": "association", "level": "member", "joined_on": None, "is_active": True}],
        "liaison": None,
        "history": [],
    }
    assert AuditEntry.objects.filter(action="liaisons.unit.registered", actor=staff_user).count() == 1


def test_staff_registers_a_society_member_at_its_level(staff):
    payload = {
        "name": "陕西煤炭科学研究所",
        "nature": "public_institution",
        "association": "society",
        "level": "director",
    }

    response = staff.post(f"{API}/units/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["memberships"] == [
        {"association": "society", "level": "director", "joined_on": None, "is_active": True}
    ]
    assert (response.json()["address"], response.json()["postcode"]) == ("", "")


def test_a_second_registration_of_a_member_unit_is_refused_naming_the_name(staff):
    MemberUnitFactory(name="陕西示范煤业有限公司")
    before = _state()

    response = staff.post(f"{API}/units/", {"name": "陕西示范煤业有限公司", "nature": "private"}, format="json")

    assert_refused(response, "name", before)
    assert "陕西示范煤业有限公司" in response.json()["name"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"nature": "private"}, "name"),
        ({"name": "   ", "nature": "private"}, "name"),
        ({"name": "某某煤业有限公司", "nature": "state_owned"}, "nature"),
        ({"name": "某某煤业有限公司"}, "nature"),
        ({"name": "某某煤业有限公司", "nature": "private", "postcode": "71000a"}, "postcode"),
        ({"name": "某某煤业有限公司", "nature": "private", "association": "club"}, "association"),
        ({"name": "某某煤业有限公司", "nature": "private", "level": "chairman"}, "level"),
    ],
)
def test_unit_registration_bad_input_names_the_field_and_writes_nothing(staff, payload, field):
    before = _state()

    response = staff.post(f"{API}/units/", payload, format="json")

    assert_refused(response, field, before)


# ---- registering a liaison, and the unit's record ----------------------------------------------


def test_staff_registers_the_units_liaison_with_the_whole_form(staff, staff_user):
    unit = MemberUnitFactory()
    account = UserFactory(username="wangmin")
    payload = {
        **FORM,
        "gender": "female",
        "ethnicity": "汉族",
        "birth_date": "1985-04-12",
        "political_status": "中共党员",
        "education": "大学本科",
        "title": "高级工程师",
        "position": "综合办公室主任",
        "office_phone": "029-88886666",
        "wechat": "wangmin85",
        "postcode": "710001",
        "recommendation": "同意推荐王敏同志为我单位联络员。",
        "recommended_on": "2025-02-20",
        "filing": "已备案。",
        "filed_on": "2025-02-28",
        "resume": [
            {"start": "2007-07", "end": "2015-03", "description": "某煤矿 技术员"},
            {"start": "2015-04", "description": "某煤业公司 综合办公室主任"},
        ],
        "username": "wangmin",
        "on": "2025-03-01",
    }

    response = staff.post(f"{API}/units/{unit.pk}/liaison/", payload, format="json")

    assert response.status_code == 201
    liaison = Liaison.objects.get(organisation=unit)
    assert response.json() == {
        "id": liaison.pk,
        "unit": unit.pk,
        "name": "王敏",
        "gender": "female",
        "ethnicity": "汉族",
        "birth_date": "1985-04-12",
        "political_status": "中共党员",
        "education": "大学本科",
        "title": "高级工程师",
        "position": "综合办公室主任",
        "email": "wangmin@example.com",
        "office_phone": "029-88886666",
        "mobile": "13912345678",
        "wechat": "wangmin85",
        "postcode": "710001",
        "recommendation": "同意推荐王敏同志为我单位联络员。",
        "recommended_on": "2025-02-20",
        "filing": "已备案。",
        "filed_on": "2025-02-28",
        "resume": [
            {"start": "2007-07", "end": "2015-03", "description": "某煤矿 技术员"},
            {"start": "2015-04", "end": None, "description": "某煤业公司 综合办公室主任"},
        ],
        "username": "wangmin",
        "is_active": True,
        "started_on": "2025-03-01",
        "ended_on": None,
    }
    assert liaison.user == account
    assert account.groups.filter(name="liaison").exists()
    assert AuditEntry.objects.filter(action="liaisons.liaison.registered", actor=staff_user).count() == 1
    # The account now acts for the unit.
    me = as_user(staff, account).get(f"{API}/me/")
    assert (me.status_code, me.json()["id"], me.json()["liaison"]["id"]) == (200, unit.pk, liaison.pk)


def test_a_new_liaison_hands_over_and_the_unit_shows_the_history(staff):
    old = LiaisonFactory(name="李强", position="办公室副主任", started_on=dt.date(2023, 3, 1))
    unit = old.organisation

    response = staff.post(
        f"{API}/units/{unit.pk}/liaison/",
        {**FORM, "on": "2025-06-01", "notes": "档案与微信群已移交"},
        format="json",
    )

    assert response.status_code == 201
    new = Liaison.objects.get(pk=response.json()["id"])
    old.refresh_from_db()
    assert (old.is_active, old.ended_on) == (False, dt.date(2025, 6, 1))
    detail = staff.get(f"{API}/units/{unit.pk}/").json()
    assert detail["liaison"]["id"] == new.pk
    assert detail["liaison"]["name"] == "王敏"
    assert detail["liaison"]["username"] is None
    assert detail["history"] == [
        {
            "id": old.pk,
            "name": "李强",
            "position": "办公室副主任",
            "email": old.email,
            "mobile": old.mobile,
            "started_on": "2023-03-01",
            "ended_on": "2025-06-01",
            "handover": {"on": "2025-06-01", "to": new.pk, "to_name": "王敏", "notes": "档案与微信群已移交"},
        }
    ]


def test_the_unit_record_lists_memberships_liaison_and_history(staff):
    unit = MemberUnitFactory(name="陕西甲煤业有限公司", membership="society")
    services.membership_set(unit, association="association", level="vice_president")
    liaison = LiaisonFactory(organisation=unit, name="赵丽", email="zhaoli@example.com", mobile="13800001111")

    response = staff.get(f"{API}/units/{unit.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "name", "nature", "address", "postcode", "history")} == {
        "id": unit.pk,
        "name": "陕西甲煤业有限公司",
        "nature": "soe_provincial",
        "address": "西安市和平路1号",
        "postcode": "710001",
        "history": [],
    }
    assert body["memberships"] == [
        {"association": "association", "level": "vice_president", "joined_on": None, "is_active": True},
        {"association": "society", "level": "member", "joined_on": None, "is_active": True},
    ]
    assert (body["liaison"]["id"], body["liaison"]["name"], body["liaison"]["email"]) == (
        liaison.pk,
        "赵丽",
        "zhaoli@example.com",
    )
    assert body["liaison"]["username"] == liaison.user.username


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"mobile": None}, "mobile"),
        ({"mobile": "12345"}, "mobile"),
        ({"email": "not-an-address"}, "email"),
        ({"name": ""}, "name"),
        ({"gender": "unknown"}, "gender"),
        ({"birth_date": "1901-01-01"}, "birth_date"),
        ({"recommended_on": "2099-01-01"}, "recommended_on"),
        ({"resume": [{"start": "2010-13", "description": "技术员"}]}, "resume"),
        ({"resume": [{"start": "2015-01", "end": "2010-01", "description": "技术员"}]}, "resume[0]"),
        ({"username": "nobody"}, "username"),
        ({"on": "2022-01-01"}, "on"),
    ],
)
def test_liaison_registration_bad_input_names_the_field_and_writes_nothing(staff, change, field):
    current = LiaisonFactory(started_on=dt.date(2023, 3, 1))
    payload = {k: v for k, v in {**FORM, **change}.items() if v is not None}
    before = _state()

    response = staff.post(f"{API}/units/{current.organisation_id}/liaison/", payload, format="json")

    assert_refused(response, field, before)
    current.refresh_from_db()
    assert current.is_active


def test_registering_a_liaison_for_a_unit_that_is_not_a_member_answers_404(staff):
    employer = Organisation.objects.create(name="某招聘单位")

    response = staff.post(f"{API}/units/{employer.pk}/liaison/", FORM, format="json")

    assert response.status_code == 404
    assert not Liaison.objects.exists()


# ---- the liaison's own unit ---------------------------------------------------------------


@pytest.fixture
def liaison(db):
    return LiaisonFactory(name="赵丽", email="zhaoli@example.com", mobile="13800001111", position="信息员")


@pytest.fixture
def me(api_client, liaison):
    return as_user(api_client, liaison.user)


def test_a_liaison_reads_their_unit_with_its_fees(me, liaison, staff_user):
    membership = liaison.organisation.memberships.get()
    fee = services.fee_record(membership, year=2025, paid_on=dt.date(2025, 5, 10), amount=3000, actor=staff_user)

    response = me.get(f"{API}/me/")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["name"], body["liaison"]["id"], body["history"]) == (
        liaison.organisation_id,
        liaison.organisation.name,
        liaison.pk,
        [],
    )
    assert body["fees"] == [
        {
            "id": fee.pk,
            "association": "association",
            "year": 2025,
            "amount": 3000.0,
            "due_on": "2025-06-30",
            "paid_on": "2025-05-10",
            "paid_on_time": True,
            "handled_by": None,
            "handled_at": None,
        }
    ]


def test_a_liaison_updates_their_contact_details(me, liaison):
    response = me.patch(f"{API}/me/", {"mobile": "13900001111", "wechat": "zhaoli_sx"}, format="json")

    assert response.status_code == 200
    assert (response.json()["mobile"], response.json()["wechat"], response.json()["name"]) == (
        "13900001111",
        "zhaoli_sx",
        "赵丽",
    )
    liaison.refresh_from_db()
    assert (liaison.mobile, liaison.wechat) == ("13900001111", "zhaoli_sx")
    assert AuditEntry.objects.filter(action="liaisons.liaison.updated", actor=liaison.user).count() == 1


def test_a_liaison_replaces_their_resume(me, liaison):
    liaison.resume.create(start=dt.date(2001, 7, 1), description="旧简历")
    resume = [
        {"start": "2008-07", "end": "2016-12", "description": "某煤矿 技术员"},
        {"start": "2017-01", "description": "某公司 信息员"},
    ]

    response = me.patch(f"{API}/me/", {"resume": resume}, format="json")

    assert response.status_code == 200
    assert response.json()["resume"] == [
        {"start": "2008-07", "end": "2016-12", "description": "某煤矿 技术员"},
        {"start": "2017-01", "end": None, "description": "某公司 信息员"},
    ]
    assert list(liaison.resume.values_list("description", flat=True)) == ["某煤矿 技术员", "某公司 信息员"]


@pytest.mark.parametrize("field", ["name", "gender", "birth_date", "recommendation", "filing", "filed_on"])
def test_a_liaison_may_not_change_the_offices_fields(me, liaison, field):
    before = _state()

    response = me.patch(f"{API}/me/", {"mobile": "13900001111", field: "2020-01-01"}, format="json")

    assert_refused(response, field, before, status=403)
    liaison.refresh_from_db()
    assert liaison.mobile == "13800001111"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mobile": "1390000111"}, "mobile"),
        ({"email": "zhaoli"}, "email"),
        ({"postcode": "7100"}, "postcode"),
        ({"office_phone": "电话"}, "office_phone"),
    ],
)
def test_own_update_bad_input_names_the_field_and_writes_nothing(me, liaison, payload, field):
    before = _state()

    response = me.patch(f"{API}/me/", payload, format="json")

    assert_refused(response, field, before)
    liaison.refresh_from_db()
    assert (liaison.mobile, liaison.email) == ("13800001111", "zhaoli@example.com")


def test_a_liaison_asks_to_change_the_units_name(me, liaison):
    new_name = f"{liaison.organisation.name}（集团）"

    response = me.post(f"{API}/me/unit-change/", {"name": new_name, "reason": "工商登记变更"}, format="json")

    assert response.status_code == 201
    change = UnitChangeRequest.objects.get()
    assert response.json() == {
        "id": change.pk,
        "unit": liaison.organisation_id,
        "name": new_name,
        "nature": "",
        "reason": "工商登记变更",
        "status": "pending",
        "created_at": response.json()["created_at"],
    }
    assert change.requested_by == liaison
    liaison.organisation.refresh_from_db()
    assert liaison.organisation.name != new_name  # the office decides


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"reason": "改制"}, "name"),
        ({"nature": "state", "reason": "改制"}, "nature"),
        ({"nature": "private"}, "reason"),
        ({"name": "x" * 201, "reason": "改制"}, "name"),
    ],
)
def test_unit_change_bad_input_names_the_field_and_writes_nothing(me, payload, field):
    before = _state()

    response = me.post(f"{API}/me/unit-change/", payload, format="json")

    assert_refused(response, field, before)


def test_a_second_pending_change_request_is_refused(me, liaison):
    services.unit_change_request(liaison, nature="private", reason="改制")
    before = _state()

    response = me.post(f"{API}/me/unit-change/", {"nature": "collective", "reason": "改制"}, format="json")

    assert_refused(response, "name", before)


def test_a_liaison_submits_an_article_and_sees_the_units_articles(me, liaison, staff_user):
    predecessor_article = Article.objects.create(
        liaison=LiaisonFactory(
            organisation=liaison.organisation, is_active=False, ended_on=dt.date(2024, 1, 1), user=None
        ),
        title="旧稿件",
        submitted_on=dt.date(2023, 5, 1),
    )
    services.article_decide(predecessor_article, adopted=True, actor=staff_user)
    LiaisonFactory()  # another unit's liaison, with nothing to show here

    response = me.post(
        f"{API}/me/articles/", {"title": "矿区生态修复经验", "url": "https://example.com/a/1"}, format="json"
    )

    assert response.status_code == 201
    article = Article.objects.get(title="矿区生态修复经验")
    today = timezone.localdate().isoformat()
    assert response.json() == {
        "id": article.pk,
        "title": "矿区生态修复经验",
        "url": "https://example.com/a/1",
        "submitted_on": today,
        "status": "pending",
        "decided_at": None,
        "liaison": liaison.pk,
        "liaison_name": "赵丽",
    }
    listed = me.get(f"{API}/me/articles/").json()
    assert [(a["id"], a["title"], a["status"]) for a in listed] == [
        (article.pk, "矿区生态修复经验", "pending"),
        (predecessor_article.pk, "旧稿件", "adopted"),
    ]


@pytest.mark.parametrize(
    ("payload", "field"),
    [({}, "title"), ({"title": "  "}, "title"), ({"title": "稿件", "url": "ftp://example.com/a"}, "url")],
)
def test_article_bad_input_names_the_field_and_writes_nothing(me, payload, field):
    before = _state()

    response = me.post(f"{API}/me/articles/", payload, format="json")

    assert_refused(response, field, before)


def test_a_liaison_raises_feedback_and_reads_the_answer(me, liaison):
    response = me.post(f"{API}/me/feedback/", {"subject": "会费标准", "body": "建议公布会费标准。"}, format="json")

    assert response.status_code == 201
    feedback = Feedback.objects.get()
    assert response.json() == {
        "id": feedback.pk,
        "subject": "会费标准",
        "body": "建议公布会费标准。",
        "raised_on": timezone.localdate().isoformat(),
        "answer": "",
        "answered_at": None,
        "liaison": liaison.pk,
        "liaison_name": "赵丽",
    }
    services.feedback_answer(feedback, answer="已在网站公布。", actor=UserFactory(roles=["secretariat"]))
    listed = me.get(f"{API}/me/feedback/").json()
    assert [(f["id"], f["answer"]) for f in listed] == [(feedback.pk, "已在网站公布。")]
    assert listed[0]["answered_at"] is not None


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"body": "内容"}, "subject"), ({"subject": "主题"}, "body"), ({"subject": "主题", "body": " "}, "body")],
)
def test_feedback_bad_input_names_the_field_and_writes_nothing(me, payload, field):
    before = _state()

    response = me.post(f"{API}/me/feedback/", payload, format="json")

    assert_refused(response, field, before)


def test_a_liaison_confirms_handling_the_units_fee_once(me, liaison, staff_user):
    fee = services.fee_record(liaison.organisation.memberships.get(), year=2025, actor=staff_user)

    first = me.post(f"{API}/me/fees/{fee.pk}/handled/")
    again = me.post(f"{API}/me/fees/{fee.pk}/handled/")

    assert first.status_code == 200
    assert (first.json()["id"], first.json()["handled_by"], first.json()["paid_on"]) == (fee.pk, "赵丽", None)
    fee.refresh_from_db()
    assert fee.handled_by == liaison
    assert again.status_code == 200
    assert again.json()["handled_at"] == first.json()["handled_at"]
    assert AuditEntry.objects.filter(action="liaisons.fee.handled").count() == 1


def test_another_units_fee_is_not_found(me, staff_user):
    other = LiaisonFactory()
    fee = services.fee_record(other.organisation.memberships.get(), year=2025, actor=staff_user)

    response = me.post(f"{API}/me/fees/{fee.pk}/handled/")

    assert response.status_code == 404
    fee.refresh_from_db()
    assert fee.handled_by is None


# ---- the office's decisions ----------------------------------------------------------------


@pytest.mark.parametrize(("adopted", "status"), [(True, "adopted"), (False, "not_adopted")])
def test_staff_decide_on_an_article(staff, staff_user, liaison, adopted, status):
    article = services.article_submit(liaison, title="稿件")

    response = staff.post(f"{API}/articles/{article.pk}/decision/", {"adopted": adopted}, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["status"]) == (article.pk, status)
    article.refresh_from_db()
    assert (article.status, article.decided_by) == (status, staff_user)


def test_an_article_decision_needs_adopted(staff, liaison):
    article = services.article_submit(liaison, title="稿件")
    before = _state()

    response = staff.post(f"{API}/articles/{article.pk}/decision/", {"adopted": "maybe"}, format="json")

    assert_refused(response, "adopted", before)
    article.refresh_from_db()
    assert article.status == "pending"


def test_staff_answer_feedback(staff, staff_user, liaison):
    feedback = services.feedback_raise(liaison, subject="会费标准", body="建议公布。")

    response = staff.post(f"{API}/feedback/{feedback.pk}/answer/", {"answer": "已公布。"}, format="json")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["answer"]) == (feedback.pk, "已公布。")
    feedback.refresh_from_db()
    assert (feedback.answer, feedback.answered_by) == ("已公布。", staff_user)


@pytest.mark.parametrize("payload", [{}, {"answer": "  "}])
def test_a_blank_answer_is_refused(staff, liaison, payload):
    feedback = services.feedback_raise(liaison, subject="会费标准", body="建议公布。")
    before = _state()

    response = staff.post(f"{API}/feedback/{feedback.pk}/answer/", payload, format="json")

    assert_refused(response, "answer", before)


def test_unknown_article_or_feedback_is_not_found(staff):
    assert staff.post(f"{API}/articles/999999/decision/", {"adopted": True}, format="json").status_code == 404
    assert staff.post(f"{API}/feedback/999999/answer/", {"answer": "好"}, format="json").status_code == 404


# ---- notices ---------------------------------------------------------------------------------


def test_staff_send_a_notice_to_every_current_liaison(staff, staff_user, django_capture_on_commit_callbacks):
    liaisons = [LiaisonFactory(organisation=MemberUnitFactory(name=f"通知单位{n}")) for n in (1, 2, 3)]
    LiaisonFactory(is_active=False, ended_on=dt.date(2024, 6, 1), user=None)  # handed over: not addressed

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{API}/notices/", {"subject": "关于召开联络员会议的通知", "body": "请准时参加。"}, format="json"
        )

    assert response.status_code == 201
    notice = Notice.objects.get()
    assert response.json() == {"id": notice.pk, "recipients": 3}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(x.email for x in liaisons)
    detail = staff.get(f"{API}/notices/{notice.pk}/").json()
    assert {k: detail[k] for k in ("id", "subject", "body", "sent_by")} == {
        "id": notice.pk,
        "subject": "关于召开联络员会议的通知",
        "body": "请准时参加。",
        "sent_by": staff_user.username,
    }
    assert [(d["liaison"], d["unit"], d["email"], d["status"], d["error"]) for d in detail["deliveries"]] == [
        (x.pk, x.organisation.name, x.email, "sent", "") for x in liaisons
    ]
    assert all(d["sent_at"] for d in detail["deliveries"])


def test_staff_send_a_notice_to_chosen_liaisons(staff, django_capture_on_commit_callbacks):
    chosen, other = LiaisonFactory(), LiaisonFactory()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            f"{API}/notices/", {"subject": "会费通知", "body": "请办理会费。", "liaisons": [chosen.pk]}, format="json"
        )

    assert response.status_code == 201
    assert response.json()["recipients"] == 1
    assert [m.to for m in mail.outbox] == [[chosen.email]]
    assert not NoticeDelivery.objects.filter(liaison=other).exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"body": "正文"}, "subject"),
        ({"subject": "  ", "body": "正文"}, "subject"),
        ({"subject": "通知"}, "body"),
        ({"subject": "通知", "body": "正文", "liaisons": []}, "liaisons"),
        ({"subject": "通知", "body": "正文", "liaisons": ["abc"]}, "liaisons"),
        ({"subject": "通知", "body": "正文", "liaisons": [2**40]}, "liaisons"),
        ({"subject": "通知", "body": "正文", "liaisons": "INACTIVE"}, "liaisons"),
    ],
)
def test_notice_bad_input_names_the_field_and_writes_nothing(staff, payload, field):
    LiaisonFactory()
    inactive = LiaisonFactory(is_active=False, ended_on=dt.date(2024, 6, 1), user=None)
    if payload.get("liaisons") == "INACTIVE":
        payload = {**payload, "liaisons": [inactive.pk]}
    before = _state()

    response = staff.post(f"{API}/notices/", payload, format="json")

    assert_refused(response, field, before)
    assert mail.outbox == []


def test_an_unknown_notice_is_not_found(staff):
    assert staff.get(f"{API}/notices/999999/").status_code == 404


# ---- the annual assessment -----------------------------------------------------------------


def _duties_2025(liaison, staff_user):
    """One meeting, two articles (one adopted), one feedback, the fee paid on time: 48 points."""
    meeting = services.gathering_create(
        kind=GatheringKind.MEETING, title="2025年度联络员会议", held_on=dt.date(2025, 4, 1), actor=staff_user
    )
    services.attendance_record(meeting, [liaison], actor=staff_user)
    adopted = services.article_submit(liaison, title="稿件一", on=dt.date(2025, 3, 1))
    services.article_submit(liaison, title="稿件二", on=dt.date(2025, 5, 1))
    services.article_decide(adopted, adopted=True, actor=staff_user)
    Feedback.objects.create(liaison=liaison, subject="意见", body="建议", raised_on=dt.date(2025, 7, 1))
    services.fee_record(
        liaison.organisation.memberships.get(), year=2025, paid_on=dt.date(2025, 6, 1), actor=staff_user
    )


def test_the_assessment_ranks_the_years_liaisons(staff, staff_user):
    active = LiaisonFactory(organisation=MemberUnitFactory(name="甲单位"), name="钱勤")
    idle = LiaisonFactory(organisation=MemberUnitFactory(name="乙单位"), name="孙闲")
    _duties_2025(active, staff_user)

    response = staff.get(f"{API}/assessment/2025/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "unit": "甲单位",
            "unit_id": active.organisation_id,
            "liaison": "钱勤",
            "liaison_id": active.pk,
            "rank": 1,
            "score": 48.0,
            "meetings": 1,
            "trainings": 0,
            "articles": 2,
            "adopted": 1,
            "fee_paid_on_time": True,
            "fee_handled": False,
            "feedback": 1,
            "inactive": False,
            "band": "优秀联络员",
            "stipend": 2000.0,
            "excellent": True,
        },
        {
            "unit": "乙单位",
            "unit_id": idle.organisation_id,
            "liaison": "孙闲",
            "liaison_id": idle.pk,
            "rank": 2,
            "score": 0.0,
            "meetings": 0,
            "trainings": 0,
            "articles": 0,
            "adopted": 0,
            "fee_paid_on_time": False,
            "fee_handled": False,
            "feedback": 0,
            "inactive": True,
            "band": "",
            "stipend": 0.0,
            "excellent": False,
        },
    ]


@pytest.mark.parametrize("year", [1999, 2100])
def test_an_implausible_assessment_year_is_refused(staff, year):
    response = staff.get(f"{API}/assessment/{year}/")

    assert response.status_code == 400
    assert list(response.json()) == ["year"]


def test_the_assessment_takes_the_same_queries_for_3_and_30_liaisons(staff, staff_user, django_assert_max_num_queries):
    for _n in range(3):
        _duties_2025(LiaisonFactory(), staff_user)
    with CaptureQueriesContext(connection) as small:
        assert len(staff.get(f"{API}/assessment/2025/").json()) == 3
    for _n in range(27):
        _duties_2025(LiaisonFactory(), staff_user)

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff.get(f"{API}/assessment/2025/")

    assert len(response.json()) == 30
    assert {row["score"] for row in response.json()} == {48.0}
