"""The nominations pages (/nominations/): the user's overview, the 推荐表 form and its submission, reading a
nomination, the experts' scoring, the secretariat's ranking and shortlist, and the public list.

Alice nominates for 中国地质科学院; Bob for another unit; Erin is an expert of 资源环境, Frank of 电子信息;
Grace an expert of 资源环境 who works at Alice's unit (a conflict of interest).  The pages' Chinese comes
from /work/notes/po/f.po (merged by the lead).
"""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from nominations import services
from nominations.enums import CRITERION_CODES, Field, NominationStatus
from nominations.models import Evaluation, Nomination
from tests.alliance.test_admin_chinese import english_words
from tests.factories import UserFactory
from tests.nominations.factories import (
    FORM,
    CampaignFactory,
    NominationFactory,
    UnitFactory,
    closed_recommendation,
    expert,
)

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}
SCORES = dict(zip(CRITERION_CODES, (8, 7, 9, 6, 7, 8), strict=True))


# ---- people and data ------------------------------------------------------------------------------


@pytest.fixture
def grace(campaign, staff_user, unit):
    """An expert of the field who is also an account of Alice's unit."""
    user = UserFactory(username="grace", name="周格", roles=["expert", "applicant"], organisation=unit)
    services.expert_assign(campaign, field=Field.RESOURCES_ENVIRONMENT, username=user.username, actor=staff_user)
    return user


@pytest.fixture
def draft(campaign, alice):
    return services.nomination_create(campaign, user=alice, industries=["0810", "101"], pledge_accepted=True, **FORM)


@pytest.fixture
def submitted(draft, alice):
    return services.nomination_submit(draft, user=alice)


def as_user(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def chinese(response, *own):
    """No English word on the page but the allowed ones and the given account names (the language switch
    names English in English, as test_portal_chinese allows)."""
    own = {"English", *own}
    words = [w for w in english_words(response.content) if w not in own and not re.fullmatch("[A-Z]{2,4}", w)]
    assert words == [], words


def form_data(**changes):
    data = {key: str(value) for key, value in FORM.items()}
    data["industries"] = ["0810", "101"]
    data["pledge_accepted"] = "on"
    data["action"] = "save"
    data.update(changes)
    return data


def text_of(response):
    return response.content.decode()


# ---- who reaches what -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/nominations/", "/nominations/{year}/new/", "/nominations/n/{pk}/", "/nominations/{year}/ranking/"]
)
def test_pages_send_an_anonymous_visitor_to_the_login(path, campaign, draft):
    response = as_user(None).get(path.format(year=campaign.year, pk=draft.pk))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_overview_shows_the_unit_its_nominations_in_chinese(alice, draft):
    response = as_user(alice).get("/nominations/", **ZH)

    assert response.status_code == 200
    body = text_of(response)
    assert FORM["name"] in body and "草稿" in body
    assert f"/nominations/n/{draft.pk}/edit/" in body
    assert f"/nominations/n/{draft.pk}/form.pdf" in body
    assert f"/nominations/{draft.campaign.year}/new/" in body
    chinese(response, "alice")


def test_the_overview_shows_an_expert_what_is_left_to_score(erin, submitted):
    response = as_user(erin).get("/nominations/", **ZH)

    assert response.status_code == 200
    body = text_of(response)
    assert "资源环境" in body and FORM["name"] in body
    assert f"/nominations/n/{submitted.pk}/evaluate/" in body
    chinese(response, "erin")


def test_the_overview_shows_staff_the_campaigns_with_counts_and_rankings(staff_client, staff_user, submitted):
    response = staff_client.get("/nominations/", **ZH)

    assert response.status_code == 200
    body = text_of(response)
    year = submitted.campaign.year
    assert f"/nominations/{year}/ranking/?field=resources_environment" in body
    chinese(response, "user")  # the factory's account name


def test_another_units_applicant_gets_404_for_a_nomination(bob, draft):
    client = as_user(bob)

    for suffix in ("", "edit/", "submit/", "evaluate/", "form.pdf"):
        assert client.get(f"/nominations/n/{draft.pk}/{suffix}").status_code == 404, suffix


