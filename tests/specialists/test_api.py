import datetime as dt
import json

import pytest

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.models import LedgerEntry, Redemption, Specialist
from specialists.serializers import LedgerEntrySerializer
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def centre_user(db):
    return UserFactory(username="centre", roles=["service_centre"], is_staff=True)


@pytest.fixture
def alice(credit):
    specialist = SpecialistFactory(user__username="alice", name="王爱丽")
    credit(specialist, 300)
    return specialist


@pytest.fixture
def bob(db):
    return SpecialistFactory(user__username="bob", name="李博")


def test_point_rules_list_the_seed_table(api_client, alice):
    api_client.force_authenticate(alice.user)

    rules = {r["code"]: r for r in api_client.get("/api/points/rules/").json()}

    assert len(rules) == 26
    assert rules["knowledge_contest"] == {**rules["knowledge_contest"], "points": 3, "per_amount": None}
    assert rules["sponsorship"]["points"] == 1
    assert rules["sponsorship"]["per_amount"] == 100
    assert rules["recommend_member"]["levels"]["vice_chairman"]["points"] == 20


def test_rewards_list_costs_with_null_where_price_dependent(api_client, alice):
    api_client.force_authenticate(alice.user)

    rewards = {r["code"]: r["cost"] for r in api_client.get("/api/rewards/").json()}

    assert rewards == {
        "office_gift": 20,
        "book": None,
        "member_training_seat": 80,
        "member_conference_seat": 60,
        "free_training_seat": 200,
        "free_conference_seat": 200,
        "cash": None,
    }


def test_staff_registers_approves_and_credits_a_specialist(api_client, staff_user):
    api_client.force_authenticate(staff_user)

    created = api_client.post(
        "/api/specialists/", {"name": "赵新", "email": "zhao@example.com", "applied_on": "2024-01-05"}, format="json"
    )
    pk = created.json()["id"]
    approved = api_client.post(f"/api/specialists/{pk}/approve/", {"on": "2024-01-15"}, format="json")
    entry = api_client.post(
        f"/api/specialists/{pk}/activities/",
        {"rule": "sponsorship", "amount": "1250", "occurred_on": "2024-02-01"},
        format="json",
    )
    icebreaker = api_client.post(f"/api/specialists/{pk}/icebreakers/", {"on": "2024-02-02"}, format="json")
    run = api_client.post("/api/lifecycle/run/", {"as_of": "2024-04-15"}, format="json")
    detail = api_client.get(f"/api/specialists/{pk}/")

    assert created.status_code == 201
    assert created.json()["status"] == "applicant"
    assert approved.json()["status"] == "probation"
    assert approved.json()["probation_ends"] == "2024-04-15"
    assert entry.status_code == 201
    assert entry.json()["points"] == 12
    assert icebreaker.status_code == 201
    assert run.json()["changes"] == [
        {**run.json()["changes"][0], "specialist": pk, "from": "probation", "to": "general"}
    ]
    assert detail.json()["status"] == "general"
    assert detail.json()["balance"] == 12


def test_create_with_username_links_the_existing_user(api_client, staff_user):
    user = UserFactory(username="existing")
    api_client.force_authenticate(staff_user)

    response = api_client.post(
        "/api/specialists/", {"name": "既有", "applied_on": "2024-01-05", "username": "existing"}, format="json"
    )

    assert response.status_code == 201
    assert Specialist.objects.get(pk=response.json()["id"]).user == user


def test_service_centre_manages_specialists(api_client, centre_user, bob):
    api_client.force_authenticate(centre_user)

    response = api_client.post(
        f"/api/specialists/{bob.pk}/activities/",
        {"rule": "knowledge_contest", "occurred_on": "2024-02-01"},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["points"] == 3


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/specialists/", {"name": "x", "applied_on": "2024-01-05"}),
        ("/api/specialists/{bob}/approve/", {"on": "2024-01-05"}),
        ("/api/specialists/{bob}/activities/", {"rule": "books", "occurred_on": "2024-01-05"}),
        ("/api/specialists/{bob}/icebreakers/", {"on": "2024-01-05"}),
        ("/api/specialists/{bob}/exit/", {"on": "2024-01-05", "decision": "x"}),
        ("/api/lifecycle/run/", {"as_of": "2024-01-05"}),
    ],
)
def test_staff_endpoints_refuse_a_specialist(api_client, alice, bob, path, body):
    api_client.force_authenticate(alice.user)

    response = api_client.post(path.format(bob=bob.pk), body, format="json")

    assert response.status_code == 403
    assert LedgerEntry.objects.filter(specialist=bob).count() == 0


def test_staff_endpoints_refuse_anonymous(api_client, bob):
    response = api_client.post("/api/lifecycle/run/", {"as_of": "2024-01-05"}, format="json")

    assert response.status_code in (401, 403)


