"""Every liaisons API operation against every role (STYLE: Alice / Bob / Charlie).

Roles: anonymous, a plain account, the liaison of unit A, the liaison of unit B, unit A's liaison
who was handed over ("old"), a specialist, and the office (staff).  A liaison reaches their own unit
only (another unit: 404, never its data); only the office exports, imports, assesses, sends notices
and decides; a liaison handed over loses /me/ at once.
"""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.roles import has_role
from liaisons import services
from liaisons.models import Article, Feedback, Liaison, Notice
from tests.factories import UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db

API = "/api/liaisons"
FORM = {"name": "周新", "mobile": "13912345678", "email": "zhouxin@example.com"}
ROLES = ["anonymous", "plain", "liaison_a", "liaison_b", "old", "specialist", "staff"]


@pytest.fixture
def world(staff_user):
    unit_a = MemberUnitFactory(name="甲煤业有限公司")
    unit_b = MemberUnitFactory(name="乙煤业有限公司")
    old = LiaisonFactory(organisation=unit_a, name="老联络员", started_on=dt.date(2023, 1, 1))
    successor = UserFactory(username="liaison-a")
    liaison_a = services.liaison_register(
        unit_a,
        actor=staff_user,
        username=successor.username,
        on=dt.date(2025, 1, 1),
        name="甲联络员",
        mobile="13800000001",
        email="a@example.com",
    )
    liaison_b = LiaisonFactory(organisation=unit_b, name="乙联络员", user__username="liaison-b")
    fee_a = services.fee_record(unit_a.memberships.get(), year=2025, actor=staff_user)
    fee_b = services.fee_record(unit_b.memberships.get(), year=2025, actor=staff_user)
    article = services.article_submit(liaison_a, title="甲单位稿件")
    feedback = services.feedback_raise(liaison_a, subject="甲单位意见", body="建议")
    notice = services.notice_send(subject="通知", body="正文", actor=staff_user)
    users = {
        "anonymous": None,
        "plain": UserFactory(username="plain"),
        "liaison_a": liaison_a.user,
        "liaison_b": liaison_b.user,
        "old": old.user,
        "specialist": UserFactory(username="specialist", roles=["specialist"]),
        "staff": staff_user,
    }
    return {
        "unit_a": unit_a,
        "unit_b": unit_b,
        "old": old,
        "liaison_a": liaison_a,
        "liaison_b": liaison_b,
        "fee_a": fee_a,
        "fee_b": fee_b,
        "article": article,
        "feedback": feedback,
        "notice": notice,
        "users": users,
    }


def _client(api_client, world, role):
    user = world["users"][role]
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _xlsx_upload():
    return SimpleUploadedFile("liaisons.xlsx", io.BytesIO(b"PK\x03\x04 not really").getvalue())


# (name, method, path from the world, body, format) — the expected status per role is below.
OPERATIONS = {
    "unit_a": ("get", lambda w: f"{API}/units/{w['unit_a'].pk}/", None),
    "unit_b": ("get", lambda w: f"{API}/units/{w['unit_b'].pk}/", None),
    "unit_create": ("post", lambda w: f"{API}/units/", {"name": "丙煤业有限公司", "nature": "private"}),
    "liaison_register": ("post", lambda w: f"{API}/units/{w['unit_b'].pk}/liaison/", FORM),
    "me": ("get", lambda w: f"{API}/me/", None),
    "me_patch": ("patch", lambda w: f"{API}/me/", {"wechat": "new_wechat"}),
    "me_unit_change": ("post", lambda w: f"{API}/me/unit-change/", {"nature": "collective", "reason": "改制"}),
    "me_articles": ("get", lambda w: f"{API}/me/articles/", None),
    "me_article_submit": ("post", lambda w: f"{API}/me/articles/", {"title": "新稿件"}),
    "me_feedback": ("get", lambda w: f"{API}/me/feedback/", None),
    "me_feedback_raise": ("post", lambda w: f"{API}/me/feedback/", {"subject": "意见", "body": "建议"}),
    "me_fee_a_handled": ("post", lambda w: f"{API}/me/fees/{w['fee_a'].pk}/handled/", None),
    "article_decision": ("post", lambda w: f"{API}/articles/{w['article'].pk}/decision/", {"adopted": True}),
    "feedback_answer": ("post", lambda w: f"{API}/feedback/{w['feedback'].pk}/answer/", {"answer": "已办理"}),
    "notice_send": ("post", lambda w: f"{API}/notices/", {"subject": "会议通知", "body": "请参加"}),
    "notice": ("get", lambda w: f"{API}/notices/{w['notice'].pk}/", None),
    "assessment": ("get", lambda w: f"{API}/assessment/2025/", None),
    "export": ("get", lambda w: f"{API}/export.xlsx", None),
    "template": ("get", lambda w: f"{API}/template.xlsx", None),
    "import": ("post", lambda w: f"{API}/import/", "UPLOAD"),
}

