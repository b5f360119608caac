"""二（二）初评: the experts of a field score on 附件 1's six dimensions, 0–10 each; never their own
unit's nomination; again replaces their scores until the deadline; the ranking is the mean of sums."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import AuditEntry
from nominations import selectors, services
from nominations.enums import Field, NominationStatus
from nominations.models import Evaluation
from tests.factories import UserFactory
from tests.nominations.factories import NominationFactory, UnitFactory, closed_recommendation, expert

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
FIELD = Field.RESOURCES_ENVIRONMENT


def scores(*values):
    return dict(
        zip(
            ("feasibility", "advancement", "originality", "irreplaceability", "maturity", "market"), values, strict=True
        )
    )


def _expert_of(campaign, field=FIELD, unit=None, staff=None):
    user = expert(unit)
    services.expert_assign(campaign, field=field, username=user.username, actor=staff)
    return user


def test_ranking_is_the_mean_of_the_experts_sums_best_first():
    campaign = closed_recommendation()
    a = NominationFactory(campaign=campaign, name="甲")
    b = NominationFactory(campaign=campaign, name="乙")
    c = NominationFactory(campaign=campaign, name="丙")
    first, second = _expert_of(campaign), _expert_of(campaign)
    services.evaluation_save(a, expert=first, scores=scores(10, 9, 8, 8, 8, 7))  # 50
    services.evaluation_save(a, expert=second, scores=scores(7, 7, 7, 7, 6, 7))  # 41
    services.evaluation_save(b, expert=first, scores=scores(9, 9, 9, 9, 8, 8))  # 52

    rows = selectors.ranking(campaign, FIELD)

    assert [(r.name, r.mean, r.evaluations) for r in rows] == [
        ("乙", Decimal("52.00"), 1),
        ("甲", Decimal("45.50"), 2),
        ("丙", None, 0),
    ]
    assert rows[0].unit == b.unit.name and rows[2].id == c.pk


def test_ranking_keeps_to_the_field_and_to_recommended_nominations():
    campaign = closed_recommendation()
    NominationFactory(campaign=campaign, name="本领域")
    NominationFactory(campaign=campaign, name="他领域", field=Field.MATERIALS)
    NominationFactory(campaign=campaign, name="草稿", status=NominationStatus.DRAFT)

    assert [r.name for r in selectors.ranking(campaign, FIELD)] == ["本领域"]


def _ranking_queries(campaign, count):
    reviewers = [_expert_of(campaign) for _ in range(2)]
    for n in range(count):
        nomination = NominationFactory(campaign=campaign)
        for reviewer in reviewers:
            services.evaluation_save(nomination, expert=reviewer, scores=scores(*(n % 11,) * 6))
    with CaptureQueriesContext(connection) as queries:
        rows = selectors.ranking(campaign, FIELD)
    assert len(rows) == count
    return len(queries)


def test_ranking_takes_the_same_queries_for_3_and_30_nominations():
    small = _ranking_queries(closed_recommendation(year=2020), 3)
    large = _ranking_queries(closed_recommendation(year=2021), 30)

    assert small == large == 1


def test_an_expert_never_scores_their_own_units_nomination():
    campaign = closed_recommendation()
    unit = UnitFactory()
    nomination = NominationFactory(campaign=campaign, unit=unit)
    colleague = _expert_of(campaign, unit=unit)

    with pytest.raises(NotPermitted) as refused:
        services.evaluation_save(nomination, expert=colleague, scores=scores(*(8,) * 6))

    assert refused.value.code == "conflict" and unit.name in refused.value.message
    assert not Evaluation.objects.exists()
    assert not selectors.nominations_for(colleague, campaign).filter(pk=nomination.pk).exists()


def test_nor_one_their_unit_recommended_for_a_member():
    campaign, society = closed_recommendation(), UnitFactory()
    nomination = NominationFactory(campaign=campaign, recommender=society, preselected_by=society)
    from_society = _expert_of(campaign, unit=society)

    with pytest.raises(NotPermitted):
        services.evaluation_save(nomination, expert=from_society, scores=scores(*(8,) * 6))


def test_an_expert_of_another_field_is_refused():
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    materials = _expert_of(campaign, field=Field.MATERIALS)

    with pytest.raises(NotPermitted):
        services.evaluation_save(nomination, expert=materials, scores=scores(*(8,) * 6))

    assert not Evaluation.objects.exists()
    assert not selectors.nominations_for(materials, campaign).exists()


def test_an_expert_sees_the_recommended_nominations_of_their_field_only():
    campaign = closed_recommendation()
    mine = NominationFactory(campaign=campaign)
    NominationFactory(campaign=campaign, field=Field.MATERIALS)
    NominationFactory(campaign=campaign, status=NominationStatus.DRAFT)
    reviewer = _expert_of(campaign)

    assert list(selectors.nominations_for(reviewer, campaign)) == [mine]
    assert [n.pk for n in selectors.to_evaluate(reviewer, campaign)] == [mine.pk]


def test_a_second_save_replaces_the_experts_scores():
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)
    services.evaluation_save(nomination, expert=reviewer, scores=scores(5, 5, 5, 5, 5, 5))

    services.evaluation_save(nomination, expert=reviewer, scores=scores(9, 8, 7, 6, 5, 4))

    evaluation = Evaluation.objects.get()
    assert (evaluation.feasibility, evaluation.market, evaluation.total) == (9, 4, 39)
    assert AuditEntry.objects.filter(action="nominations.evaluation.saved").count() == 2
    assert AuditEntry.objects.filter(action="nominations.evaluation.saved").first().data["replaced"] is True


def test_scores_cannot_change_after_the_preliminary_deadline_in_beijing():
    campaign = closed_recommendation(
        year=2020,
        recommendation_deadline=dt.date(2020, 11, 20),
        preliminary_deadline=dt.date(2020, 11, 30),
        final_review_deadline=dt.date(2020, 12, 20),
        publication_date=dt.date(2020, 12, 31),
    )
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)
    with time_machine.travel(dt.datetime(2020, 11, 30, 23, 59, tzinfo=BEIJING), tick=False):
        services.evaluation_save(nomination, expert=reviewer, scores=scores(*(6,) * 6))

    after = dt.datetime(2020, 12, 1, 0, 0, tzinfo=BEIJING)
    with time_machine.travel(after, tick=False), pytest.raises(BusinessRuleError) as refused:
        services.evaluation_save(nomination, expert=reviewer, scores=scores(*(9,) * 6))

    assert "2020年11月30日" in refused.value.message
    assert Evaluation.objects.get().total == 36


@pytest.mark.parametrize("bad", [-1, 11, 10.5, "八", True, None])
def test_each_score_is_a_whole_number_from_0_to_10(bad):
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)

    with pytest.raises(BusinessRuleError) as refused:
        services.evaluation_save(nomination, expert=reviewer, scores={**scores(*(5,) * 6), "maturity": bad})

    assert refused.value.field == "maturity"
    assert not Evaluation.objects.exists()


def test_the_bounds_themselves_are_accepted():
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)

    low = services.evaluation_save(nomination, expert=reviewer, scores=scores(0, 0, 0, 0, 0, 0))
    assert low.total == 0
    high = services.evaluation_save(nomination, expert=reviewer, scores=scores(10, 10, 10, 10, 10, 10))
    assert high.total == 60


def test_the_database_refuses_a_score_of_eleven_and_a_wrong_total():
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)
    evaluation = services.evaluation_save(nomination, expert=reviewer, scores=scores(*(5,) * 6))

    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(market=11, total=35)
    with pytest.raises(IntegrityError), transaction.atomic():
        Evaluation.objects.filter(pk=evaluation.pk).update(total=31)


def test_a_draft_is_not_scored():
    campaign = closed_recommendation()
    draft = NominationFactory(campaign=campaign, status=NominationStatus.DRAFT)
    reviewer = _expert_of(campaign)

    with pytest.raises(BusinessRuleError):
        services.evaluation_save(draft, expert=reviewer, scores=scores(*(5,) * 6))


def test_only_an_account_with_the_expert_role_is_assigned(staff_user):
    campaign = closed_recommendation()
    plain = UserFactory()

    with pytest.raises(BusinessRuleError) as refused:
        services.expert_assign(campaign, field=FIELD, username=plain.username, actor=staff_user)

    assert refused.value.field == "username"
    reviewer = expert()
    services.expert_assign(campaign, field=FIELD, username=reviewer.username, actor=staff_user)
    with pytest.raises(BusinessRuleError):
        services.expert_assign(campaign, field=FIELD, username=reviewer.username, actor=staff_user)
    with pytest.raises(NotPermitted):
        services.expert_assign(campaign, field=Field.MATERIALS, username=reviewer.username, actor=reviewer)


def test_an_expert_who_scored_stays_assigned(staff_user):
    campaign = closed_recommendation()
    nomination = NominationFactory(campaign=campaign)
    reviewer = _expert_of(campaign)
    services.evaluation_save(nomination, expert=reviewer, scores=scores(*(5,) * 6))

    with pytest.raises(BusinessRuleError):
        services.expert_unassign(campaign.experts.get(), actor=staff_user)
