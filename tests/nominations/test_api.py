"""The nominations API (SPEC, API contract "Nominations"; seed 004): each operation's happy path with
exact values, and every limit of 附件 2 at its edge through the API with the Chinese message.  A
refusal is a 400 naming the field and saves nothing (rows counted before and after)."""

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from alliance.models import AuditEntry
from nominations import services
from nominations.enums import Field, NominationStatus
from nominations.models import Campaign, Evaluation, ExpertAssignment, Nomination
from tests.nominations.factories import (
    FORM,
    CampaignFactory,
    NominationFactory,
    UnitFactory,
    applicant,
    closed_recommendation,
    expert,
    open_campaign,
)

pytestmark = pytest.mark.django_db

API = "/api/nominations"
BEIJING = ZoneInfo("Asia/Shanghai")
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
SCORES = {"feasibility": 8, "advancement": 7, "originality": 9, "irreplaceability": 6, "maturity": 7, "market": 8}
BODY = {**FORM, "industries": ["0810", "101"], "pledge_accepted": True}


def _chinese(count):
    """`count` characters of Chinese text with punctuation: 矿山生态修复，…"""
    return ("矿山生态修复，绿色开采。" * (count // 12 + 1))[:count]


def _as(api_client, user):
    api_client.force_authenticate(user)
    return api_client


def _post(client, path, body, **extra):
    return client.post(path, body, format="json", **ZH, **extra)


def _rows():
    return (Nomination.objects.count(), AuditEntry.objects.count())


# ---- campaigns ---------------------------------------------------------------------------------


def test_staff_create_a_campaign_whose_other_deadlines_follow_the_seed(api_client, staff_user):
    year = timezone.localdate().year

    response = _post(
        _as(api_client, staff_user), f"{API}/campaigns/", {"year": year, "recommendation_deadline": f"{year}-11-18"}
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert {key: value for key, value in body.items() if key != "id"} == {
        "year": year,
        "title": "",
        "recommendation_deadline": f"{year}-11-18",
        "preliminary_deadline": f"{year}-11-30",
        "final_review_deadline": f"{year}-12-20",
        "publication_date": f"{year}-12-31",
        "cap_per_field": 2,
        "preselection_cap": 2,
        "shortlist_min": 25,
        "shortlist_max": 30,
        "list_size": 100,
    }
    assert Campaign.objects.get(pk=body["id"]).year == year


def test_a_campaign_with_every_deadline_given(api_client, staff_user):
    year = timezone.localdate().year
    body = {
        "year": year,
        "recommendation_deadline": f"{year}-10-10",
        "preliminary_deadline": f"{year}-10-20",
        "final_review_deadline": f"{year}-11-10",
        "publication_date": f"{year}-11-30",
        "cap_per_field": 3,
    }

    response = _post(_as(api_client, staff_user), f"{API}/campaigns/", body)

    assert response.status_code == 201
    assert response.json()["final_review_deadline"] == f"{year}-11-10"
    assert response.json()["cap_per_field"] == 3


def test_a_second_campaign_of_the_year_and_stages_out_of_order_are_refused(api_client, staff_user):
    year = timezone.localdate().year
    client = _as(api_client, staff_user)
    assert (
        _post(client, f"{API}/campaigns/", {"year": year, "recommendation_deadline": f"{year}-11-20"}).status_code
        == 201
    )

    again = _post(client, f"{API}/campaigns/", {"year": year, "recommendation_deadline": f"{year}-11-20"})
    disorder = _post(
        client,
        f"{API}/campaigns/",
        {"year": year - 1, "recommendation_deadline": f"{year - 1}-11-20", "preliminary_deadline": f"{year - 1}-11-01"},
    )

    assert again.status_code == 400
    assert again.json() == {"year": [f"{year}年度榜单工作已创建。"]}
    assert disorder.status_code == 400
    assert list(disorder.json()) == ["preliminary_deadline"]
    assert Campaign.objects.count() == 1


# ---- nominations -------------------------------------------------------------------------------


def test_an_applicant_nominates_edits_submits_and_reads_it(api_client):
    campaign = open_campaign()
    unit = UnitFactory(name="中国地质科学院矿产综合利用研究所")
    user = applicant(unit)
    client = _as(api_client, user)

    created = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", BODY)

    assert created.status_code == 201, created.json()
    body = created.json()
    nomination = Nomination.objects.get()
    assert body["id"] == nomination.pk
    assert {key: body[key] for key in (*FORM, "industries", "campaign", "unit", "recommender", "status")} == {
        **FORM,
        "industries": ["0810", "101"],
        "campaign": campaign.year,
        "unit": "中国地质科学院矿产综合利用研究所",
        "recommender": "中国地质科学院矿产综合利用研究所",
        "status": "draft",
    }
    assert body["pledge_accepted"] is True
    assert body["preselected_by"] is None

    listed = client.get(f"{API}/campaigns/{campaign.year}/nominations/")
    assert [row["id"] for row in listed.json()] == [nomination.pk]

    patched = client.patch(
        f"{API}/nominations/{nomination.pk}/", {"name": "尾矿干排与充填一体化技术", "trl": 8}, format="json"
    )
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["name"], patched.json()["trl"], patched.json()["team_intro"]) == (
        "尾矿干排与充填一体化技术",
        8,
        FORM["team_intro"],
    )

    submitted = client.post(f"{API}/nominations/{nomination.pk}/submit/")
    assert submitted.status_code == 200, submitted.json()
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["submitted_at"]

    detail = client.get(f"{API}/nominations/{nomination.pk}/")
    assert detail.status_code == 200
    assert (detail.json()["name"], detail.json()["status"]) == ("尾矿干排与充填一体化技术", "submitted")

    edit_after = client.patch(f"{API}/nominations/{nomination.pk}/", {"name": "改"}, format="json", **ZH)
    assert edit_after.status_code == 400
    assert edit_after.json() == {"detail": "只能修改草稿；该推荐材料已提交。"}


def test_the_list_query_count_does_not_grow_with_the_nominations(api_client, staff_user):
    campaign = open_campaign()
    client = _as(api_client, staff_user)
    NominationFactory.create_batch(2, campaign=campaign)
    client.get(f"{API}/campaigns/{campaign.year}/nominations/")  # the user's roles are read once, then cached
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(f"{API}/campaigns/{campaign.year}/nominations/").json()) == 2
    NominationFactory.create_batch(20, campaign=campaign)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get(f"{API}/campaigns/{campaign.year}/nominations/").json()) == 22

    assert len(many) == len(few)