def test_specialist_sees_own_detail_but_not_anothers(api_client, alice, bob):
    api_client.force_authenticate(alice.user)

    own = api_client.get(f"/api/specialists/{alice.pk}/")
    other = api_client.get(f"/api/specialists/{bob.pk}/")

    assert own.status_code == 200
    assert own.json()["balance"] == 300
    assert other.status_code == 404
    assert "balance" not in other.json()


def test_activity_bad_input_is_400_naming_the_field(api_client, staff_user, bob):
    api_client.force_authenticate(staff_user)

    missing_amount = api_client.post(
        f"/api/specialists/{bob.pk}/activities/", {"rule": "sponsorship", "occurred_on": "2024-02-01"}, format="json"
    )
    unknown_rule = api_client.post(
        f"/api/specialists/{bob.pk}/activities/", {"rule": "nope", "occurred_on": "2024-02-01"}, format="json"
    )
    bad_date = api_client.post(
        f"/api/specialists/{bob.pk}/activities/", {"rule": "books", "occurred_on": "02/01/2024"}, format="json"
    )

    assert (missing_amount.status_code, list(missing_amount.json())) == (400, ["amount"])
    assert (unknown_rule.status_code, list(unknown_rule.json())) == (400, ["rule"])
    assert (bad_date.status_code, list(bad_date.json())) == (400, ["occurred_on"])
    assert not LedgerEntry.objects.filter(specialist=bob).exists()


def test_my_points_shows_only_own_ledger(api_client, alice, bob, credit):
    credit(bob, 7)
    api_client.force_authenticate(alice.user)

    body = api_client.get("/api/me/points/").json()

    assert body["balance"] == 300
    assert body["status"] == "general"
    assert [(e["points"], e["rule"], e["occurred_on"]) for e in body["entries"]] == [(300, "books", "2024-01-02")]


def test_my_points_entries_are_shown_as_the_ledger_entry_serializer_shows_them(api_client, alice, bob, recorder):
    services.activity_record(
        alice, rule="sponsorship", amount="250.50", occurred_on=dt.date(2024, 2, 1), actor=recorder
    )
    services.activity_record(
        alice, rule="recommend_member", level="director", occurred_on=dt.date(2024, 2, 2), actor=recorder
    )
    wrong = services.activity_record(alice, rule="books", quantity=3, occurred_on=dt.date(2024, 2, 3), actor=recorder)
    services.ledger_reverse(wrong, on=dt.date(2024, 2, 4), actor=recorder, reason="recorded twice")
    redemption, _created = services.redemption_create(alice, reward="office_gift", idempotency_key="r1")
    services.redemption_cancel(redemption, actor=recorder, note="out of stock")
    services.transfer_create(alice, recipient=bob, points=5, idempotency_key="t1")
    api_client.force_authenticate(alice.user)

    body = api_client.get("/api/me/points/").json()
    activities = api_client.get("/api/me/points/", {"kind": "activity"}).json()

    ledger = LedgerEntry.objects.filter(specialist=alice).order_by("-occurred_on", "-id")
    assert body["entries"] == json.loads(json.dumps(LedgerEntrySerializer(ledger, many=True).data))
    assert (body["count"], body["page"], body["pages"]) == (8, 1, 1)
    assert [e["rule"] for e in activities["entries"]] == ["books", "recommend_member", "sponsorship", "books"]


def test_my_points_filters_by_rule_and_dates_and_pages(api_client, alice, credit):
    for day in range(1, 53):
        credit(alice, 1, on=dt.date(2024, 3, 1) + dt.timedelta(days=day))
    api_client.force_authenticate(alice.user)

    second = api_client.get("/api/me/points/", {"page": 2}).json()
    march = api_client.get("/api/me/points/", {"rule": "books", "date_from": "2024-03-01", "date_to": "2024-03-31"})

    assert (second["count"], second["page"], second["pages"], len(second["entries"])) == (53, 2, 2, 3)
    assert second["entries"][-1]["occurred_on"] == "2024-01-02"
    assert (march.json()["count"], {e["occurred_on"][:7] for e in march.json()["entries"]}) == (30, {"2024-03"})


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"kind": "\x00"}, "kind"),
        ({"kind": "bonus"}, "kind"),
        ({"rule": "\x00"}, "rule"),
        ({"rule": "no_such_rule"}, "rule"),
        ({"date_from": "2024-02-30"}, "date_from"),
        ({"date_from": "2024-05-01", "date_to": "2024-04-01"}, "date_to"),
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
    ],
    ids=["kind-nul", "kind-unknown", "rule-nul", "rule-unknown", "bad-date", "dates-reversed", "page-0", "page-text"],
)
def test_my_points_bad_filter_is_400_naming_the_field(api_client, alice, params, field):
    api_client.force_authenticate(alice.user)

    response = api_client.get("/api/me/points/", params)

    assert (response.status_code, list(response.json())) == (400, [field])


