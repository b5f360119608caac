"""Every nominations API operation against every role.

Roles: anonymous, a plain account, an applicant of unit A, an applicant of unit B, an expert of the
nomination's field (资源环境), an expert of another field (电子信息), an expert of the field who works
for unit A (a conflict of interest), and the secretariat (staff).  A unit sees only its own
nominations, an expert only the recommended ones of their field and never their own unit's; only
staff create campaigns, assign experts, rank and shortlist.  Anyone may read the published list.
"""

import pytest

from nominations import services
from nominations.enums import Field, NominationStatus
from nominations.models import Nomination
from tests.factories import UserFactory
from tests.nominations.factories import (
    FORM,
    NominationFactory,
    UnitFactory,
    applicant,
    closed_recommendation,
    expert,
    open_campaign,
)

pytestmark = pytest.mark.django_db

API = "/api/nominations"
ROLES = ["anonymous", "plain", "applicant_a", "applicant_b", "expert", "expert_other", "expert_conflict", "staff"]
SCORES = {"feasibility": 8, "advancement": 7, "originality": 9, "irreplaceability": 6, "maturity": 7, "market": 8}


@pytest.fixture
def world(staff_user):
    unit_a = UnitFactory(name="甲研究院")
    unit_b = UnitFactory(name="乙研究院")
    campaign = open_campaign()  # recommendation open; the evaluation is open too (before its deadline)
    past = closed_recommendation(year=2020)  # the shortlist is set after the recommendation deadline
    users = {
        "anonymous": None,
        "plain": UserFactory(username="plain"),
        "applicant_a": applicant(unit_a, username="applicant-a"),
        "applicant_b": applicant(unit_b, username="applicant-b"),
        "expert": expert(UnitFactory(name="丙大学"), username="expert-field"),
        "expert_other": expert(UnitFactory(name="丁大学"), username="expert-other"),
        "expert_conflict": expert(unit_a, username="expert-conflict"),
        "staff": staff_user,
    }
    field = Field.RESOURCES_ENVIRONMENT
    for name, assigned in (("expert", field), ("expert_other", Field.ELECTRONICS), ("expert_conflict", field)):
        services.expert_assign(campaign, field=assigned, username=users[name].username, actor=staff_user)
    submitted_a = NominationFactory(
        campaign=campaign, unit=unit_a, name="甲单位已推荐技术", created_by=users["applicant_a"]
    )
    draft_a = NominationFactory(
        campaign=campaign,
        unit=unit_a,
        name="甲单位草稿技术",
        field=Field.MATERIALS,
        status=NominationStatus.DRAFT,
        submitted_at=None,
        created_by=users["applicant_a"],
    )
    submitted_b = NominationFactory(
        campaign=campaign, unit=unit_b, name="乙单位已推荐技术", created_by=users["applicant_b"]
    )
    past_nomination = NominationFactory(campaign=past, unit=unit_b, name="往年技术")
    new_expert = expert(username="new-expert")
    return {
        "campaign": campaign,
        "past": past,
        "submitted_a": submitted_a,
        "draft_a": draft_a,
        "submitted_b": submitted_b,
        "past_nomination": past_nomination,
        "new_expert": new_expert,
        "users": users,
    }


def _client(api_client, world, role):
    user = world["users"][role]
    if user is not None:
        api_client.force_authenticate(user)
    return api_client


def _year(w):
    return w["campaign"].year


OPERATIONS = {
    "campaign_create": (
        "post",
        lambda w: f"{API}/campaigns/",
        lambda w: {"year": 2021, "recommendation_deadline": "2021-11-20"},
    ),
    "nominations_list": ("get", lambda w: f"{API}/campaigns/{_year(w)}/nominations/", None),
    "nomination_create": (
        "post",
        lambda w: f"{API}/campaigns/{_year(w)}/nominations/",
        lambda w: {**FORM, "field": Field.EQUIPMENT, "industries": ["0810"]},
    ),
    "submitted_a": ("get", lambda w: f"{API}/nominations/{w['submitted_a'].pk}/", None),
    "submitted_b": ("get", lambda w: f"{API}/nominations/{w['submitted_b'].pk}/", None),
    "draft_a": ("get", lambda w: f"{API}/nominations/{w['draft_a'].pk}/", None),
    "draft_a_patch": ("patch", lambda w: f"{API}/nominations/{w['draft_a'].pk}/", lambda w: {"trl": 8}),
    "draft_a_submit": ("post", lambda w: f"{API}/nominations/{w['draft_a'].pk}/submit/", None),
    "evaluate_a": ("post", lambda w: f"{API}/nominations/{w['submitted_a'].pk}/evaluations/", lambda w: SCORES),
    "evaluate_b": ("post", lambda w: f"{API}/nominations/{w['submitted_b'].pk}/evaluations/", lambda w: SCORES),
    "experts_assign": (
        "post",
        lambda w: f"{API}/campaigns/{_year(w)}/experts/",
        lambda w: {"username": "new-expert", "field": Field.MATERIALS},
    ),
    "ranking": ("get", lambda w: f"{API}/campaigns/{_year(w)}/ranking/?field=resources_environment", None),
    "shortlist": (
        "post",
        lambda w: f"{API}/campaigns/2020/shortlist/",
        lambda w: {"field": Field.RESOURCES_ENVIRONMENT, "ids": [w["past_nomination"].pk]},
    ),
    "pdf_a": ("get", lambda w: f"{API}/nominations/{w['submitted_a'].pk}/form.pdf", None),
    "published_list": ("get", lambda w: f"{API}/campaigns/2020/list/", None),
}