def test_an_unknown_campaign_is_not_found(api_client):
    client = _as(api_client, applicant())

    assert client.get(f"{API}/campaigns/1999/nominations/").status_code == 404
    assert _post(client, f"{API}/campaigns/1999/nominations/", BODY).status_code == 404


LIMITS = [
    ("team_intro", 300, "技术团队简介"),
    ("tech_level", 500, "技术水平介绍"),
    ("benefits", 500, "技术效益介绍"),
    ("tech_level_detail", 10_000, "技术水平详细材料"),
    ("benefits_detail", 5_000, "技术效益详细材料"),
]


@pytest.mark.parametrize(("field", "limit", "label"), LIMITS)
def test_a_box_at_its_limit_is_accepted(api_client, field, limit, label):
    campaign = open_campaign()
    client = _as(api_client, applicant())

    response = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, field: _chinese(limit)})

    assert response.status_code == 201, response.json()
    assert len(response.json()[field]) == limit
    assert len(getattr(Nomination.objects.get(), field)) == limit


@pytest.mark.parametrize(("field", "limit", "label"), LIMITS)
def test_a_box_one_past_its_limit_is_refused_with_the_limit_and_the_count(api_client, field, limit, label):
    campaign = open_campaign()
    client = _as(api_client, applicant())
    before = _rows()

    response = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, field: _chinese(limit + 1)})

    assert response.status_code == 400
    assert response.json() == {field: [f"{label}不超过{limit}字，当前{limit + 1}字。"]}
    assert _rows() == before


@pytest.mark.parametrize(("field", "limit", "label"), LIMITS[:2])
def test_a_draft_edited_past_a_limit_is_refused_and_kept(api_client, field, limit, label):
    campaign = open_campaign()
    user = applicant()
    draft = NominationFactory(campaign=campaign, unit=user.profile.organisation, status=NominationStatus.DRAFT)
    before = getattr(draft, field)

    response = _as(api_client, user).patch(
        f"{API}/nominations/{draft.pk}/", {field: _chinese(limit + 1)}, format="json", **ZH
    )

    assert response.status_code == 400
    assert response.json() == {field: [f"{label}不超过{limit}字，当前{limit + 1}字。"]}
    draft.refresh_from_db()
    assert getattr(draft, field) == before