def test_an_expert_of_another_field_gets_404(frank, submitted):
    client = as_user(frank)

    assert client.get(f"/nominations/n/{submitted.pk}/").status_code == 404
    assert client.get(f"/nominations/n/{submitted.pk}/evaluate/").status_code == 404


def test_the_nomination_reads_for_its_unit_staff_and_its_fields_expert(alice, erin, staff_client, submitted):
    for client in (as_user(alice), as_user(erin), staff_client):
        response = client.get(f"/nominations/n/{submitted.pk}/", **ZH)
        assert response.status_code == 200
        assert "0810" in text_of(response) and "已推荐" in text_of(response)
    chinese(as_user(alice).get(f"/nominations/n/{submitted.pk}/", **ZH), "alice")
    # The PDF link is the unit's and staff's; the expert scores instead.
    assert f"/nominations/n/{submitted.pk}/form.pdf" in text_of(as_user(alice).get(f"/nominations/n/{submitted.pk}/"))
    expert_page = text_of(as_user(erin).get(f"/nominations/n/{submitted.pk}/"))
    assert "form.pdf" not in expert_page and f"/nominations/n/{submitted.pk}/evaluate/" in expert_page


def test_an_expert_cannot_open_the_form(erin, campaign):
    response = as_user(erin).get(f"/nominations/{campaign.year}/new/", **ZH)

    assert response.status_code == 403
    assert "申报" in text_of(response) or "推荐" in text_of(response)


# ---- the form -----------------------------------------------------------------------------------------


def test_the_form_shows_every_box_with_codes_levels_and_counters(alice, campaign):
    response = as_user(alice).get(f"/nominations/{campaign.year}/new/", **ZH)

    assert response.status_code == 200
    body = text_of(response)
    for name in (*services.FORM_FIELDS, "industries", "pledge_accepted"):
        assert f'name="{name}"' in body, name
    assert 'value="0810"' in body and 'value="101"' in body  # a class and a group
    assert 'value="08"' not in body  # divisions are not chosen
    assert "发现基本原理或看到基本原理的报道" in body and "规模化生产、应用，取得经济效益" in body
    assert 'data-limit="300"' in body and 'data-limit="10000"' in body and 'data-limit="5000"' in body
    assert "maxlength" not in re.search(r"<textarea[^>]*name=\"team_intro\"[^>]*>", body).group(0)
    assert "js/nominations.js" in body and "<script>" not in body
    chinese(response, "alice")


def test_saving_the_form_makes_a_draft(alice, campaign):
    response = as_user(alice).post(f"/nominations/{campaign.year}/new/", form_data(), **ZH)

    nomination = Nomination.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/nominations/n/{nomination.pk}/edit/"
    assert nomination.status == NominationStatus.DRAFT and nomination.pledge_accepted
    assert sorted(nomination.industries.values_list("code", flat=True)) == ["0810", "101"]


def test_a_team_introduction_of_301_characters_is_refused_with_the_input_kept(alice, campaign):
    too_long = "矿" * 300 + "山"

    response = as_user(alice).post(f"/nominations/{campaign.year}/new/", form_data(team_intro=too_long), **ZH)

    assert response.status_code == 400
    assert not Nomination.objects.exists()
    body = text_of(response)
    assert "技术团队简介不超过300字，当前301字。" in body
    assert too_long in body  # kept in its box
    assert 'value="0810" checked' in body  # and the codes ticked


def test_a_team_introduction_of_300_characters_with_line_breaks_is_accepted(alice, draft):
    exact = "矿" * 149 + "\r\n" + "山" * 150  # a line break is one character, as a person counts

    response = as_user(alice).post(f"/nominations/n/{draft.pk}/edit/", form_data(team_intro=exact), **ZH)

    assert response.status_code == 302
    draft.refresh_from_db()
    assert services.char_count(draft.team_intro) == 300


def test_an_unknown_industry_code_is_refused_on_its_box(alice, draft):
    response = as_user(alice).post(f"/nominations/n/{draft.pk}/edit/", form_data(industries=["9999"]), **ZH)

    assert response.status_code == 400
    assert "9999" in re.search(r'id="field-industries".*?</ul>', text_of(response), re.S).group(0)


