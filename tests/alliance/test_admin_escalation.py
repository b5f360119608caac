"""No way up from a staff role: crafted admin POSTs and API calls that would make a staff member a
superuser, give them a role, take over the superuser or read API keys are refused; rows that are
records cannot be deleted from the admin."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token

from alliance.models import AuditEntry
from alliance.roles import Role
from specialists import services
from specialists.models import LedgerEntry
from tests.factories import DEFAULT_PASSWORD, UserFactory
from tests.greenmine import factories as gm
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture(params=[Role.SECRETARIAT, Role.SERVICE_CENTRE])
def staff(request, client):
    user = UserFactory(username=f"staff_{request.param}", roles=[request.param], is_staff=True)
    client.force_login(user)
    return user


def _user_form(user, **overrides):
    """Everything the change form could carry, with the escalating fields a crafted request adds."""
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": user.email,
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [g.pk for g in Group.objects.all()],
        "user_permissions": [],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": user.profile.pk,
        "profile-0-user": user.pk,
        "profile-0-name": "改过的名字",
        "profile-0-organisation": "",
    }
    data.update(overrides)
    return data


def test_staff_cannot_make_themself_superuser_or_take_a_role(client, staff):
    held = set(staff.groups.values_list("name", flat=True))

    response = client.post(reverse("admin:auth_user_change", args=[staff.pk]), _user_form(staff))

    staff.refresh_from_db()
    if staff.groups.filter(name=Role.SECRETARIAT).exists():  # its own name and email are saved, nothing else
        assert response.status_code == 302
        assert staff.profile.name == "改过的名字"
    else:  # the service centre only views accounts
        assert response.status_code == 403
    assert (staff.is_superuser, staff.is_staff) == (False, True)
    assert set(staff.groups.values_list("name", flat=True)) == held
    assert not staff.user_permissions.exists()


def test_secretariat_cannot_give_a_staff_role_to_an_account_it_manages(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], is_staff=True)
    expert = UserFactory(roles=[Role.EXPERT])
    client.force_login(secretariat)

    refused = client.post(
        reverse("admin:auth_user_change", args=[expert.pk]),
        _user_form(expert, groups=[Group.objects.get(name=Role.SECRETARIAT).pk]),
    )
    allowed = client.post(
        reverse("admin:auth_user_change", args=[expert.pk]),
        _user_form(expert, groups=[Group.objects.get(name=n).pk for n in (Role.EXPERT, Role.COMMITTEE)]),
    )

    expert.refresh_from_db()
    assert refused.status_code == 200  # the form again: not a valid choice
    assert refused.context_data["adminform"].form.errors["groups"]
    assert allowed.status_code == 302
    assert set(expert.groups.values_list("name", flat=True)) == {"expert", "committee"}
    assert (expert.is_staff, expert.is_superuser) == (False, False)


def test_secretariat_cannot_edit_another_staff_account(client):
    secretariat = UserFactory(roles=[Role.SECRETARIAT], is_staff=True)
    centre = UserFactory(roles=[Role.SERVICE_CENTRE], is_staff=True)
    client.force_login(secretariat)

    response = client.post(
        reverse("admin:auth_user_password_change", args=[centre.pk]),
        {"password1": "Taken-over-123", "password2": "Taken-over-123", "usable_password": "true"},
    )

    centre.refresh_from_db()
    assert response.status_code == 403
    assert centre.check_password(DEFAULT_PASSWORD)


def test_save_model_refuses_admin_rights_even_when_the_form_carries_them(root):
    """The server-side check behind the read-only fields: a form that did carry is_superuser is refused."""
    secretariat = UserFactory(roles=[Role.SECRETARIAT], is_staff=True)
    model_admin = admin.site._registry[User]
    request = RequestFactory().post("/admin/")
    request.user = secretariat
    crafted = User.objects.get(pk=secretariat.pk)
    crafted.is_superuser = True

    with pytest.raises(PermissionDenied):
        model_admin.save_model(request, crafted, form=None, change=True)

    secretariat.refresh_from_db()
    assert not secretariat.is_superuser


def test_staff_cannot_change_deactivate_or_delete_the_superuser(client, staff, root):
    password = client.post(
        reverse("admin:auth_user_password_change", args=[root.pk]),
        {"password1": "Taken-over-123", "password2": "Taken-over-123", "usable_password": "true"},
    )
    deactivate = client.post(reverse("admin:auth_user_change", args=[root.pk]), _user_form(root, is_active=""))
    delete = client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"})

    root.refresh_from_db()
    assert (password.status_code, deactivate.status_code, delete.status_code) == (403, 403, 403)
    assert root.check_password(DEFAULT_PASSWORD)
    assert root.is_active and root.is_superuser


def test_groups_admin_is_the_superusers(client, staff):
    group = Group.objects.get(name=Role.SECRETARIAT)

    pages = [
        client.get(reverse("admin:auth_group_changelist")),
        client.get(reverse("admin:auth_group_change", args=[group.pk])),
        client.post(reverse("admin:auth_group_change", args=[group.pk]), {"name": "secretariat", "permissions": []}),
    ]

    assert [p.status_code for p in pages] == [403, 403, 403]


# --- API tokens --------------------------------------------------------------------------------------


def test_no_admin_page_shows_the_superusers_api_key(client, staff, root):
    key = Token.objects.create(user=root).key
    Token.objects.create(user=staff)
    pages = [reverse("admin:index"), reverse("admin:authtoken_tokenproxy_changelist")]
    pages += [reverse("admin:authtoken_tokenproxy_add"), reverse("admin:auth_user_change", args=[root.pk])]
    pages += [reverse("admin:authtoken_tokenproxy_change", args=[staff.pk])]
    pages += [reverse("admin:authtoken_tokenproxy_delete", args=[staff.pk])]
    pages += [reverse("admin:authtoken_tokenproxy_change", args=[root.pk])]
    pages += [reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry]

    bodies = {page: client.get(page, follow=True).content.decode() for page in pages}

    assert [page for page, body in bodies.items() if key in body] == []
    assert root.username not in bodies[reverse("admin:authtoken_tokenproxy_changelist")]


def test_token_changelist_lists_users_and_dates_never_keys(client, root):
    client.force_login(root)
    keys = [Token.objects.create(user=u).key for u in (root, UserFactory(username="alice"))]

    alice = User.objects.get(username="alice")
    body = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    body += client.get(reverse("admin:authtoken_tokenproxy_add")).content.decode()
    body += client.get(reverse("admin:authtoken_tokenproxy_change", args=[alice.pk])).content.decode()
    body += client.get(reverse("admin:authtoken_tokenproxy_delete", args=[alice.pk])).content.decode()

    assert "alice" in body and "root" in body
    assert [k for k in keys if k in body] == []


def test_staff_cannot_create_a_token_for_the_superuser(client, staff, root):
    response = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": root.pk})

    assert response.status_code == 200  # the form again: the superuser is not a valid choice
    assert not Token.objects.filter(user=root).exists()


def test_staff_creates_their_own_token_and_sees_the_key_once(client, staff):
    response = client.post(reverse("admin:authtoken_tokenproxy_add"), {"user": staff.pk}, follow=True)
    again = client.get(reverse("admin:authtoken_tokenproxy_changelist"))

    key = Token.objects.get(user=staff).key
    assert response.status_code == 200
    assert key in response.content.decode()
    assert key not in again.content.decode()
    assert not LogEntry.objects.filter(object_repr__contains=key).exists()  # nor in "recent actions"


def test_staff_revokes_only_their_own_token(client, staff, root):
    Token.objects.create(user=staff)
    Token.objects.create(user=root)

    other = client.post(reverse("admin:authtoken_tokenproxy_delete", args=[root.pk]), {"post": "yes"})
    own = client.post(reverse("admin:authtoken_tokenproxy_delete", args=[staff.pk]), {"post": "yes"})

    assert other.status_code == 302 and own.status_code == 302
    assert Token.objects.filter(user=root).exists()
    assert not Token.objects.filter(user=staff).exists()


# --- Onboarding through the API ------------------------------------------------------------------------


@pytest.mark.parametrize("roles", [["secretariat"], ["service_centre"], ["expert", "service_centre"]])
def test_api_refuses_a_staff_role_from_the_secretariat(api_client, roles):
    api_client.force_authenticate(UserFactory(roles=[Role.SECRETARIAT], is_staff=True))

    response = api_client.post(
        "/api/users/", {"username": "climber", "password": "Strong-pass-9", "roles": roles}, format="json"
    )

    assert response.status_code == 403
    assert "roles" in response.json()
    assert not User.objects.filter(username="climber").exists()


def test_api_user_of_the_secretariat_is_never_staff_or_superuser(api_client):
    api_client.force_authenticate(UserFactory(roles=[Role.SECRETARIAT], is_staff=True))

    response = api_client.post(
        "/api/users/",
        {"username": "plain", "password": "Strong-pass-9", "roles": ["expert"], "is_staff": True, "is_superuser": True},
        format="json",
    )

    user = User.objects.get(username="plain")
    assert response.status_code == 201
    assert (user.is_staff, user.is_superuser) == (False, False)


def test_api_superuser_may_give_staff_roles(api_client, root):
    api_client.force_authenticate(root)

    response = api_client.post(
        "/api/users/", {"username": "clerk", "password": "Strong-pass-9", "roles": ["secretariat"]}, format="json"
    )

    assert response.status_code == 201
    assert User.objects.get(username="clerk").is_staff


# --- Records are never deleted from the admin ---------------------------------------------------------


@pytest.fixture
def ledger_entry(root):
    return services.activity_record(
        SpecialistFactory(), rule="books", quantity=2, occurred_on=dt.date(2024, 1, 2), actor=root
    )


@pytest.mark.parametrize("who", ["root", "secretariat"])
def test_ledger_and_audit_entries_offer_no_delete(client, root, ledger_entry, who):
    user = root if who == "root" else UserFactory(roles=[Role.SECRETARIAT], is_staff=True)
    client.force_login(user)
    audit = AuditEntry.objects.first()
    pages = {
        "ledger": (LedgerEntry, ledger_entry, "specialists_ledgerentry"),
        "audit": (AuditEntry, audit, "alliance_auditentry"),
    }

    for model, obj, name in pages.values():
        changelist = client.get(reverse(f"admin:{name}_changelist")).content.decode()
        change = client.get(reverse(f"admin:{name}_change", args=[obj.pk])).content.decode()
        delete_get = client.get(reverse(f"admin:{name}_delete", args=[obj.pk]))
        delete_post = client.post(reverse(f"admin:{name}_delete", args=[obj.pk]), {"post": "yes"})
        bulk = client.post(
            reverse(f"admin:{name}_changelist"),
            {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
        )

        assert 'value="delete_selected"' not in changelist
        assert reverse(f"admin:{name}_delete", args=[obj.pk]) not in change
        assert (delete_get.status_code, delete_post.status_code) == (403, 403)
        assert bulk.status_code in (200, 302)  # "no action selected": delete_selected is not an action here
        assert model.objects.filter(pk=obj.pk).exists()


def test_scored_assessment_offers_no_delete_a_fresh_one_does(client, root):
    client.force_login(UserFactory(roles=[Role.SECRETARIAT], is_staff=True))
    scored = gm.assessment(root, mine_name="已评分矿山")
    (assignment,) = gm.assign(scored, root, gm.expert("expert1"))
    gm.pass_prerequisites(scored, root)
    gm.full_scores(assignment)
    fresh = gm.assessment(root, mine_name="录错的矿山")

    refused = client.post(reverse("admin:greenmine_assessment_delete", args=[scored.pk]), {"post": "yes"})
    changelist = client.get(reverse("admin:greenmine_assessment_changelist")).content.decode()
    allowed = client.post(reverse("admin:greenmine_assessment_delete", args=[fresh.pk]), {"post": "yes"})

    assert refused.status_code == 403
    assert 'value="delete_selected"' not in changelist
    assert allowed.status_code == 302
    assert scored.__class__.objects.filter(pk=scored.pk).exists()
    assert not scored.__class__.objects.filter(pk=fresh.pk).exists()


@pytest.mark.parametrize(
    "name",
    ["specialists_specialist", "specialists_activity", "specialists_meeting", "specialists_motion",
     "specialists_excellentnomination", "specialists_contactlog", "specialists_committee",
     "specialists_documentrequest", "specialists_issueddocument", "specialists_statuschange",
     "specialists_lifecyclerun", "greenmine_expertassignment", "greenmine_expertscore", "greenmine_evidence"],
)  # fmt: skip
def test_records_offer_no_delete_even_to_a_superuser(rf, root, name):
    model_admin = next(
        a for m, a in admin.site._registry.items() if f"{m._meta.app_label}_{m._meta.model_name}" == name
    )
    request = rf.get("/admin/")
    request.user = root

    assert model_admin.has_delete_permission(request) is False
    assert "delete_selected" not in model_admin.get_actions(request)
