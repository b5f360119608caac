"""The roles matrix (alliance.roles.ADMIN_PERMISSIONS) is what the admin does, for every role and every
registered model, and it agrees with what the same role may do through the API and the pages."""

import datetime as dt

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.authtoken.models import Token, TokenProxy

from alliance.models import AuditEntry, ExportJob, ImportJob, Organisation
from alliance.roles import (
    ADMIN_PERMISSIONS,
    STAFF_ROLES,
    Role,
    is_secretariat,
    is_service_staff,
    role_admin_actions,
    role_permission_keys,
    sync_role_permissions,
)
from greenmine.models import Evidence, Indicator
from specialists import services
from specialists.lifecycle import lifecycle_run
from specialists.models import Committee, CommitteeMembership, LedgerEntry, Meeting, Motion
from tests.awards.factories import programme_rows as award_programme_rows
from tests.factories import UserFactory
from tests.greenmine import factories as gm
from tests.liaisons.factories import programme_rows as liaison_programme_rows
from tests.nominations.factories import programme_rows as nomination_programme_rows
from tests.specialists.factories import ActivityFactory, SpecialistFactory

pytestmark = pytest.mark.django_db

ROLES = [role.value for role in Role]


def _label(model):
    return model._meta.label_lower


def _rows(role_user):
    """One row per registered model where it is cheap to build (through the services), keyed by label;
    the role user's own token, export and import so the per-user admins show them."""
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    alice = SpecialistFactory(name="王爱丽")
    bob = SpecialistFactory(name="李博")
    entry = services.activity_record(alice, rule="books", quantity=300, occurred_on=dt.date(2024, 1, 2), actor=root)
    services.redemption_create(alice, reward="office_gift", idempotency_key="g")
    services.transfer_create(alice, recipient=bob, points=10, idempotency_key="t")
    services.icebreaker_record(alice, on=dt.date(2024, 2, 1))
    services.liaison_assign(alice, root, on=dt.date(2024, 1, 3), actor=root)
    services.contact_record(alice, staff=root, on=dt.date(2024, 2, 3), channel="phone")
    services.liaison_change_request_create(alice, reason="联系不上")
    services.document_request_create(alice, kind="appointment", address="北京")
    meeting = Meeting.objects.create(kind="committee", title="专员委员会会议", held_on=dt.date(2024, 3, 1))
    Motion.objects.create(meeting=meeting, kind="exit", title="退出表决", subject=bob)
    services.excellent_nominate(alice, year=2024, reason="宣传推广", actor=root)
    lifecycle_run(as_of=dt.date(2024, 1, 5))
    CommitteeMembership.objects.create(
        specialist=alice, committee=Committee.objects.first(), started_on=dt.date(2024, 1, 9)
    )
    ActivityFactory()
    _scored_assessment(root)
    fresh = gm.assessment(root, mine_name="新录入的矿山")  # nothing recorded yet: may be deleted
    return {
        "auth.user": UserFactory(roles=["expert"]),
        "auth.group": Group.objects.get(name=Role.EXPERT),
        "authtoken.tokenproxy": TokenProxy.objects.get(key=Token.objects.create(user=role_user).key),
        "alliance.organisation": Organisation.objects.create(name="某矿业集团有限公司"),
        "alliance.auditentry": AuditEntry.objects.first(),
        "alliance.exportjob": ExportJob.objects.create(exporter="specialists.roster", requested_by=role_user),
        "alliance.importjob": ImportJob.objects.create(
            importer="specialists.activities", file="x.xlsx", filename="x.xlsx", fingerprint="0" * 64,
            requested_by=role_user,
        ),
        "specialists.ledgerentry": entry,
        "greenmine.assessment": fresh,
        **liaison_programme_rows(root),
        **nomination_programme_rows(root),
        **award_programme_rows(root),
    }  # fmt: skip