@pytest.mark.parametrize(("trl", "accepted"), [(0, False), (1, True), (9, True), (10, False)])
def test_the_technology_readiness_level_runs_from_1_to_9(api_client, trl, accepted):
    campaign = open_campaign()
    client = _as(api_client, applicant())
    before = _rows()

    response = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, "trl": trl})

    if accepted:
        assert response.status_code == 201
        assert Nomination.objects.get().trl == trl
    else:
        assert response.status_code == 400
        assert response.json() == {"trl": ["技术就绪水平应为1至9的整数。"]}
        assert _rows() == before


def test_a_third_nomination_of_a_unit_in_a_field_is_refused_naming_the_first_two(api_client):
    campaign = open_campaign()
    unit = UnitFactory(name="中国煤炭科工集团有限公司")
    client = _as(api_client, applicant(unit))
    for name in ("煤矸石充填开采技术", "矿井水深度处理技术"):
        assert _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, "name": name}).status_code == 201
    before = _rows()

    third = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, "name": "第三项技术"})

    assert third.status_code == 400
    assert third.json() == {
        "field": [
            "中国煤炭科工集团有限公司在资源环境领域已推荐2项（“煤矸石充填开采技术”、“矿井水深度处理技术”），"
            "每个单位每个领域推荐不超过2项。"
        ]
    }
    assert _rows() == before
    other_field = _post(client, f"{API}/campaigns/{campaign.year}/nominations/", {**BODY, "field": Field.MATERIALS})
    assert other_field.status_code == 201


def test_the_last_minute_of_the_deadline_day_in_beijing_is_accepted(api_client):
    campaign = CampaignFactory(year=2020)
    client = _as(api_client, applicant())

    with time_machine.travel(dt.datetime(2020, 11, 20, 23, 59, tzinfo=BEIJING), tick=False):
        created = _post(client, f"{API}/campaigns/2020/nominations/", BODY)
        submitted = client.post(f"{API}/nominations/{created.json()['id']}/submit/")

    assert created.status_code == 201
    assert submitted.status_code == 200
    assert Nomination.objects.get(campaign=campaign).status == NominationStatus.SUBMITTED


def test_half_past_midnight_after_the_deadline_in_beijing_is_refused_while_utc_is_still_on_the_deadline_day(
    api_client,
):
    CampaignFactory(year=2020)
    client = _as(api_client, applicant())
    moment = dt.datetime(2020, 11, 21, 0, 30, tzinfo=BEIJING)
    assert moment.astimezone(dt.UTC).date() == dt.date(2020, 11, 20)
    before = _rows()

    with time_machine.travel(moment, tick=False):
        response = _post(client, f"{API}/campaigns/2020/nominations/", BODY)

    assert response.status_code == 400
    assert response.json() == {"detail": "推荐截止日期（2020年11月20日）已过，不能再填报或提交推荐材料。"}
    assert _rows() == before


def test_a_draft_is_not_submitted_after_the_deadline(api_client):
    CampaignFactory(year=2020)
    user = applicant()
    client = _as(api_client, user)
    with time_machine.travel(dt.datetime(2020, 11, 20, 9, 0, tzinfo=BEIJING), tick=False):
        draft_id = _post(client, f"{API}/campaigns/2020/nominations/", BODY).json()["id"]

    with time_machine.travel(dt.datetime(2020, 11, 21, 0, 30, tzinfo=BEIJING), tick=False):
        response = client.post(f"{API}/nominations/{draft_id}/submit/", **ZH)

    assert response.status_code == 400
    assert "2020年11月20日" in response.json()["detail"]
    assert Nomination.objects.get().status == NominationStatus.DRAFT


def test_a_missing_required_box_and_an_unknown_industry_are_refused(api_client):
    campaign = open_campaign()
    client = _as(api_client, applicant())
    path = f"{API}/campaigns/{campaign.year}/nominations/"
    before = _rows()

    no_trl = _post(client, path, {key: value for key, value in BODY.items() if key != "trl"})
    bad_code = _post(client, path, {**BODY, "industries": ["9999"]})
    bad_type = _post(client, path, {**BODY, "project_type": "basic"})

    assert no_trl.status_code == 400 and list(no_trl.json()) == ["trl"]
    assert bad_code.status_code == 400
    assert bad_code.json() == {"industries": ["以下代码不在GB/T 4754-2017中：9999。"]}
    assert bad_type.status_code == 400 and list(bad_type.json()) == ["project_type"]
    assert _rows() == before


