"""The award office's admin: every page renders, rows added through the services, the demo seeds once,
the reference data loads idempotently."""

import io

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from awards import demo, reference
from awards.enums import ApplicationStatus as S
from awards.models import Application, CommitteeMember, QuotaRule, Round
from tests.awards.factories import RoundFactory, committee, programme_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_programme_rows_has_one_row_of_every_model(root):
    from django.apps import apps

    rows = programme_rows(root)
    assert set(rows) == {m._meta.label_lower for m in apps.get_app_config("awards").get_models()}
    assert all(row.pk for row in rows.values())


def test_every_awards_admin_page_renders(client, root):
    rows = programme_rows(root)
    client.force_login(root)

    for label, obj in rows.items():
        app, model = label.split(".")
        changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
        change = client.get(reverse(f"admin:{app}_{model}_change", args=[quote(obj.pk)]))
        assert (label, changelist.status_code, change.status_code) == (label, 200, 200)


def test_applications_filter_by_round_and_status(client, root):
    rows = programme_rows(root)
    client.force_login(root)
    application = rows["awards.application"]
    response = client.get(
        reverse("admin:awards_application_changelist"),
        {"round": application.round_id, "status__exact": S.PUBLIC_NOTICE},
    )
    assert list(response.context["cl"].result_list) == [application]


def test_committee_member_added_in_the_admin_asks_to_acknowledge_a_third_year(client, root):
    veteran = UserFactory(roles=["committee"])
    committee(RoundFactory(year=2022), 9, users=[veteran])
    committee(RoundFactory(year=2023), 9, users=[veteran])
    round_ = RoundFactory(year=2024)
    client.force_login(root)
    url = reverse("admin:awards_committeemember_add")
    data = {"round": round_.pk, "user": veteran.pk, "role": "member"}

    refused = client.post(url, data)
    assert refused.status_code == 200
    assert "acknowledge_rotation" in refused.context["adminform"].form.errors
    assert not CommitteeMember.objects.filter(round=round_).exists()

    client.post(url, {**data, "acknowledge_rotation": "on"})
    assert CommitteeMember.objects.get(round=round_, user=veteran).rotation_acknowledged


def test_round_added_in_the_admin_goes_through_the_service(client, root):
    client.force_login(root)
    client.post(
        reverse("admin:awards_round_add"),
        {
            "year": "2025",
            "title": "",
            "application_deadline": "2025-06-30",
            "committee-TOTAL_FORMS": "0",
            "committee-INITIAL_FORMS": "0",
        },
    )
    assert Round.objects.get(year=2025).application_deadline.isoformat() == "2025-06-30"


def test_demo_seeds_once():
    out = io.StringIO()
    demo.seed(out)
    statuses = sorted(Application.objects.values_list("status", flat=True))
    assert statuses == sorted([S.DRAFT, S.SUBMITTED, S.PEER_REVIEW, S.PUBLIC_NOTICE])
    assert "jiangliban /" in out.getvalue()
    again = io.StringIO()
    demo.seed(again)
    assert Application.objects.count() == 4
    assert "exists already" in again.getvalue()


def test_reference_data_loaded_and_idempotent():
    before = QuotaRule.objects.count()
    assert reference.load() == reference.load()
    assert QuotaRule.objects.count() == before == 12