PDF_OK = 200  # the nominating unit and staff print it; its content is tested in test_api.py and test_documents.py
#                    anonymous plain  appl_a appl_b expert e_other e_confl staff
EXPECTED = {
    "campaign_create": (403, 403, 403, 403, 403, 403, 403, 201),
    "nominations_list": (403, 200, 200, 200, 200, 200, 200, 200),
    # Only an account with the applicant role nominates for its unit; staff are not a nominating unit.
    "nomination_create": (403, 403, 201, 201, 403, 403, 403, 403),
    "submitted_a": (403, 404, 200, 404, 200, 404, 404, 200),
    "submitted_b": (403, 404, 404, 200, 200, 404, 200, 200),
    # A draft is the unit's own until it is submitted: experts do not see it.
    "draft_a": (403, 404, 200, 404, 404, 404, 404, 200),
    "draft_a_patch": (403, 404, 200, 404, 404, 404, 404, 200),
    # Submitting is the unit's decision: staff see the draft but may not submit it for the unit.
    "draft_a_submit": (403, 404, 200, 404, 404, 404, 404, 403),
    # The unit and the staff see the nomination but are not experts of its field: 403.
    "evaluate_a": (403, 404, 403, 404, 201, 404, 404, 403),
    "evaluate_b": (403, 404, 404, 403, 201, 404, 201, 403),
    "experts_assign": (403, 403, 403, 403, 403, 403, 403, 201),
    "ranking": (403, 403, 403, 403, 403, 403, 403, 200),
    "shortlist": (403, 403, 403, 403, 403, 403, 403, 200),
    # The expert sees the nomination but the form is printed by its unit and the staff only.
    "pdf_a": (403, 404, PDF_OK, 404, 403, 404, 404, PDF_OK),
    "published_list": (200, 200, 200, 200, 200, 200, 200, 200),
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
    kwargs = {"format": "json"} if method != "get" else {}
    data = body(world) if body else None
    before = Nomination.objects.count()

    response = getattr(client, method)(path(world), data, **kwargs)

    assert response.status_code == expected, response.content[:300]
    if expected in (403, 404):
        body = response.json()
        assert set(body) <= {"detail"}, body  # the reason, never the object's data
        assert "甲单位" not in str(body) and "乙单位" not in str(body)
        assert Nomination.objects.count() == before


#                                        the campaign's nominations each role sees in the list
VISIBLE = {
    "plain": set(),
    "applicant_a": {"甲单位已推荐技术", "甲单位草稿技术"},
    "applicant_b": {"乙单位已推荐技术"},
    "expert": {"甲单位已推荐技术", "乙单位已推荐技术"},
    "expert_other": set(),
    "expert_conflict": {"乙单位已推荐技术"},
    "staff": {"甲单位已推荐技术", "甲单位草稿技术", "乙单位已推荐技术"},
}


@pytest.mark.parametrize(("role", "names"), VISIBLE.items(), ids=list(VISIBLE))
def test_the_list_shows_each_role_what_it_may_see(api_client, world, role, names):
    response = _client(api_client, world, role).get(f"{API}/campaigns/{_year(world)}/nominations/")

    assert response.status_code == 200
    assert {row["name"] for row in response.json()} == names


def test_a_unit_nominates_for_itself_whatever_it_sends(api_client, world):
    client = _client(api_client, world, "applicant_b")

    response = client.post(
        f"{API}/campaigns/{_year(world)}/nominations/",
        {**FORM, "field": Field.EQUIPMENT, "unit": "甲研究院", "recommender": "甲研究院"},
        format="json",
    )

    assert response.status_code == 201
    nomination = Nomination.objects.get(pk=response.json()["id"])
    assert (nomination.unit.name, nomination.recommender.name) == ("乙研究院", "乙研究院")


def test_an_expert_of_the_nominating_unit_cannot_score_its_nomination(api_client, world):
    """The expert from unit A does not see unit A's nomination at all (404), so cannot score it."""
    client = _client(api_client, world, "expert_conflict")

    response = client.post(f"{API}/nominations/{world['submitted_a'].pk}/evaluations/", SCORES, format="json")

    assert response.status_code == 404
    assert not world["submitted_a"].evaluations.exists()