def test_after_the_deadline_the_form_says_so_and_refuses(alice):
    past = closed_recommendation(year=2020)
    deadline = past.recommendation_deadline
    date = f"{deadline.year}年{deadline.month}月{deadline.day}日"

    page = as_user(alice).get("/nominations/2020/new/", **ZH)
    refused = as_user(alice).post("/nominations/2020/new/", form_data(), **ZH)

    assert page.status_code == 200 and date in text_of(page)
    assert 'id="save-draft" disabled' in text_of(page)
    assert refused.status_code == 400 and date in text_of(refused)
    assert not Nomination.objects.exists()


def test_submitting_goes_through_a_confirmation(alice, draft):
    client = as_user(alice)

    step = client.post(f"/nominations/n/{draft.pk}/edit/", form_data(action="submit"), **ZH)
    confirm = client.get(f"/nominations/n/{draft.pk}/submit/", **ZH)
    done = client.post(f"/nominations/n/{draft.pk}/submit/", **ZH)

    assert step.status_code == 302 and step["Location"] == f"/nominations/n/{draft.pk}/submit/"
    assert confirm.status_code == 200 and 'id="confirm-submit"' in text_of(confirm)
    chinese(confirm, "alice")
    assert done.status_code == 302
    draft.refresh_from_db()
    assert draft.status == NominationStatus.SUBMITTED
    assert client.get(f"/nominations/n/{draft.pk}/edit/").status_code == 302  # no longer changed


def test_submitting_without_the_pledge_shows_the_form_with_the_message_on_the_pledge(alice, draft):
    client = as_user(alice)
    client.post(f"/nominations/n/{draft.pk}/edit/", form_data(pledge_accepted=""))

    response = client.post(f"/nominations/n/{draft.pk}/submit/", **ZH)

    assert response.status_code == 400
    assert re.search(r'id="field-pledge_accepted".*?errorlist', text_of(response), re.S)
    draft.refresh_from_db()
    assert draft.status == NominationStatus.DRAFT


# ---- the experts' scores ------------------------------------------------------------------------------


def test_an_expert_scores_the_six_dimensions(erin, submitted):
    client = as_user(erin)

    page = client.get(f"/nominations/n/{submitted.pk}/evaluate/", **ZH)
    response = client.post(f"/nominations/n/{submitted.pk}/evaluate/", SCORES, **ZH)

    assert page.status_code == 200 and "可行性" in text_of(page) and "市场前景" in text_of(page)
    chinese(page, "erin")
    assert response.status_code == 302
    assert Evaluation.objects.get(nomination=submitted, expert=erin).total == 45


def test_a_score_above_10_is_refused_with_the_input_kept(erin, submitted):
    response = as_user(erin).post(f"/nominations/n/{submitted.pk}/evaluate/", {**SCORES, "market": "11"}, **ZH)

    assert response.status_code == 400
    assert 'value="11"' in text_of(response)
    assert not Evaluation.objects.exists()


def test_an_expert_of_the_nominating_unit_is_refused_with_the_conflict(grace, submitted):
    page = as_user(grace).get(f"/nominations/n/{submitted.pk}/evaluate/", **ZH)
    response = as_user(grace).post(f"/nominations/n/{submitted.pk}/evaluate/", SCORES, **ZH)

    assert page.status_code == 403 and 'name="feasibility"' not in text_of(page)
    assert response.status_code == 403
    assert "中国地质科学院矿产综合利用研究所" in text_of(response)
    assert not Evaluation.objects.exists()


# ---- the ranking and the shortlist --------------------------------------------------------------------


def _field_with(campaign, staff, n, experts=3):
    reviewers = [expert(UnitFactory(), username=f"r{n}x{i}") for i in range(experts)]
    for reviewer in reviewers:
        services.expert_assign(campaign, field=Field.RESOURCES_ENVIRONMENT, username=reviewer.username, actor=staff)
    nominations = NominationFactory.create_batch(n, campaign=campaign)
    Evaluation.objects.bulk_create(
        Evaluation(nomination=nomination, expert=reviewer, **SCORES, total=45)
        for nomination in nominations
        for reviewer in reviewers
    )
    return nominations