#                         anonymous plain  liaison_a liaison_b old  specialist staff
EXPECTED = {
    "unit_a": (403, 404, 200, 404, 404, 404, 200),
    "unit_b": (403, 404, 404, 200, 404, 404, 200),
    "unit_create": (403, 403, 403, 403, 403, 403, 201),
    "liaison_register": (403, 403, 403, 403, 403, 403, 201),
    "me": (403, 403, 200, 200, 403, 403, 403),
    "me_patch": (403, 403, 200, 200, 403, 403, 403),
    "me_unit_change": (403, 403, 201, 201, 403, 403, 403),
    "me_articles": (403, 403, 200, 200, 403, 403, 403),
    "me_article_submit": (403, 403, 201, 201, 403, 403, 403),
    "me_feedback": (403, 403, 200, 200, 403, 403, 403),
    "me_feedback_raise": (403, 403, 201, 201, 403, 403, 403),
    # Unit B's liaison asks about unit A's fee: not theirs, so not found.
    "me_fee_a_handled": (403, 403, 200, 404, 403, 403, 403),
    "article_decision": (403, 403, 403, 403, 403, 403, 200),
    "feedback_answer": (403, 403, 403, 403, 403, 403, 200),
    "notice_send": (403, 403, 403, 403, 403, 403, 201),
    "notice": (403, 403, 403, 403, 403, 403, 200),
    "assessment": (403, 403, 403, 403, 403, 403, 200),
    # Only staff: the roster and the template are files; an import without a file is a 400 naming it
    # (what a good file does is tests/liaisons/test_imports.py's).
    "export": (403, 403, 403, 403, 403, 403, 200),
    "template": (403, 403, 403, 403, 403, 403, 200),
    "import": (403, 403, 403, 403, 403, 403, 400),
}
CASES = [
    pytest.param(operation, role, expected, id=f"{operation}-{role}")
    for operation, statuses in EXPECTED.items()
    for role, expected in zip(ROLES, statuses, strict=True)
    if expected is not None
]


@pytest.mark.parametrize(("operation", "role", "expected"), CASES)
def test_operation_by_role(api_client, world, operation, role, expected):
    method, path, body = OPERATIONS[operation]
    client = _client(api_client, world, role)
    if body == "UPLOAD":
        response = client.post(path(world), {"file": _xlsx_upload()}, format="multipart")
    elif body is None:
        response = getattr(client, method)(path(world))
    else:
        response = getattr(client, method)(path(world), body, format="json")

    assert response.status_code == expected, response.content


@pytest.mark.parametrize("role", ["plain", "liaison_b", "old", "specialist"])
def test_a_unit_record_out_of_reach_gives_nothing_away(api_client, world, role):
    response = _client(api_client, world, role).get(f"{API}/units/{world['unit_a'].pk}/")

    assert response.status_code == 404
    text = response.content.decode()
    for secret in ("甲煤业有限公司", "甲联络员", "a@example.com", "13800000001", "老联络员"):
        assert secret not in text


def test_a_liaison_cannot_see_another_units_record(api_client, world):
    client = _client(api_client, world, "liaison_a")

    own = client.get(f"{API}/units/{world['unit_a'].pk}/")
    other = client.get(f"{API}/units/{world['unit_b'].pk}/")

    assert (own.status_code, own.json()["liaison"]["name"]) == (200, "甲联络员")
    assert other.status_code == 404
    assert "乙" not in other.content.decode()


def test_a_handed_over_liaison_loses_me_at_once(api_client, world, staff_user):
    liaison_b = world["liaison_b"]
    client = _client(api_client, world, "liaison_b")
    assert client.get(f"{API}/me/").status_code == 200

    services.liaison_register(world["unit_b"], actor=staff_user, on=dt.date(2025, 6, 1), **FORM)
    user = liaison_b.user
    user.refresh_from_db()
    user._role_names = None  # the next request reads the roles afresh
    client.force_authenticate(user)

    me = client.get(f"{API}/me/")
    assert me.status_code == 403
    assert list(me.json()) == ["detail"] and me.json()["detail"]  # says the page is for a current liaison
    assert client.get(f"{API}/units/{world['unit_b'].pk}/").status_code == 404
    assert client.post(f"{API}/me/articles/", {"title": "稿件"}, format="json").status_code == 403
    assert client.post(f"{API}/me/fees/{world['fee_b'].pk}/handled/").status_code == 403
    assert not has_role(user, "liaison")
    assert not Article.objects.filter(title="稿件").exists()


def test_a_refused_write_changes_nothing(api_client, world):
    client = _client(api_client, world, "liaison_b")
    before = (Liaison.objects.count(), Notice.objects.count(), Feedback.objects.get(pk=world["feedback"].pk).answer)

    client.post(f"{API}/units/{world['unit_b'].pk}/liaison/", FORM, format="json")
    client.post(f"{API}/notices/", {"subject": "通知", "body": "正文"}, format="json")
    client.post(f"{API}/feedback/{world['feedback'].pk}/answer/", {"answer": "越权"}, format="json")
    client.post(f"{API}/articles/{world['article'].pk}/decision/", {"adopted": True}, format="json")

    after = (Liaison.objects.count(), Notice.objects.count(), Feedback.objects.get(pk=world["feedback"].pk).answer)
    assert after == before
    world["article"].refresh_from_db()
    assert world["article"].status == "pending"