def _scored_assessment(staff):
    """An assessment an expert has scored, with evidence for one indicator."""
    assessment = gm.assessment(staff)
    (assignment,) = gm.assign(assessment, staff, gm.expert("gm_expert"))
    gm.pass_prerequisites(assessment, staff)
    gm.full_scores(assignment)
    indicator = Indicator.objects.filter(version_id=assessment.catalogue_id).first()
    evidence = Evidence(assessment=assessment, indicator=indicator, original_name="证明.pdf", size=9, uploaded_by=staff)
    evidence.file.save("proof.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    evidence.save()
    return assessment


def _row(label, model, rows):
    if label in rows:
        return rows[label]
    return model._default_manager.first()


def _expected(role, label):
    acts = role_admin_actions(role, label)
    return {
        "view": bool(acts & {"view", "change"}),
        "add": "add" in acts,
        "change": "change" in acts,
        "delete": "delete" in acts,
    }


@pytest.mark.parametrize("role", sorted(STAFF_ROLES))
def test_admin_matches_the_matrix_for_staff_role(client, role):
    user = UserFactory(roles=[role], is_staff=True)
    rows = _rows(user)
    client.force_login(user)
    request = RequestFactory().get("/admin/")
    request.user = user
    mismatches = []

    for model, model_admin in admin.site._registry.items():
        label = _label(model)
        want = _expected(role, label)
        info = (model._meta.app_label, model._meta.model_name)

        changelist = client.get(reverse("admin:{}_{}_changelist".format(*info)))
        add = client.get(reverse("admin:{}_{}_add".format(*info)))
        got = {"view": changelist.status_code == 200, "add": add.status_code == 200}
        if changelist.status_code not in (200, 403) or add.status_code not in (200, 403):
            mismatches.append((label, "status", changelist.status_code, add.status_code))
        obj = _row(label, model, rows)
        if obj is not None:
            change = client.get(reverse("admin:{}_{}_change".format(*info), args=[quote(obj.pk)]))
            delete = client.get(reverse("admin:{}_{}_delete".format(*info), args=[quote(obj.pk)]))
            assert change.status_code in (200, 403), (label, change.status_code)
            assert delete.status_code in (200, 403), (label, delete.status_code)
            got["change"] = change.status_code == 200 and change.context_data["has_change_permission"]
            got["delete"] = delete.status_code == 200
            if (change.status_code == 200) != want["view"]:
                mismatches.append((label, "change page shown", change.status_code))
        else:  # no row built for this model: the admin's own answer for the model
            got["change"] = model_admin.has_change_permission(request)
            got["delete"] = model_admin.has_delete_permission(request)
        if got != want:
            mismatches.append((label, got, want))

    assert mismatches == []


@pytest.mark.parametrize("role", sorted(set(ROLES) - STAFF_ROLES))
def test_admin_keeps_out_participant_role(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)

    answers = {
        _label(model): (
            client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")).status_code,
            client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")).status_code,
            client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[1])).status_code,
            client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[1])).status_code,
        )
        for model in admin.site._registry
    }

    assert ADMIN_PERMISSIONS[Role(role)] == {}
    assert set(answers.values()) == {(302, 302, 302, 302)}  # to the admin login
    assert client.get(reverse("admin:index")).status_code == 302


def test_every_registered_admin_model_is_in_the_matrix_for_the_secretariat_or_superuser_only():
    """A model registered later without a row in the matrix shows up here, not silently as superuser-only."""
    superuser_only = {"auth.group"}
    registered = {_label(model) for model in admin.site._registry}

    assert registered - set(ADMIN_PERMISSIONS[Role.SECRETARIAT]) == superuser_only


def test_matrix_names_only_real_models_and_actions():
    for role, rows in ADMIN_PERMISSIONS.items():
        for label, codes in rows.items():
            app_label, model_name = label.split(".")
            if app_label in {c.label for c in apps.get_app_configs()}:
                apps.get_model(app_label, model_name)  # raises for a typo
            assert codes and set(codes) <= set("vacd"), (role, label)
            assert "v" in codes, (role, label)  # add, change or delete without seeing the rows makes no sense


def test_groups_hold_exactly_the_matrix_after_migrate():
    for role in Role:
        held = set(Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename"))
        wanted = {key for key in role_permission_keys(role) if Permission.objects.filter(
            content_type__app_label=key[0], codename=key[1]).exists()}  # fmt: skip

        assert held == wanted, role


def test_sync_takes_back_a_permission_granted_by_hand():
    group = Group.objects.get(name=Role.SERVICE_CENTRE)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="auth", codename="change_user"),
        Permission.objects.get(content_type__app_label="greenmine", codename="view_expertscore"),
    )

    sync_role_permissions()

    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "change_user" not in codenames
    assert "view_expertscore" not in codenames
    assert "view_specialist" in codenames