@pytest.fixture
def past(staff_user):
    return closed_recommendation(year=2020)


def test_the_ranking_reads_in_chinese_for_staff_only(staff_client, past, staff_user, alice, erin):
    _field_with(past, staff_user, 3)

    response = staff_client.get("/nominations/2020/ranking/?field=resources_environment", **ZH)

    assert response.status_code == 200
    assert response.content.decode().count('name="ids"') == 3
    chinese(response, "user")
    assert as_user(alice).get("/nominations/2020/ranking/").status_code == 403
    assert as_user(erin).get("/nominations/2020/ranking/").status_code == 403


def test_the_ranking_takes_the_same_queries_for_3_and_30_nominations(
    staff_client, staff_user, django_assert_max_num_queries
):
    small, large = closed_recommendation(year=2019), closed_recommendation(year=2020)
    _field_with(small, staff_user, 3)
    _field_with(large, staff_user, 30, experts=5)
    small_url = "/nominations/2019/ranking/?field=resources_environment"
    large_url = "/nominations/2020/ranking/?field=resources_environment"

    # Computed (the first read of each field's ranking): the same queries at 3 and at 30.
    with django_assert_max_num_queries(8) as few:  # session, user, roles, campaign, ranking
        staff_client.get(small_url)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = staff_client.get(large_url)
    # From the cache (nominations.caching): the ranking's query over the evaluations is not made again.
    with django_assert_max_num_queries(len(few.captured_queries)) as cached:
        staff_client.get(small_url)
    with django_assert_max_num_queries(len(cached.captured_queries)):
        staff_client.get(large_url)
    assert any("nominations_evaluation" in q["sql"] for q in few.captured_queries)
    assert not any("nominations_evaluation" in q["sql"] for q in cached.captured_queries)

    assert response.content.decode().count('name="ids"') == 30


def test_a_saved_score_and_a_shortlist_change_the_ranking_at_once(
    staff_client, staff_user, past, django_capture_on_commit_callbacks
):
    """The ranking's cache version changes when the writing transaction commits."""
    nominations = _field_with(past, staff_user, 30)
    url = "/nominations/2020/ranking/?field=resources_environment"
    staff_client.get(url)  # cached now

    with django_capture_on_commit_callbacks(execute=True):
        saved = staff_client.post(url, {"field": "resources_environment", "ids": [n.pk for n in nominations[:25]]})
    assert saved.status_code == 302, saved.content.decode()[-2000:]

    html = staff_client.get(url, **ZH).content.decode()
    assert html.count("入围第") == 25

    last = nominations[-1]
    reviewer = Evaluation.objects.filter(nomination=last).first().expert
    top = dict.fromkeys(SCORES, 10)
    with django_capture_on_commit_callbacks(execute=True):
        services.evaluation_save(last, expert=reviewer, scores=top)

    html = staff_client.get(url, **ZH).content.decode()
    assert html.index(f'id="row-{last.pk}"') < html.index(f'id="row-{nominations[0].pk}"')


def test_a_shortlist_of_the_wrong_size_is_refused_with_the_rule(staff_client, staff_user, past):
    nominations = _field_with(past, staff_user, 30)

    response = staff_client.post(
        "/nominations/2020/ranking/",
        {"field": "resources_environment", "ids": [n.pk for n in nominations[:20]]},
        **ZH,
    )

    assert response.status_code == 400
    assert "25" in re.search(r'id="shortlist-error">(.*?)<', text_of(response)).group(1)
    assert not Nomination.objects.filter(status=NominationStatus.SHORTLISTED).exists()