# ---- the preliminary evaluation ----------------------------------------------------------------


@pytest.fixture
def scoring(staff_user):
    """A campaign in its preliminary evaluation with a nomination of 资源环境 and its expert."""
    campaign = closed_recommendation(year=2020)
    nomination = NominationFactory(campaign=campaign, name="矿山生态修复技术")
    reviewer = expert(username="zhuanjia")
    services.expert_assign(campaign, field=nomination.field, username="zhuanjia", actor=staff_user)
    return campaign, nomination, reviewer


def test_staff_assign_an_expert_to_a_field(api_client, staff_user):
    campaign = closed_recommendation(year=2020)
    expert(username="wangjiaoshou")

    response = _post(
        _as(api_client, staff_user),
        f"{API}/campaigns/2020/experts/",
        {"username": "wangjiaoshou", "field": Field.ELECTRONICS},
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["campaign"], body["field"], body["username"]) == (2020, "electronics", "wangjiaoshou")
    assignment = ExpertAssignment.objects.get()
    assert (assignment.campaign, assignment.field, assignment.expert.username) == (
        campaign,
        "electronics",
        "wangjiaoshou",
    )

    again = _post(
        api_client, f"{API}/campaigns/2020/experts/", {"username": "wangjiaoshou", "field": Field.ELECTRONICS}
    )
    assert again.status_code == 400 and list(again.json()) == ["username"]
    assert ExpertAssignment.objects.count() == 1


def test_an_expert_scores_and_then_replaces_their_scores(api_client, scoring):
    _campaign, nomination, reviewer = scoring
    client = _as(api_client, reviewer)

    first = _post(client, f"{API}/nominations/{nomination.pk}/evaluations/", SCORES)

    assert first.status_code == 201, first.json()
    assert {key: first.json()[key] for key in (*SCORES, "total", "nomination", "expert")} == {
        **SCORES,
        "total": 45,
        "nomination": nomination.pk,
        "expert": "zhuanjia",
    }

    second = _post(client, f"{API}/nominations/{nomination.pk}/evaluations/", {**SCORES, "market": 10})

    assert second.status_code == 201
    assert second.json()["total"] == 47
    assert second.json()["id"] == first.json()["id"]
    evaluation = Evaluation.objects.get()
    assert (evaluation.market, evaluation.total) == (10, 47)


@pytest.mark.parametrize(("score", "accepted"), [(-1, False), (0, True), (10, True), (11, False)])
def test_each_score_runs_from_0_to_10(api_client, scoring, score, accepted):
    _campaign, nomination, reviewer = scoring

    response = _post(
        _as(api_client, reviewer), f"{API}/nominations/{nomination.pk}/evaluations/", {**SCORES, "feasibility": score}
    )

    if accepted:
        assert response.status_code == 201
        assert Evaluation.objects.get().feasibility == score
    else:
        assert response.status_code == 400
        assert response.json() == {"feasibility": ["“可行性”评分应为0至10的整数。"]}
        assert not Evaluation.objects.exists()


def test_scores_are_not_changed_after_the_preliminary_deadline_in_beijing(api_client, staff_user):
    campaign = CampaignFactory(year=2020)  # preliminary evaluation until 2020-11-30
    nomination = NominationFactory(campaign=campaign)
    reviewer = expert(username="zhuanjia")
    services.expert_assign(campaign, field=nomination.field, username="zhuanjia", actor=staff_user)
    client = _as(api_client, reviewer)
    path = f"{API}/nominations/{nomination.pk}/evaluations/"

    with time_machine.travel(dt.datetime(2020, 11, 30, 23, 59, tzinfo=BEIJING), tick=False):
        assert _post(client, path, SCORES).status_code == 201
    with time_machine.travel(dt.datetime(2020, 12, 1, 0, 30, tzinfo=BEIJING), tick=False):
        late = _post(client, path, {**SCORES, "market": 0})

    assert late.status_code == 400
    assert "2020年11月30日" in late.json()["detail"]
    assert Evaluation.objects.get().market == SCORES["market"]


# ---- ranking, shortlist and the published list -------------------------------------------------


def _score(nomination, reviewer, total_of_six):
    """Scores whose sum is `total_of_six` (at most 60)."""
    values, left = {}, total_of_six
    for code in SCORES:
        values[code] = min(10, left)
        left -= values[code]
    return services.evaluation_save(nomination, expert=reviewer, scores=values)


