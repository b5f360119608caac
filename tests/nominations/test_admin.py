"""The secretariat's admin of the nominations: every page renders, campaigns and experts go through
the services, and the demo seeds once."""

import io

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from alliance.models import AuditEntry
from nominations import demo
from nominations.models import Campaign, Evaluation, ExpertAssignment, Nomination
from tests.factories import UserFactory
from tests.nominations.factories import expert, programme_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def test_every_nominations_admin_page_renders(client, root):
    rows = programme_rows(root)
    client.force_login(root)

    for label, obj in rows.items():
        app, model = label.split(".")
        changelist = client.get(reverse(f"admin:{app}_{model}_changelist"))
        change = client.get(reverse(f"admin:{app}_{model}_change", args=[quote(obj.pk)]))
        assert (label, changelist.status_code, change.status_code) == (label, 200, 200)


def test_nominations_changelist_filters_by_campaign_field_and_status(client, root):
    rows = programme_rows(root)
    client.force_login(root)
    nomination = rows["nominations.nomination"]

    response = client.get(
        reverse("admin:nominations_nomination_changelist"),
        {"campaign": nomination.campaign_id, "field__exact": nomination.field, "status__exact": "submitted"},
    )

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [nomination]


def test_a_campaign_added_in_the_admin_takes_the_seeds_deadlines(client, root):
    client.force_login(root)

    response = client.post(
        reverse("admin:nominations_campaign_add"),
        {
            "year": "2020",
            "title": "",
            "cap_per_field": "2",
            "preselection_cap": "2",
            "shortlist_min": "25",
            "shortlist_max": "30",
            "list_size": "100",
            "nominations-TOTAL_FORMS": "0",
            "nominations-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    campaign = Campaign.objects.get(year=2020)
    assert (campaign.recommendation_deadline.isoformat(), campaign.publication_date.isoformat()) == (
        "2020-11-20",
        "2020-12-31",
    )
    assert AuditEntry.objects.filter(action="nominations.campaign.created").exists()


def test_an_expert_is_assigned_through_the_service(client, root):
    client.force_login(root)
    campaign = Campaign.objects.create(
        year=2020,
        recommendation_deadline="2020-11-20",
        preliminary_deadline="2020-11-30",
        final_review_deadline="2020-12-20",
        publication_date="2020-12-31",
    )
    reviewer, plain = expert(), UserFactory()
    url = reverse("admin:nominations_expertassignment_add")

    refused = client.post(url, {"campaign": campaign.pk, "field": "materials", "expert": plain.pk})
    client.post(url, {"campaign": campaign.pk, "field": "materials", "expert": reviewer.pk})

    assert refused.status_code == 200  # the form shows the error
    assert list(ExpertAssignment.objects.values_list("expert", flat=True)) == [reviewer.pk]
    assert AuditEntry.objects.filter(action="nominations.expert.assigned").count() == 1


def test_the_demo_seeds_once():
    UserFactory(username="demo", is_superuser=True, is_staff=True)
    out = io.StringIO()

    demo.seed(out)
    demo.seed(out)

    assert Nomination.objects.count() == len(demo.NOMINATIONS)
    assert "tuijian / " in out.getvalue() and "chuping / " in out.getvalue()
    assert "exists already" in out.getvalue()


@pytest.mark.parametrize("model", [Nomination, Evaluation])
def test_the_growing_tables_keep_to_the_large_table_conventions(model):
    from django.contrib import admin

    from alliance.admin_base import LargeTableMixin

    model_admin = admin.site._registry[model]
    assert isinstance(model_admin, LargeTableMixin)
    assert model_admin.date_hierarchy is None
    for path in model_admin.search_fields:
        *names, lookup = path.split("__")
        assert lookup in ("startswith", "exact"), path
        field, current = None, model
        for name in names:
            field = current._meta.get_field(name)
            current = field.related_model or current
        assert field.db_index or field.unique, path
    for spec in model_admin.list_filter:
        if isinstance(spec, str):
            assert model._meta.get_field(spec).choices, spec


def test_the_evaluations_filter_by_campaign_and_field(client, root):
    rows = programme_rows(root)
    client.force_login(root)
    evaluation = rows["nominations.evaluation"]

    response = client.get(
        reverse("admin:nominations_evaluation_changelist"),
        {"campaign": evaluation.nomination.campaign_id, "field": evaluation.nomination.field},
    )
    other = client.get(reverse("admin:nominations_evaluation_changelist"), {"field": "biomedicine"})

    assert list(response.context["cl"].result_list) == [evaluation]
    assert list(other.context["cl"].result_list) == []


def test_every_fact_the_programme_records_has_a_name(root):
    from alliance import audit

    programme_rows(root)
    entries = list(AuditEntry.objects.filter(action__startswith="nominations."))
    keys = {key for entry in entries for key in entry.data}
    keys |= {key for entry in entries for value in entry.data.values() if isinstance(value, dict) for key in value}

    assert {entry.action for entry in entries} <= set(audit.ACTION_LABELS)
    assert keys - set(audit.FIELD_LABELS) == set()
    for entry in entries:
        audit.describe(entry)  # every value resolves