def test_no_role_holds_a_permission_on_groups_or_permissions():
    for role in Role:
        codenames = set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

        assert not codenames & {
            f"{a}_{m}" for a in ("view", "add", "change", "delete") for m in ("group", "permission")
        }
        assert not codenames & {"add_user", "change_user", "delete_user"} or role == Role.SECRETARIAT


# --- The matrix agrees with the API and the pages -------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_matrix_follows_the_api_permission_checks(role):
    """The programmes' own predicates (the API's permission classes and the pages' checks) decide which
    apps a role works on; the matrix gives it nothing beyond them."""
    user = UserFactory(roles=[role], is_staff=Role(role) in STAFF_ROLES)
    apps_in_matrix = {label.split(".")[0] for label in ADMIN_PERMISSIONS[Role(role)]}

    assert ("greenmine" in apps_in_matrix) == is_secretariat(user)  # greenmine.permissions.require_staff
    assert ("specialists" in apps_in_matrix) == is_service_staff(user)  # specialists CanManageSpecialists
    assert ("alliance.auditentry" in ADMIN_PERMISSIONS[Role(role)]) == is_secretariat(user)  # audit export


@pytest.fixture
def greenmine_scored():
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    return root, _scored_assessment(root)


@pytest.mark.parametrize(
    ("role", "allowed"), [(Role.SECRETARIAT, True), (Role.SERVICE_CENTRE, False)]
)  # fmt: skip
def test_greenmine_admin_and_api_agree(client, api_client, greenmine_scored, role, allowed):
    _root, assessment = greenmine_scored
    user = UserFactory(roles=[role], is_staff=True)
    client.force_login(user)
    api_client.force_authenticate(user)

    api_create = api_client.post(
        "/api/greenmine/assessments/", {"mine_name": "某矿", "variant": "general", "mining_method": "open_pit"},
        format="json",
    )  # fmt: skip
    api_experts = api_client.post(f"/api/greenmine/assessments/{assessment.pk}/experts/", {"username": "x"})
    admin_pages = {
        page: client.get(f"/admin/greenmine/{page}").status_code
        for page in ("assessment/add/", "expertscore/", "evidence/", "expertassignment/add/", "sitevisit/")
    }

    assert (api_create.status_code == 201) is allowed
    assert (api_experts.status_code != 403) is allowed
    assert set(admin_pages.values()) == ({200} if allowed else {403})


@pytest.mark.parametrize("role", [Role.SECRETARIAT, Role.SERVICE_CENTRE])
def test_specialists_admin_and_api_agree(client, api_client, role):
    """Both staff roles run the specialists programme through the API and in the admin."""
    user = UserFactory(roles=[role], is_staff=True)
    client.force_login(user)
    api_client.force_authenticate(user)

    api = api_client.post(
        "/api/specialists/", {"name": "张三", "email": "z@example.com", "applied_on": "2024-01-02"}, format="json"
    )

    assert api.status_code == 201
    assert client.get("/admin/specialists/specialist/add/").status_code == 200
    assert client.get("/admin/specialists/ledgerentry/add/").status_code == 200


@pytest.mark.parametrize(("role", "status"), [(Role.SECRETARIAT, 201), (Role.SERVICE_CENTRE, 403)])
def test_user_onboarding_admin_and_api_agree(client, api_client, role, status):
    user = UserFactory(roles=[role], is_staff=True)
    client.force_login(user)
    api_client.force_authenticate(user)

    api = api_client.post("/api/users/", {"username": "newbie", "password": "Strong-pass-9"}, format="json")
    add_page = client.get("/admin/auth/user/add/")

    assert api.status_code == status
    assert add_page.status_code == (200 if status == 201 else 403)


def test_ledger_entries_are_added_never_changed_or_deleted_by_any_staff_role(client):
    entry_specialist = SpecialistFactory()
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    entry = services.activity_record(
        entry_specialist, rule="books", quantity=2, occurred_on=dt.date(2024, 1, 2), actor=root
    )
    for role in STAFF_ROLES:
        client.force_login(UserFactory(roles=[role], is_staff=True))

        change = client.post(reverse("admin:specialists_ledgerentry_change", args=[entry.pk]), {"points": "999"})
        delete = client.post(reverse("admin:specialists_ledgerentry_delete", args=[entry.pk]), {"post": "yes"})

        assert (change.status_code, delete.status_code) == (403, 403), role
    entry.refresh_from_db()
    assert entry.points == 2
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
