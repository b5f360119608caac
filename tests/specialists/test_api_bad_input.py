"""Bad and implausible input to the specialists API: 400 naming the field, never a 500 or a silent write."""

import datetime as dt

import pytest

from specialists.enums import SpecialistStatus as S
from specialists.models import LedgerEntry, Specialist
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre(db):
    return UserFactory(username="centre", roles=["service_centre"], is_staff=True)


@pytest.fixture
def staff_api(api_client, centre):
    api_client.force_authenticate(centre)
    return api_client


@pytest.fixture
def alice(db):
    return SpecialistFactory(user__username="alice", name="王爱丽")


def _activity(**overrides):
    return {"rule": "books", "quantity": 1, "occurred_on": "2024-03-01"} | overrides


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (_activity(quantity=3_000_000_000), "quantity"),  # past a 32-bit integer: was a 500
        (_activity(rule="book_topic", quantity=25_000_000), "quantity"),  # 500,000,000 points
        (_activity(quantity=10_001), "quantity"),
        (_activity(rule="sponsorship", quantity=None, amount="9999999999.99"), "amount"),
        (_activity(rule="sponsorship", quantity=None, amount="0.001"), "amount"),
        (_activity(occurred_on="0001-01-01"), "occurred_on"),
        (_activity(occurred_on="1999-12-31"), "occurred_on"),
        (_activity(occurred_on="9999-12-31"), "occurred_on"),
    ],
)
def test_activity_with_implausible_value_is_400_naming_the_field(staff_api, alice, payload, field):
    response = staff_api.post(f"/api/specialists/{alice.pk}/activities/", payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert not LedgerEntry.objects.filter(specialist=alice).exists()


def test_activity_at_the_bounds_is_recorded(staff_api, alice):
    response = staff_api.post(
        f"/api/specialists/{alice.pk}/activities/", _activity(quantity=10_000, occurred_on="2000-01-01"), format="json"
    )

    assert response.status_code == 201
    assert response.json()["points"] == 10_000


@pytest.mark.parametrize("applied_on", ["0001-01-01", "9999-12-31"])
def test_specialist_with_implausible_application_date_is_400(staff_api, applied_on):
    response = staff_api.post("/api/specialists/", {"name": "张三", "applied_on": applied_on}, format="json")

    assert response.status_code == 400
    assert "applied_on" in response.json()
    assert not Specialist.objects.exists()


@pytest.mark.parametrize("flags", [{"is_superuser": True}, {"is_staff": True}])
def test_staff_or_superuser_account_cannot_be_linked_as_specialist(staff_api, flags):
    UserFactory(username="admin2", **flags)

    response = staff_api.post(
        "/api/specialists/", {"name": "管理员", "applied_on": "2024-01-02", "username": "admin2"}, format="json"
    )

    assert response.status_code == 400
    assert "username" in response.json()
    assert not Specialist.objects.exists()


def test_approval_dated_before_the_application_is_400(staff_api):
    applicant = SpecialistFactory(status=S.APPLICANT, applied_on=dt.date(2024, 3, 1))

    response = staff_api.post(f"/api/specialists/{applicant.pk}/approve/", {"on": "2024-02-28"}, format="json")

    assert response.status_code == 400
    assert "on" in response.json()
    applicant.refresh_from_db()
    assert applicant.status == S.APPLICANT


def test_exit_dated_before_the_application_is_400(staff_api):
    flagged = SpecialistFactory(status=S.EXIT_PENDING, applied_on=dt.date(2024, 3, 1))

    response = staff_api.post(
        f"/api/specialists/{flagged.pk}/exit/", {"on": "2023-01-01", "decision": "委员会表决"}, format="json"
    )

    assert response.status_code == 400
    assert "on" in response.json()


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31"])
def test_lifecycle_run_with_implausible_date_is_400(staff_api, as_of):
    response = staff_api.post("/api/lifecycle/run/", {"as_of": as_of, "dry_run": True}, format="json")

    assert response.status_code == 400
    assert "as_of" in response.json()


def test_transfer_to_an_id_past_32_bits_is_400(api_client, alice):
    api_client.force_authenticate(alice.user)

    response = api_client.post(
        "/api/me/transfers/", {"to": 3_000_000_000, "points": 1, "idempotency_key": "k1"}, format="json"
    )

    assert response.status_code == 400
    assert "to" in response.json()


def test_dates_before_year_1000_are_shown_in_iso_form(staff_api):
    """Such a row cannot be entered any more; one already stored still reads as ISO 8601."""
    old = SpecialistFactory(applied_on=dt.date(999, 1, 1), status_since=dt.date(999, 1, 1))

    body = staff_api.get(f"/api/specialists/{old.pk}/").json()

    assert body["applied_on"] == "0999-01-01"
    assert body["status_since"] == "0999-01-01"


@pytest.mark.parametrize("form_class", ["TransferForm", "RedeemForm"])
def test_page_forms_refuse_points_past_the_bound_as_a_form_error(form_class):
    from specialists import forms

    field = "points" if form_class == "TransferForm" else "cash_points"
    form = getattr(forms, form_class)(data={"to": "bob", "reward": "cash", field: "3000000000", "idempotency_key": "k"})

    assert not form.is_valid()
    assert field in form.errors