def test_my_points_refuses_a_user_who_is_not_a_specialist(api_client, staff_user):
    api_client.force_authenticate(staff_user)

    assert api_client.get("/api/me/points/").status_code == 403


def test_redemption_repeated_key_returns_the_same_201_body(api_client, alice):
    api_client.force_authenticate(alice.user)
    body = {"reward": "book", "price": "81", "idempotency_key": "abc-1"}

    first = api_client.post("/api/me/redemptions/", body, format="json")
    second = api_client.post("/api/me/redemptions/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert (first.json()["points"], first.json()["balance"]) == (41, 259)
    assert Redemption.objects.count() == 1
    assert Specialist.objects.get(pk=alice.pk).balance == 259


def test_redemption_cash_above_floor(api_client, alice):
    api_client.force_authenticate(alice.user)

    ok = api_client.post(
        "/api/me/redemptions/", {"reward": "cash", "cash_points": 100, "idempotency_key": "c1"}, format="json"
    )
    too_much = api_client.post(
        "/api/me/redemptions/", {"reward": "cash", "cash_points": 2, "idempotency_key": "c2"}, format="json"
    )

    assert ok.status_code == 201
    assert ok.json()["balance"] == 200
    assert too_much.status_code == 400
    assert list(too_much.json()) == ["cash_points"]


def test_redemption_by_exited_specialist_is_400(api_client, alice):
    Specialist.objects.filter(pk=alice.pk).update(status=S.EXITED)
    api_client.force_authenticate(alice.user)

    response = api_client.post("/api/me/redemptions/", {"reward": "office_gift", "idempotency_key": "x"}, format="json")

    assert response.status_code == 400
    assert Specialist.objects.get(pk=alice.pk).balance == 300


def test_transfer_and_repeat(api_client, alice, bob):
    api_client.force_authenticate(alice.user)
    body = {"to": bob.pk, "points": 50, "idempotency_key": "t-1"}

    first = api_client.post("/api/me/transfers/", body, format="json")
    second = api_client.post("/api/me/transfers/", body, format="json")

    assert (first.status_code, second.status_code) == (201, 201)
    assert first.json() == second.json()
    assert first.json()["balance"] == 250
    assert Specialist.objects.get(pk=bob.pk).balance == 50


def test_transfer_to_unknown_specialist_is_400(api_client, alice):
    api_client.force_authenticate(alice.user)

    response = api_client.post("/api/me/transfers/", {"to": 999999, "points": 5, "idempotency_key": "t"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["to"]


def test_exit_confirms_only_a_pending_exit(api_client, staff_user, bob):
    api_client.force_authenticate(staff_user)
    body = {"on": "2024-11-02", "decision": "2024年11月1日专员委员会会议表决通过"}

    refused = api_client.post(f"/api/specialists/{bob.pk}/exit/", body, format="json")
    Specialist.objects.filter(pk=bob.pk).update(status=S.EXIT_PENDING)
    confirmed = api_client.post(f"/api/specialists/{bob.pk}/exit/", body, format="json")

    assert refused.status_code == 400
    assert confirmed.status_code == 200
    assert confirmed.json()["status"] == "exited"
    assert confirmed.json()["exited_on"] == "2024-11-02"


def test_lifecycle_run_dry_run_changes_nothing(api_client, staff_user):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=dt.date(2023, 1, 1))
    api_client.force_authenticate(staff_user)

    response = api_client.post("/api/lifecycle/run/", {"as_of": "2024-01-01", "dry_run": True}, format="json")

    assert [(c["specialist"], c["to"]) for c in response.json()["changes"]] == [(specialist.pk, "roster")]
    assert Specialist.objects.get(pk=specialist.pk).status == S.GENERAL


def test_token_auth_works_for_my_points(api_client, alice):
    token = api_client.post("/api/auth/token/", {"username": "alice", "password": "pw-Secret-123"}, format="json")

    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token.json()['token']}")

    assert api_client.get("/api/me/points/").json()["balance"] == 300


def test_services_reject_unknown_reward(alice):
    with pytest.raises(BusinessRuleError):
        services.redemption_create(alice, reward="yacht", idempotency_key="y")


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        ("secretariat", True),
        ("service_centre", True),
        ("specialist", False),
        ("expert", False),
        ("committee", False),
        ("leadership", False),
        ("applicant", False),
        ("liaison", False),
    ],
)
def test_every_role_against_staff_lifecycle_run_and_another_specialist(api_client, bob, role, allowed):
    api_client.force_authenticate(UserFactory(roles=[role]))

    run = api_client.post("/api/lifecycle/run/", {"as_of": "2024-01-05", "dry_run": True}, format="json")
    detail = api_client.get(f"/api/specialists/{bob.pk}/")

    assert run.status_code == (200 if allowed else 403)
    assert detail.status_code == (200 if allowed else 404)
