"""Bad input to the green-mine list endpoints: 400 naming the field and the item, never a 500.

Messages are asserted as users see them, in Chinese ("第 2 项：" = "Item 2: ")."""

import pytest

from greenmine.models import ExpertScore, PrerequisiteCheck
from tests.greenmine import factories as gm

pytestmark = pytest.mark.django_db

BASE = "/api/greenmine/assessments/"
GOOD_PREREQUISITE = {"code": "licences", "passed": True, "record": "证照齐全"}


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def draft(staff_user, alice):
    a = gm.assessment(staff_user)
    gm.assign(a, staff_user, alice)
    return a


@pytest.fixture
def scoring(draft, staff_user):
    gm.pass_prerequisites(draft, staff_user)
    return draft


def test_prerequisites_bad_item_after_the_first_is_400_naming_item_and_field(api_client, staff_user, draft):
    body = [GOOD_PREREQUISITE, {"code": "no_penalties", "passed": "perhaps", "record": "核查"}]

    response = as_user(api_client, staff_user).put(f"{BASE}{draft.pk}/prerequisites/", body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["items"][0] == {}
    assert list(errors["items"][1]) == ["passed"]
    assert errors["passed"][0].startswith("第 2 项：")
    assert not PrerequisiteCheck.objects.filter(assessment=draft).exists()


def test_prerequisites_bad_first_item_names_the_field_not_a_generic_message(api_client, staff_user, draft):
    body = [{"code": "licences", "passed": "perhaps", "record": "x"}, GOOD_PREREQUISITE | {"code": "no_penalties"}]

    response = as_user(api_client, staff_user).put(f"{BASE}{draft.pk}/prerequisites/", body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["passed"][0].startswith("第 1 项：")
    assert list(errors["items"][0]) == ["passed"]
    assert errors["items"][1] == {}


def test_prerequisites_every_bad_item_is_reported_at_once(api_client, staff_user, draft):
    body = [
        {"code": "bogus", "passed": True, "record": "x"},
        GOOD_PREREQUISITE,
        {"code": "no_penalties", "passed": True, "record": "  "},
        GOOD_PREREQUISITE,
    ]

    response = as_user(api_client, staff_user).put(f"{BASE}{draft.pk}/prerequisites/", body, format="json")

    assert response.status_code == 400
    items = response.json()["items"]
    assert [sorted(item) for item in items] == [["code"], [], ["record"], ["code"]]
    assert "bogus" in items[0]["code"][0]
    assert "重复出现" in items[3]["code"][0]  # listed twice
    assert not PrerequisiteCheck.objects.filter(assessment=draft).exists()


def test_prerequisites_item_that_is_not_an_object_is_400(api_client, staff_user, draft):
    response = as_user(api_client, staff_user).put(
        f"{BASE}{draft.pk}/prerequisites/", [GOOD_PREREQUISITE, 5], format="json"
    )

    assert response.status_code == 400
    assert response.json()["items"][0] == {}
    assert "non_field_errors" in response.json()["items"][1]


def test_scores_bad_item_after_the_first_is_400_naming_item_and_field(api_client, alice, scoring):
    body = [{"number": 2, "score": 2, "record": "配套设施齐全"}, {"number": "x", "score": 1, "record": "x"}]

    response = as_user(api_client, alice).put(f"{BASE}{scoring.pk}/scores/", body, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert errors["items"][0] == {}
    assert list(errors["items"][1]) == ["number"]
    assert errors["number"][0].startswith("第 2 项：")
    assert not ExpertScore.objects.exists()


def test_scores_every_bad_item_is_reported_with_its_indicator(api_client, alice, scoring):
    body = [
        {"number": 1, "score": 0.7, "record": "x"},  # not on the 0.5 / 1.5 grid
        {"number": 2, "score": 2, "record": "配套设施齐全"},
        {"number": 7, "not_applicable": True, "record": "x"},  # no reason
    ]

    response = as_user(api_client, alice).put(f"{BASE}{scoring.pk}/scores/", body, format="json")

    assert response.status_code == 400
    items = response.json()["items"]
    assert [sorted(item) for item in items] == [["score"], [], ["reason"]]
    assert items[0]["score"][0].startswith("指标 1（功能分区）：按该指标的评分标准不可能得到 0.7 分")
    assert items[2]["reason"][0] == "指标 7（绿化效果）：请说明不涉及的判定依据和理由。"
    assert not ExpertScore.objects.exists()


def test_scores_number_out_of_range_is_400_not_500(api_client, alice, scoring):
    body = [{"number": 3_000_000_000, "score": 1, "record": "x"}]

    response = as_user(api_client, alice).put(f"{BASE}{scoring.pk}/scores/", body, format="json")

    assert response.status_code == 400
    assert "number" in response.json()["items"][0]


def test_site_visit_in_year_one_or_in_the_future_is_refused(api_client, staff_user, draft):
    base = {"visitors": "秘书处", "location": "采场", "observations": "边坡稳定"}
    client = as_user(api_client, staff_user)

    old = client.post(f"{BASE}{draft.pk}/site-visits/", base | {"visited_on": "0001-01-01"}, format="json")
    future = client.post(f"{BASE}{draft.pk}/site-visits/", base | {"visited_on": "9999-12-31"}, format="json")

    assert (old.status_code, list(old.json())) == (400, ["visited_on"])
    assert (future.status_code, list(future.json())) == (400, ["visited_on"])
    assert not draft.site_visits.exists()


def as_user(api_client, user):
    api_client.force_authenticate(user)
    return api_client
