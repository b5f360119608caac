"""The nomination's one state machine (services.TRANSITIONS), the campaign's timetable, and who sees what."""

import datetime as dt

import pytest

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import AuditEntry
from nominations import selectors, services
from nominations.enums import CampaignStage, Field, NominationStatus
from nominations.models import Campaign
from tests.factories import UserFactory
from tests.nominations.factories import FORM, NominationFactory, UnitFactory, applicant, expert, open_campaign

pytestmark = pytest.mark.django_db

S = NominationStatus
LEGAL = [(old, new) for old, targets in services.TRANSITIONS.items() for new in sorted(targets)]
ILLEGAL = [(old, new) for old in S for new in S if new not in services.TRANSITIONS[old]]


@pytest.mark.parametrize(("old", "new"), LEGAL)
def test_a_legal_move_is_saved_and_audited(old, new):
    nomination = NominationFactory(status=old, shortlist_rank=1 if old == S.SHORTLISTED else None)
    facts = {"shortlist_rank": None} if new in (S.SUBMITTED, S.NOT_FORWARDED) else {}

    services.nomination_set_status(nomination, new, **facts)

    nomination.refresh_from_db()
    assert nomination.status == new
    entry = AuditEntry.objects.get(action="nominations.nomination.status")
    assert (entry.data["from"], entry.data["to"]) == (old, new)


@pytest.mark.parametrize(("old", "new"), ILLEGAL)
def test_an_illegal_move_is_refused(old, new):
    nomination = NominationFactory(status=old)

    with pytest.raises(BusinessRuleError):
        services.nomination_set_status(nomination, new)

    nomination.refresh_from_db()
    assert nomination.status == old


def test_a_campaign_takes_the_seeds_timetable_and_caps(staff_user):
    campaign = services.campaign_create(year=2020, actor=staff_user)

    assert (
        campaign.recommendation_deadline,
        campaign.preliminary_deadline,
        campaign.final_review_deadline,
        campaign.publication_date,
    ) == (dt.date(2020, 11, 20), dt.date(2020, 11, 30), dt.date(2020, 12, 20), dt.date(2020, 12, 31))
    assert (campaign.cap_per_field, campaign.shortlist_min, campaign.shortlist_max, campaign.list_size) == (
        2,
        25,
        30,
        100,
    )
    assert campaign.stage(dt.date(2020, 11, 20)) == CampaignStage.RECOMMENDATION
    assert campaign.stage(dt.date(2020, 11, 21)) == CampaignStage.PRELIMINARY
    assert campaign.stage(dt.date(2021, 1, 1)) == CampaignStage.CLOSED


def test_a_campaigns_stages_run_in_order(staff_user):
    with pytest.raises(BusinessRuleError) as refused:
        services.campaign_create(year=2020, preliminary_deadline="2020-11-10", actor=staff_user)

    assert refused.value.field == "preliminary_deadline"
    assert not Campaign.objects.exists()


def test_one_campaign_a_year_made_by_the_secretariat(staff_user):
    services.campaign_create(year=2020, actor=staff_user)

    with pytest.raises(BusinessRuleError):
        services.campaign_create(year=2020, actor=staff_user)
    with pytest.raises(NotPermitted):
        services.campaign_create(year=2021, actor=applicant())


def test_a_campaign_update_keeps_the_stages_in_order(staff_user):
    campaign = services.campaign_create(year=2020, actor=staff_user)

    services.campaign_update(campaign, recommendation_deadline="2020-11-25", actor=staff_user)
    with pytest.raises(BusinessRuleError):
        services.campaign_update(campaign, recommendation_deadline="2020-12-05", actor=staff_user)

    campaign.refresh_from_db()
    assert campaign.recommendation_deadline == dt.date(2020, 11, 25)


def test_who_sees_which_nominations(staff_user):
    campaign = open_campaign()
    mine_user, other_user = applicant(), applicant()
    mine = NominationFactory(campaign=campaign, unit=mine_user.profile.organisation)
    theirs = NominationFactory(campaign=campaign, unit=other_user.profile.organisation, field=Field.MATERIALS)
    reviewer = expert()
    services.expert_assign(campaign, field=Field.MATERIALS, username=reviewer.username, actor=staff_user)

    assert set(selectors.nominations_for(staff_user)) == {mine, theirs}
    assert list(selectors.nominations_for(mine_user)) == [mine]
    assert list(selectors.nominations_for(other_user)) == [theirs]
    assert list(selectors.nominations_for(reviewer)) == [theirs]
    assert not selectors.nominations_for(UserFactory()).exists()
    assert not selectors.nominations_for(expert()).exists()  # an expert of no field


def test_a_society_sees_what_its_members_submitted_to_it_but_not_their_drafts():
    campaign, society = open_campaign(), UnitFactory()
    society_user = applicant(society)
    submitted = NominationFactory(campaign=campaign, recommender=society, preselected_by=society, status=S.PRESELECTION)
    NominationFactory(campaign=campaign, recommender=society, preselected_by=society, status=S.DRAFT)

    assert list(selectors.nominations_for(society_user)) == [submitted]


def test_a_late_recommendation_deadline_moves_the_later_stages_not_given(staff_user):
    campaign = services.campaign_create(year=2025, recommendation_deadline=dt.date(2025, 12, 5), actor=staff_user)

    assert (campaign.recommendation_deadline, campaign.preliminary_deadline) == (dt.date(2025, 12, 5),) * 2
    assert (campaign.final_review_deadline, campaign.publication_date) == (dt.date(2025, 12, 20), dt.date(2025, 12, 31))


def test_the_route_through_a_society_is_not_changed_on_a_draft():
    """The caps a nomination was counted against are its route's: choosing a society later is refused."""
    campaign, user = open_campaign(), applicant()
    society = UnitFactory(name="中国地质学会")
    draft = services.nomination_create(campaign, user=user, industries=["0810"], pledge_accepted=True, **FORM)

    with pytest.raises(BusinessRuleError) as refused:
        services.nomination_update(draft, user=user, preselected_by=society)

    assert refused.value.field == "preselected_by"
    draft.refresh_from_db()
    assert draft.preselected_by_id is None