def test_the_ranking_puts_the_best_mean_first(api_client, staff_user):
    campaign = closed_recommendation(year=2020)
    experts = [expert(username=f"zj{i}") for i in range(2)]
    for reviewer in experts:
        services.expert_assign(
            campaign, field=Field.RESOURCES_ENVIRONMENT, username=reviewer.username, actor=staff_user
        )
    low = NominationFactory(campaign=campaign, name="甲技术", unit=UnitFactory(name="甲单位"))
    high = NominationFactory(campaign=campaign, name="乙技术", unit=UnitFactory(name="乙单位"))
    unscored = NominationFactory(campaign=campaign, name="丙技术", unit=UnitFactory(name="丙单位"))
    NominationFactory(campaign=campaign, field=Field.ELECTRONICS)  # another field
    _score(low, experts[0], 40)
    _score(low, experts[1], 43)
    _score(high, experts[0], 55)

    response = _as(api_client, staff_user).get(f"{API}/campaigns/2020/ranking/", {"field": "resources_environment"})

    assert response.status_code == 200
    assert [{key: row[key] for key in ("id", "name", "unit", "mean", "evaluations")} for row in response.json()] == [
        {"id": high.pk, "name": "乙技术", "unit": "乙单位", "mean": 55.0, "evaluations": 1},
        {"id": low.pk, "name": "甲技术", "unit": "甲单位", "mean": 41.5, "evaluations": 2},
        {"id": unscored.pk, "name": "丙技术", "unit": "丙单位", "mean": None, "evaluations": 0},
    ]


def test_the_ranking_needs_a_field(api_client, staff_user):
    closed_recommendation(year=2020)

    response = _as(api_client, staff_user).get(f"{API}/campaigns/2020/ranking/", {"field": "mining"})

    assert response.status_code == 400
    assert list(response.json()) == ["field"]


def _ranking_queries(client, campaign, count, staff_user, reviewers):
    for _ in range(count):
        nomination = NominationFactory(campaign=campaign)
        for reviewer in reviewers:
            _score(nomination, reviewer, 42)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"{API}/campaigns/2020/ranking/", {"field": "resources_environment"})
    assert response.status_code == 200
    return len(response.json()), len(queries)


def test_the_ranking_takes_as_many_queries_for_30_nominations_as_for_3(api_client, staff_user):
    campaign = closed_recommendation(year=2020)
    reviewers = [expert(username=f"zj{i}") for i in range(3)]
    for reviewer in reviewers:
        services.expert_assign(
            campaign, field=Field.RESOURCES_ENVIRONMENT, username=reviewer.username, actor=staff_user
        )
    client = _as(api_client, staff_user)
    client.get(f"{API}/campaigns/2020/ranking/", {"field": "resources_environment"})  # roles cached

    rows_3, queries_3 = _ranking_queries(client, campaign, 3, staff_user, reviewers)
    rows_30, queries_30 = _ranking_queries(client, campaign, 27, staff_user, reviewers)

    assert (rows_3, rows_30) == (3, 30)
    assert queries_30 == queries_3
    assert queries_3 <= 3


def test_staff_set_a_shortlist_of_25_in_order(api_client, staff_user):
    campaign = closed_recommendation(year=2020)
    nominations = NominationFactory.create_batch(26, campaign=campaign)
    ids = [n.pk for n in reversed(nominations[1:])]

    response = _post(
        _as(api_client, staff_user), f"{API}/campaigns/2020/shortlist/", {"field": "resources_environment", "ids": ids}
    )

    assert response.status_code == 200, response.json()
    assert [row["id"] for row in response.json()] == ids
    assert [row["shortlist_rank"] for row in response.json()] == list(range(1, 26))
    assert {row["status"] for row in response.json()} == {"shortlisted"}
    nominations[0].refresh_from_db()
    assert nominations[0].status == NominationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("available", "chosen", "message"),
    [
        (26, 24, "每个技术领域报送不少于25项，当前选择24项。"),
        (31, 31, "每个技术领域报送不超过30项，当前选择31项。"),
    ],
)
def test_a_shortlist_outside_25_to_30_is_refused(api_client, staff_user, available, chosen, message):
    campaign = closed_recommendation(year=2020)
    ids = [n.pk for n in NominationFactory.create_batch(available, campaign=campaign)][:chosen]

    response = _post(
        _as(api_client, staff_user), f"{API}/campaigns/2020/shortlist/", {"field": "resources_environment", "ids": ids}
    )

    assert response.status_code == 400
    assert response.json() == {"ids": [message]}
    assert not Nomination.objects.filter(status=NominationStatus.SHORTLISTED).exists()


