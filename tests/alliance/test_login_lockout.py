"""Finding 3: repeated wrong passwords lock a username out from that address (django-axes).

Each of the three logins — the portal form, the admin and the API token — refuses even the right
password once the limit (5) is reached, with the wait in Chinese; other users, other addresses and
the same user after the 15-minute cool-off are unaffected; the secretariat lifts a lockout.
"""

import datetime as dt

import pytest
import time_machine
from axes.models import AccessAttempt
from django.utils import timezone

from alliance.models import AuditEntry
from tests.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "登录失败次数过多，请 15 分钟后再试"


def _form_login(client, username, password, path="/accounts/login/", **extra):
    return client.post(path, {"username": username, "password": password}, **extra)


def _admin_login(client, username, password, **extra):
    data = {"username": username, "password": password, "next": "/admin/"}
    return client.post("/admin/login/?next=/admin/", data, **extra)


def _token(api_client, username, password, **extra):
    return api_client.post("/api/auth/token/", {"username": username, "password": password}, format="json", **extra)


def _logged_in(client):
    return "_auth_user_id" in client.session


def _fail_five_times(login, client, username, **extra):
    for _ in range(5):
        login(client, username, "wrong-password", **extra)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", is_staff=True, roles=["secretariat"])


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", is_staff=True, roles=["secretariat"])


def test_form_login_refuses_right_password_after_five_failures(client, alice):
    for attempt in range(4):
        response = _form_login(client, "alice", "wrong-password")
        assert response.status_code == 200, attempt
        assert LOCKED not in response.content.decode()

    fifth = _form_login(client, "alice", "wrong-password")
    response = _form_login(client, "alice", DEFAULT_PASSWORD)

    assert fifth.status_code == 429
    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert 'name="username"' in page and 'value="alice"' in page  # the form is still there, refilled
    assert not _logged_in(client)


def test_form_login_lockout_spares_other_users_and_other_addresses(client, alice, bob):
    _fail_five_times(_form_login, client, "alice")

    other_user = _form_login(client, "bob", DEFAULT_PASSWORD)
    client.logout()
    other_address = _form_login(client, "alice", DEFAULT_PASSWORD, REMOTE_ADDR="10.1.2.3")

    assert other_user.status_code == 302
    assert other_address.status_code == 302
    assert _logged_in(client)


def test_form_login_works_again_after_the_cool_off(client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail_five_times(_form_login, client, "alice")
        traveller.shift(dt.timedelta(minutes=14))
        still_locked = _form_login(client, "alice", DEFAULT_PASSWORD)
        traveller.shift(dt.timedelta(minutes=16))  # 15 minutes after the last try
        response = _form_login(client, "alice", DEFAULT_PASSWORD)

    assert still_locked.status_code == 429
    assert response.status_code == 302
    assert _logged_in(client)


def test_forwarded_for_header_is_ignored_unless_a_proxy_is_configured(client, alice):
    _fail_five_times(_form_login, client, "alice", HTTP_X_FORWARDED_FOR="198.51.100.1")

    response = _form_login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert response.status_code == 429


def test_forwarded_for_header_names_the_client_behind_a_trusted_proxy(client, alice, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client's own claim (left) is ignored; the proxy appends the address it saw (right).
    _fail_five_times(_form_login, client, "alice", HTTP_X_FORWARDED_FOR="10.9.9.9, 198.51.100.1")

    same_client = _form_login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="10.8.8.8, 198.51.100.1")
    other_client = _form_login(client, "alice", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert same_client.status_code == 429
    assert other_client.status_code == 302
    assert AccessAttempt.objects.get().ip_address == "198.51.100.1"


def test_admin_login_refuses_right_password_after_five_failures(client, alice, bob):
    _fail_five_times(_admin_login, client, "alice")

    response = _admin_login(client, "alice", DEFAULT_PASSWORD)
    other_user = _admin_login(client, "bob", DEFAULT_PASSWORD)

    assert response.status_code == 429
    page = response.content.decode()
    assert LOCKED in page
    assert 'class="errornote"' in page and "联盟业务管理平台" in page  # the admin's own login page
    assert other_user.status_code == 302 and other_user["Location"] == "/admin/"


def test_token_endpoint_answers_429_with_the_wait_after_five_failures(api_client, alice, bob):
    for _ in range(4):
        assert _token(api_client, "alice", "wrong-password").status_code == 400

    fifth = _token(api_client, "alice", "wrong-password")
    response = _token(api_client, "alice", DEFAULT_PASSWORD)
    other_user = _token(api_client, "bob", DEFAULT_PASSWORD)

    assert fifth.status_code == 429
    assert response.status_code == 429
    assert response.json() == {"detail": "登录失败次数过多，请 15 分钟后再试。", "retry_after_seconds": 900}
    assert response["Retry-After"] == "900"
    assert other_user.status_code == 200 and "token" in other_user.json()


def test_token_endpoint_works_again_after_the_cool_off(api_client, alice):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        _fail_five_times(_token, api_client, "alice")
        traveller.shift(dt.timedelta(minutes=16))
        response = _token(api_client, "alice", DEFAULT_PASSWORD)

    assert response.status_code == 200


def test_secretariat_lifts_a_lockout_in_the_admin(client, staff_client, alice):
    _fail_five_times(_form_login, client, "alice")
    attempt = AccessAttempt.objects.get(username="alice")

    changelist = staff_client.get("/admin/axes/accessattempt/")
    lifted = staff_client.post(
        "/admin/axes/accessattempt/",
        {"action": "lift_lockout", "_selected_action": [attempt.pk]},
        follow=True,
    )
    response = _form_login(client, "alice", DEFAULT_PASSWORD)

    assert changelist.status_code == 200
    assert "登录失败计数" in changelist.content.decode() and "解除锁定" in changelist.content.decode()
    assert "已解除 1 个锁定" in lifted.content.decode()
    assert not AccessAttempt.objects.exists()
    assert AuditEntry.objects.filter(action="alliance.login.lockout_lifted").count() == 1
    assert response.status_code == 302
    assert _logged_in(client)


def test_lifting_a_lockout_also_frees_the_token_endpoint(api_client, staff_client, alice):
    _fail_five_times(_token, api_client, "alice")
    attempt = AccessAttempt.objects.get(username="alice")

    staff_client.post("/admin/axes/accessattempt/", {"action": "lift_lockout", "_selected_action": [attempt.pk]})

    assert _token(api_client, "alice", DEFAULT_PASSWORD).status_code == 200


def test_lockout_admin_is_hidden_from_users_who_are_not_secretariat(client):
    clerk = UserFactory(username="clerk", is_staff=True, roles=["service_centre"])
    client.force_login(clerk)

    assert client.get("/admin/axes/accessattempt/").status_code == 403
    assert "/admin/axes/" not in client.get("/admin/").content.decode()
