"""附件 2's limits at their edges, with Chinese text counted as a person counts; 二（一） the cap per unit
and field; the recommendation deadline in Beijing time.  A refusal saves nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import AuditEntry
from nominations import services
from nominations.enums import Field, NominationStatus
from nominations.models import Nomination
from tests.nominations.factories import FORM, CampaignFactory, NominationFactory, UnitFactory, applicant, open_campaign

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
LIMITS = [
    ("team_intro", 300),
    ("tech_level", 500),
    ("benefits", 500),
    ("tech_level_detail", 10_000),
    ("benefits_detail", 5_000),
]


def _create(campaign, user, **changes):
    return services.nomination_create(
        campaign, user=user, industries=["0810"], pledge_accepted=True, **{**FORM, **changes}
    )


def _chinese(count):
    """`count` characters of Chinese text with punctuation: 矿山生态修复，…"""
    text = "矿山生态修复，绿色开采。" * (count // 12 + 1)
    return text[:count]


@pytest.mark.parametrize(("field", "limit"), LIMITS)
def test_text_at_its_limit_is_accepted(field, limit):
    campaign, user = open_campaign(), applicant()

    nomination = _create(campaign, user, **{field: _chinese(limit)})

    assert len(getattr(nomination, field)) == limit


@pytest.mark.parametrize(("field", "limit"), LIMITS)
def test_text_one_past_its_limit_is_refused_with_the_limit_and_the_count(field, limit):
    campaign, user = open_campaign(), applicant()

    with pytest.raises(BusinessRuleError) as refused:
        _create(campaign, user, **{field: _chinese(limit + 1)})

    assert refused.value.field == field
    assert f"{limit}" in refused.value.message.replace(",", "")
    assert f"{limit + 1}" in refused.value.message.replace(",", "")
    assert not Nomination.objects.exists()


def test_team_intro_refusal_reads_like_the_form():
    campaign, user = open_campaign(), applicant()

    with pytest.raises(BusinessRuleError) as refused:
        _create(campaign, user, team_intro=_chinese(301))

    assert "300" in refused.value.message and "301" in refused.value.message


def test_a_line_break_counts_once_whichever_way_it_is_typed():
    campaign, user = open_campaign(), applicant()
    text = "甲" * 150 + "\r\n" + "乙" * 149  # 301 code points as sent, 300 characters as written

    nomination = _create(campaign, user, team_intro=text)

    assert nomination.team_intro == "甲" * 150 + "\n" + "乙" * 149
    assert services.char_count(text) == 300


def test_an_update_past_the_limit_changes_nothing():
    campaign, user = open_campaign(), applicant()
    nomination = _create(campaign, user, team_intro="原介绍")

    with pytest.raises(BusinessRuleError):
        services.nomination_update(nomination, user=user, team_intro=_chinese(301), name="新名称")

    nomination.refresh_from_db()
    assert (nomination.team_intro, nomination.name) == ("原介绍", FORM["name"])


@pytest.mark.parametrize(("trl", "accepted"), [(0, False), (1, True), (9, True), (10, False)])
def test_technology_readiness_level_is_from_1_to_9(trl, accepted):
    campaign, user = open_campaign(), applicant()

    if accepted:
        assert _create(campaign, user, trl=trl).trl == trl
    else:
        with pytest.raises(BusinessRuleError) as refused:
            _create(campaign, user, trl=trl)
        assert refused.value.field == "trl"
        assert not Nomination.objects.exists()


@pytest.mark.parametrize(
    ("codes", "accepted"),
    [(["081"], True), (["0810", "1011"], True), (["08"], False), (["B"], False), (["9999"], False)],
)
def test_key_industries_are_groups_or_classes_of_gbt4754(codes, accepted):
    campaign, user = open_campaign(), applicant()
    form = {**FORM}

    if accepted:
        nomination = services.nomination_create(campaign, user=user, industries=codes, **form)
        assert sorted(nomination.industries.values_list("code", flat=True)) == sorted(codes)
    else:
        with pytest.raises(BusinessRuleError) as refused:
            services.nomination_create(campaign, user=user, industries=codes, **form)
        assert refused.value.field == "industries"
        assert codes[0] in refused.value.message


def test_a_unit_nominates_two_per_field_and_the_third_is_refused_naming_the_first_two():
    campaign = open_campaign()
    user = applicant()
    first = _create(campaign, user, name="尾矿干排技术")
    second = _create(campaign, user, name="矿井水深度处理技术")

    with pytest.raises(BusinessRuleError) as refused:
        _create(campaign, user, name="第三项技术")

    assert "尾矿干排技术" in refused.value.message and "矿井水深度处理技术" in refused.value.message
    assert refused.value.code == "cap"
    assert list(Nomination.objects.order_by("pk")) == [first, second]


def test_the_cap_is_per_field_and_per_unit():
    campaign = open_campaign()
    user = applicant()
    _create(campaign, user)
    _create(campaign, user)

    other_field = _create(campaign, user, field=Field.MATERIALS)
    other_unit = _create(campaign, applicant())

    assert other_field.field == Field.MATERIALS
    assert other_unit.unit != other_field.unit
    assert Nomination.objects.count() == 4


def test_accounts_of_one_unit_share_its_cap():
    campaign, unit = open_campaign(), UnitFactory()
    _create(campaign, applicant(unit))
    _create(campaign, applicant(unit))

    with pytest.raises(BusinessRuleError):
        _create(campaign, applicant(unit))


def test_moving_a_draft_to_a_full_field_is_refused():
    campaign, user = open_campaign(), applicant()
    _create(campaign, user, field=Field.MATERIALS)
    _create(campaign, user, field=Field.MATERIALS)
    draft = _create(campaign, user)

    with pytest.raises(BusinessRuleError):
        services.nomination_update(draft, user=user, field=Field.MATERIALS)

    draft.refresh_from_db()
    assert draft.field == Field.RESOURCES_ENVIRONMENT


def test_a_campaign_with_a_cap_of_three_takes_three():
    campaign, user = open_campaign(cap_per_field=3), applicant()
    for _ in range(3):
        _create(campaign, user)

    with pytest.raises(BusinessRuleError):
        _create(campaign, user)


def test_only_an_applicant_with_a_unit_nominates():
    campaign = open_campaign()
    from tests.factories import UserFactory

    with pytest.raises(NotPermitted):
        _create(campaign, UserFactory(roles=["applicant"]))  # no unit
    with pytest.raises(NotPermitted):
        _create(campaign, UserFactory(organisation=UnitFactory()))  # no applicant role
    assert not Nomination.objects.exists()


# ---- the deadline in Beijing time ---------------------------------------------------------------


def test_the_last_minute_of_the_deadline_day_in_beijing_is_accepted():
    campaign, user = CampaignFactory(year=2020), applicant()

    with time_machine.travel(dt.datetime(2020, 11, 20, 23, 59, tzinfo=BEIJING), tick=False):
        nomination = _create(campaign, user)
        services.nomination_submit(nomination, user=user)

    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED


def test_midnight_after_the_deadline_in_beijing_is_refused_while_it_is_still_the_deadline_day_in_utc():
    campaign, user = CampaignFactory(year=2020), applicant()
    midnight = dt.datetime(2020, 11, 21, 0, 0, tzinfo=BEIJING)
    assert midnight.astimezone(dt.UTC).date() == dt.date(2020, 11, 20)

    with time_machine.travel(midnight, tick=False), pytest.raises(BusinessRuleError) as refused:
        _create(campaign, user)

    assert "2020年11月20日" in refused.value.message
    assert refused.value.code == "deadline"
    assert not Nomination.objects.exists()


def test_a_draft_cannot_be_submitted_after_the_deadline():
    campaign, user = CampaignFactory(year=2020), applicant()
    with time_machine.travel(dt.datetime(2020, 11, 20, 12, 0, tzinfo=BEIJING), tick=False):
        draft = _create(campaign, user)

    after = dt.datetime(2020, 11, 21, 0, 0, tzinfo=BEIJING)
    with time_machine.travel(after, tick=False), pytest.raises(BusinessRuleError):
        services.nomination_submit(draft, user=user)

    draft.refresh_from_db()
    assert draft.status == NominationStatus.DRAFT


# ---- submitting ---------------------------------------------------------------------------------


def test_submitting_needs_the_pledge():
    campaign, user = open_campaign(), applicant()
    draft = services.nomination_create(campaign, user=user, industries=["0810"], **FORM)

    with pytest.raises(BusinessRuleError) as refused:
        services.nomination_submit(draft, user=user)

    assert refused.value.field == "pledge_accepted"
    services.nomination_update(draft, user=user, pledge_accepted=True)
    assert services.nomination_submit(draft, user=user).status == NominationStatus.SUBMITTED
    assert AuditEntry.objects.filter(action="nominations.nomination.status", object_id=str(draft.pk)).exists()


def test_submitting_needs_the_form_filled_in():
    campaign, user = open_campaign(), applicant()
    draft = _create(campaign, user, team_intro="")

    with pytest.raises(BusinessRuleError) as refused:
        services.nomination_submit(draft, user=user)

    assert refused.value.field == "team_intro"


def test_another_unit_cannot_submit_or_change_a_draft():
    campaign, user = open_campaign(), applicant()
    draft = _create(campaign, user)
    stranger = applicant()

    with pytest.raises(NotPermitted):
        services.nomination_submit(draft, user=stranger)
    with pytest.raises(NotPermitted):
        services.nomination_update(draft, user=stranger, name="改名")


def test_a_submitted_nomination_is_no_longer_changed():
    campaign, user = open_campaign(), applicant()
    nomination = _create(campaign, user)
    services.nomination_submit(nomination, user=user)

    with pytest.raises(BusinessRuleError):
        services.nomination_update(nomination, user=user, name="改名")


# ---- a society's internal selection -------------------------------------------------------------


def test_a_society_forwards_at_most_two_per_field_from_its_members():
    campaign = open_campaign()
    society = UnitFactory(name="中国某学会")
    society_user = applicant(society)
    pool = []
    for name in ("甲技术", "乙技术", "丙技术"):
        member = applicant()
        nomination = services.nomination_create(
            campaign,
            user=member,
            industries=["0810"],
            preselected_by=society,
            pledge_accepted=True,
            **{**FORM, "name": name},
        )
        pool.append(services.nomination_submit(nomination, user=member))
    assert {n.status for n in pool} == {NominationStatus.PRESELECTION}

    with pytest.raises(BusinessRuleError):
        services.preselection_forward(
            campaign, society=society, field=FORM["field"], ids=[n.pk for n in pool], actor=society_user
        )
    services.preselection_forward(
        campaign, society=society, field=FORM["field"], ids=[pool[0].pk, pool[2].pk], actor=society_user
    )

    statuses = dict(Nomination.objects.values_list("name", "status"))
    assert statuses == {
        "甲技术": NominationStatus.SUBMITTED,
        "乙技术": NominationStatus.NOT_FORWARDED,
        "丙技术": NominationStatus.SUBMITTED,
    }
    # The society's per-field cap is now full: its own third nomination in the field is refused.
    with pytest.raises(BusinessRuleError):
        _create(campaign, society_user)


def test_a_member_unit_puts_forward_at_most_two_technologies_to_its_society():
    campaign, society, member = open_campaign(), UnitFactory(), applicant()
    for field in (Field.MATERIALS, Field.EQUIPMENT):
        services.nomination_create(campaign, user=member, preselected_by=society, **{**FORM, "field": field})

    with pytest.raises(BusinessRuleError) as refused:
        services.nomination_create(campaign, user=member, preselected_by=society, **FORM)

    assert refused.value.field == "preselected_by"
    assert Nomination.objects.count() == 2


def test_forwarded_nominations_count_against_the_society_not_the_member():
    campaign, society = open_campaign(), UnitFactory()
    member = applicant()
    NominationFactory(campaign=campaign, unit=member.profile.organisation, recommender=society, preselected_by=society)

    _create(campaign, member)
    _create(campaign, member)  # the member's own two in the field
    assert Nomination.objects.filter(unit=member.profile.organisation).count() == 3