def test_a_field_with_fewer_than_25_sends_every_nomination(api_client, staff_user):
    campaign = closed_recommendation(year=2020)
    ids = [n.pk for n in NominationFactory.create_batch(3, campaign=campaign)]
    client = _as(api_client, staff_user)
    path = f"{API}/campaigns/2020/shortlist/"

    short = _post(client, path, {"field": "resources_environment", "ids": ids[:2]})

    assert short.status_code == 400
    assert short.json() == {"ids": ["资源环境领域共推荐3项，不足25项，应全部报送；当前选择2项。"]}
    assert not Nomination.objects.filter(status=NominationStatus.SHORTLISTED).exists()

    complete = _post(client, path, {"field": "resources_environment", "ids": ids})

    assert complete.status_code == 200
    assert [row["id"] for row in complete.json()] == ids
    assert [row["shortlist_rank"] for row in complete.json()] == [1, 2, 3]


def test_the_published_list_shows_names_fields_and_units_without_scores(api_client, staff_user):
    campaign = CampaignFactory(year=2020)
    first = NominationFactory(
        campaign=campaign,
        name="智能矿山技术",
        status=NominationStatus.SHORTLISTED,
        shortlist_rank=1,
        unit=UnitFactory(name="甲研究院"),
    )
    second = NominationFactory(
        campaign=campaign,
        name="新型储能材料",
        field=Field.MATERIALS,
        status=NominationStatus.SHORTLISTED,
        shortlist_rank=1,
        unit=UnitFactory(name="乙研究院"),
    )
    NominationFactory(campaign=campaign, status=NominationStatus.SHORTLISTED, shortlist_rank=2)
    services.publish(campaign, ids=[second.pk, first.pk], actor=staff_user)

    response = api_client.get(f"{API}/campaigns/2020/list/")  # no login

    assert response.status_code == 200
    assert response.json() == [
        {"position": 1, "name": "新型储能材料", "field": "materials", "unit": "乙研究院"},
        {"position": 2, "name": "智能矿山技术", "field": "resources_environment", "unit": "甲研究院"},
    ]


def test_the_published_list_is_empty_before_publication(api_client):
    closed_recommendation(year=2020)

    assert api_client.get(f"{API}/campaigns/2020/list/").json() == []


# ---- the form as a PDF -------------------------------------------------------------------------


def test_the_nominating_unit_downloads_the_form_as_a_pdf(api_client):
    campaign = open_campaign()
    user = applicant()
    nomination = NominationFactory(campaign=campaign, unit=user.profile.organisation, name="矿山生态修复技术")

    response = _as(api_client, user).get(f"{API}/nominations/{nomination.pk}/form.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    assert quote("先导技术推荐表-矿山生态修复技术.pdf") in response["Content-Disposition"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "矿山生态修复技术" in text


def test_the_mean_is_a_number_out_of_60(api_client, staff_user, scoring):
    _campaign, nomination, reviewer = scoring
    _score(nomination, reviewer, 60)

    row = _as(api_client, staff_user).get(f"{API}/campaigns/2020/ranking/", {"field": nomination.field}).json()[0]

    assert Decimal(str(row["mean"])) == Decimal("60")


def test_numbers_past_the_database_range_are_not_found(api_client, staff_user):
    client = _as(api_client, staff_user)

    assert client.get(f"{API}/nominations/{2**63}/").status_code == 404
    assert client.get(f"{API}/campaigns/{2**40}/nominations/").status_code == 404
    assert api_client.get(f"{API}/campaigns/99999/list/").status_code == 404


def test_a_member_unit_puts_its_technology_forward_to_a_society(api_client):
    campaign = open_campaign()
    UnitFactory(name="中国地质学会")
    client = _as(api_client, applicant(UnitFactory(name="某矿业公司")))
    path = f"{API}/campaigns/{campaign.year}/nominations/"

    response = _post(client, path, {**BODY, "preselected_by": "中国地质学会"})
    unknown = _post(client, path, {**BODY, "preselected_by": "不存在的学会"})

    assert response.status_code == 201, response.json()
    assert (response.json()["unit"], response.json()["preselected_by"]) == ("某矿业公司", "中国地质学会")
    assert unknown.status_code == 400
    assert list(unknown.json()) == ["preselected_by"]
    assert Nomination.objects.count() == 1
