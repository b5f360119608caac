import pytest
from django.contrib.auth import get_user_model

from alliance.models import AuditEntry, Organisation
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_token_issued_for_valid_credentials(api_client):
    UserFactory(username="alice")

    response = api_client.post("/api/auth/token/", {"username": "alice", "password": "pw-Secret-123"}, format="json")

    assert response.status_code == 200
    assert len(response.json()["token"]) == 40


def test_token_refused_for_wrong_password(api_client):
    UserFactory(username="alice")

    response = api_client.post("/api/auth/token/", {"username": "alice", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_staff_creates_user_with_roles_and_new_organisation(api_client, staff_user):
    api_client.force_authenticate(staff_user)

    response = api_client.post(
        "/api/users/",
        {
            "username": "expert1",
            "password": "Strong-pass-9",
            "name": "王专家",
            "email": "wang@example.com",
            "roles": ["expert", "committee"],
            "organisation": "中国地质大学（北京）",
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "expert1"
    assert body["roles"] == ["committee", "expert"]
    assert body["organisation"] == "中国地质大学（北京）"
    user = get_user_model().objects.get(username="expert1")
    assert user.check_password("Strong-pass-9")
    assert user.profile.name == "王专家"
    assert Organisation.objects.filter(name="中国地质大学（北京）").count() == 1
    assert AuditEntry.objects.filter(action="user.created", object_id=str(user.pk), actor=staff_user).exists()


def test_user_creation_reuses_existing_organisation(api_client, staff_user):
    Organisation.objects.create(name="某矿业集团")
    api_client.force_authenticate(staff_user)

    response = api_client.post(
        "/api/users/",
        {"username": "a1", "password": "Strong-pass-9", "roles": ["applicant"], "organisation": "某矿业集团"},
        format="json",
    )

    assert response.status_code == 201
    assert Organisation.objects.filter(name="某矿业集团").count() == 1


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "x", "password": "Strong-pass-9", "roles": ["wizard"]}, "roles"),
        ({"username": "x", "password": "123"}, "password"),
        ({"password": "Strong-pass-9"}, "username"),
    ],
)
def test_user_creation_rejects_bad_input_naming_the_field(api_client, staff_user, payload, field):
    api_client.force_authenticate(staff_user)

    response = api_client.post("/api/users/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not get_user_model().objects.filter(username="x").exists()


def test_duplicate_username_refused(api_client, staff_user):
    UserFactory(username="taken")
    api_client.force_authenticate(staff_user)

    response = api_client.post("/api/users/", {"username": "taken", "password": "Strong-pass-9"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"username": ["A user with that username already exists."]}


@pytest.mark.parametrize("roles", [[], ["expert"], ["specialist"], ["applicant"], ["service_centre"]])
def test_non_secretariat_cannot_create_users(api_client, roles):
    api_client.force_authenticate(UserFactory(roles=roles))

    response = api_client.post("/api/users/", {"username": "x", "password": "Strong-pass-9"}, format="json")

    assert response.status_code == 403
    assert not get_user_model().objects.filter(username="x").exists()


def test_anonymous_cannot_create_users(api_client):
    response = api_client.post("/api/users/", {"username": "x", "password": "Strong-pass-9"}, format="json")

    assert response.status_code in (401, 403)


def test_superuser_counts_as_staff(api_client):
    admin = get_user_model().objects.create_superuser("root", "r@example.com", "pw-Secret-123")
    api_client.force_authenticate(admin)

    response = api_client.post("/api/users/", {"username": "x", "password": "Strong-pass-9"}, format="json")

    assert response.status_code == 201


def test_token_authenticates_api_requests(api_client):
    UserFactory(username="tok", roles=["secretariat"])
    token = api_client.post("/api/auth/token/", {"username": "tok", "password": "pw-Secret-123"}, format="json")
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    response = api_client.post("/api/users/", {"username": "viaToken", "password": "Strong-pass-9"}, format="json")

    assert response.status_code == 201