def test_the_top_30_are_ticked_and_saved_as_the_shortlist(staff_client, staff_user, past):
    nominations = _field_with(past, staff_user, 32)
    page = staff_client.get("/nominations/2020/ranking/?field=resources_environment")
    ticked = re.findall(r'name="ids" value="(\d+)"[^>]*checked', text_of(page))

    response = staff_client.post("/nominations/2020/ranking/", {"field": "resources_environment", "ids": ticked})

    assert len(ticked) == 30
    assert response.status_code == 302
    assert Nomination.objects.filter(status=NominationStatus.SHORTLISTED).count() == 30
    assert len(nominations) == 32


# ---- the published list (public) ---------------------------------------------------------------------


def test_the_published_list_is_public_and_chinese(staff_user):
    year = timezone.localdate().year - 1
    past = CampaignFactory(
        year=year,
        recommendation_deadline=dt.date(year, 1, 10),
        preliminary_deadline=dt.date(year, 1, 20),
        final_review_deadline=dt.date(year, 1, 30),
        publication_date=dt.date(year, 2, 10),
    )
    chosen = NominationFactory(
        campaign=past, status=NominationStatus.SHORTLISTED, shortlist_rank=1, name="尾矿建材技术"
    )
    services.publish(past, ids=[chosen.pk], actor=staff_user)

    response = as_user(None).get(f"/nominations/{year}/list/", **ZH)

    assert response.status_code == 200
    assert "尾矿建材技术" in text_of(response) and f"/nominations/{year}/list.xlsx" in text_of(response)
    chinese(response)


def test_an_unpublished_list_says_so(campaign):
    response = as_user(None).get(f"/nominations/{campaign.year}/list/", **ZH)

    assert response.status_code == 200 and 'id="not-published"' in text_of(response)
    assert as_user(None).get("/nominations/1999/list/").status_code == 404


# ---- files --------------------------------------------------------------------------------------------


def test_the_pdf_is_for_the_unit_and_staff(alice, staff_client, erin, submitted):

    response = as_user(alice).get(f"/nominations/n/{submitted.pk}/form.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert staff_client.get(f"/nominations/n/{submitted.pk}/form.pdf").status_code == 200
    assert as_user(erin).get(f"/nominations/n/{submitted.pk}/form.pdf").status_code == 404


def test_the_published_workbook_link_answers_without_login(staff_user):
    past = CampaignFactory(year=2020)
    chosen = NominationFactory(campaign=past, status=NominationStatus.SHORTLISTED, shortlist_rank=1)
    services.publish(past, ids=[chosen.pk], actor=staff_user)

    response = as_user(None).get("/nominations/2020/list.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")


def test_the_final_review_publishes_the_chosen_shortlisted_technologies_once(
    staff_client, staff_user, django_capture_on_commit_callbacks
):
    import time_machine

    campaign = closed_recommendation(year=2020)
    nominations = _field_with(campaign, staff_user, 30)
    with django_capture_on_commit_callbacks(execute=True):
        services.shortlist_set(
            campaign, field=Field.RESOURCES_ENVIRONMENT, ids=[n.pk for n in nominations[:25]], actor=staff_user
        )
    url = "/nominations/2020/final/"
    page = staff_client.get(url, **ZH)
    assert page.status_code == 200 and page.content.decode().count('name="ids"') == 25
    chosen = [n.pk for n in nominations[:10]]

    unconfirmed = staff_client.post(url, {"ids": chosen}, **ZH)
    assert unconfirmed.status_code == 400 and "请勾选确认" in unconfirmed.content.decode()

    after_preliminary = campaign.preliminary_deadline + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(after_preliminary, dt.time(10)), tick=False):
        published = staff_client.post(url, {"ids": chosen, "confirm": "1"}, **ZH)
        again = staff_client.post(url, {"ids": chosen, "confirm": "1"}, **ZH)

    assert published.status_code == 302
    assert (
        list(Nomination.objects.filter(status="selected").order_by("list_position").values_list("pk", flat=True))
        == chosen
    )
    assert again.status_code == 400  # published once
    assert staff_client.get("/nominations/2020/list/", **ZH).content.decode().count('<tr><td class="num">') == 10


def test_the_final_review_is_the_offices(client, alice):
    closed_recommendation(year=2020)
    client.force_login(alice)
    assert client.get("/nominations/2020/final/").status_code in (403, 404)
