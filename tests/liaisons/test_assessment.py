"""第十三条 the annual assessment: the seed's criteria (meetings and trainings, fee paid on time, articles
and their adoption rate, feedback), a ranking for the excellent-liaison award and the stipend (第十条),
and the liaison who did nothing for a year flagged for a replacement suggestion."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from liaisons import selectors, services
from liaisons.models import AssessmentCriterion, StipendBand
from tests.liaisons.factories import LiaisonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def year_2025(staff_user):
    """Three liaisons: a busy one, a middling one and one who did nothing in 2025."""
    busy, middling, idle = LiaisonFactory(name="李红梅"), LiaisonFactory(name="赵建国"), LiaisonFactory(name="孙文")
    meeting = services.gathering_create(
        kind="meeting", title="年度会议", held_on=dt.date(2025, 4, 18), actor=staff_user
    )
    extra = services.gathering_create(kind="meeting", title="临时会议", held_on=dt.date(2025, 9, 2), actor=staff_user)
    spare = services.gathering_create(
        kind="meeting", title="第三次会议", held_on=dt.date(2025, 11, 5), actor=staff_user
    )
    training = services.gathering_create(
        kind="training", title="写作培训", held_on=dt.date(2025, 7, 10), actor=staff_user
    )
    for gathering in (meeting, extra, spare):  # three meetings; the criterion counts two (cap)
        services.attendance_record(gathering, [busy], actor=staff_user)
    services.attendance_record(meeting, [middling], actor=staff_user)
    services.attendance_record(training, [busy], actor=staff_user)
    for n in range(4):
        article = services.article_submit(busy, title=f"稿件{n}", on=dt.date(2025, 5, n + 1))
        if n < 3:
            services.article_decide(article, adopted=True, actor=staff_user)
    services.article_submit(middling, title="安全生产月", on=dt.date(2025, 6, 3))
    services.article_submit(idle, title="去年的稿件", on=dt.date(2024, 12, 30))  # not 2025
    feedback = services.feedback_raise(busy, subject="会费票据", body="希望开具电子票据。")
    feedback.raised_on = dt.date(2025, 3, 1)
    feedback.save(update_fields=["raised_on"])
    for liaison, paid_on in ((busy, dt.date(2025, 5, 20)), (middling, dt.date(2025, 8, 1)), (idle, None)):
        services.fee_record(liaison.organisation.memberships.get(), year=2025, paid_on=paid_on, actor=staff_user)
    return busy, middling, idle


def test_the_ranking_scores_the_seeds_criteria_with_the_data_files_weights(year_2025):
    busy, middling, idle = year_2025

    rows = {row.liaison: row for row in selectors.assessment(2025)}

    # 李红梅: meetings 2 (of 3, cap 2) × 10 + training 1 × 10 + articles 4 × 4 + adoption 3/4 × 20
    # + fee paid by 30 June 15 + feedback 1 × 5 = 20 + 10 + 16 + 15 + 15 + 5 = 81
    assert (rows["李红梅"].meetings, rows["李红梅"].trainings, rows["李红梅"].articles) == (3, 1, 4)
    assert (rows["李红梅"].adopted, rows["李红梅"].feedback, rows["李红梅"].fee_paid_on_time) == (3, 1, True)
    assert rows["李红梅"].score == Decimal("81.00")
    # 赵建国: one meeting 10 + one article 4 + adoption 0 + fee paid 1 August (late) 0 = 14
    assert rows["赵建国"].fee_paid_on_time is False
    assert rows["赵建国"].score == Decimal("14.00")
    assert [rows[n].rank for n in ("李红梅", "赵建国", "孙文")] == [1, 2, 3]


def test_a_liaison_who_did_nothing_in_the_year_is_flagged_and_gets_no_stipend(year_2025):
    rows = {row.liaison: row for row in selectors.assessment(2025)}

    assert rows["孙文"].inactive is True
    assert (rows["孙文"].articles, rows["孙文"].meetings, rows["孙文"].score) == (0, 0, Decimal("0.00"))
    assert (rows["孙文"].band, rows["孙文"].stipend, rows["孙文"].excellent) == ("", Decimal("0"), False)
    assert rows["李红梅"].inactive is False and rows["赵建国"].inactive is False


def test_the_first_band_is_the_excellent_liaison_award(year_2025):
    rows = {row.liaison: row for row in selectors.assessment(2025)}
    assert (rows["李红梅"].band, rows["李红梅"].stipend, rows["李红梅"].excellent) == ("优秀联络员", 2000, True)


def test_fee_handling_confirmed_by_the_liaison_counts_as_a_duty_done(year_2025):
    _busy, _middling, idle = year_2025
    services.fee_confirm_handling(idle.organisation.memberships.get().fees.get(year=2025), liaison=idle)

    rows = {row.liaison: row for row in selectors.assessment(2025)}
    assert rows["孙文"].inactive is False


def test_the_office_changing_a_weight_changes_the_ranking(year_2025):
    AssessmentCriterion.objects.filter(code="fee_on_time").update(weight=0)
    AssessmentCriterion.objects.filter(code="meetings").update(weight=50)

    rows = {row.liaison: row for row in selectors.assessment(2025)}
    # 李红梅: 2 × 50 + 10 + 16 + 15 + 5 = 146; 赵建国: 50 + 4 = 54
    assert (rows["李红梅"].score, rows["赵建国"].score) == (Decimal("146.00"), Decimal("54.00"))


def test_ties_share_a_rank(staff_user):
    a, b = LiaisonFactory(), LiaisonFactory()
    for liaison in (a, b):
        services.article_submit(liaison, title="稿件", on=dt.date(2025, 5, 1))
    assert [row.rank for row in selectors.assessment(2025)] == [1, 1]


def test_a_liaison_handed_over_in_the_year_is_assessed_with_their_own_duties(staff_user):
    old = LiaisonFactory(started_on=dt.date(2024, 1, 1))
    services.article_submit(old, title="交接前的稿件", on=dt.date(2025, 2, 1))
    new = services.liaison_register(
        old.organisation, actor=staff_user, on=dt.date(2025, 6, 1), name="吴磊", mobile="13991234505",
        email="wulei@example.com",
    )  # fmt: skip

    rows = {row.liaison_id: row for row in selectors.assessment(2025)}
    assert rows[old.pk].articles == 1 and rows[new.pk].articles == 0
    assert not selectors.assessment(2023)  # neither held the post then


def _queries(year):
    with CaptureQueriesContext(connection) as captured:
        selectors.assessment(year)
    return len(captured)


def test_the_ranking_takes_the_same_queries_for_3_and_30_liaisons(staff_user):
    LiaisonFactory.create_batch(3)
    few = _queries(2025)
    LiaisonFactory.create_batch(27)
    assert _queries(2025) == few == 3
    assert len(selectors.assessment(2025)) == 30


def test_every_rank_falls_in_a_band_or_after_the_last(staff_user):
    StipendBand.objects.all().delete()
    StipendBand.objects.create(from_rank=1, to_rank=1, title="优秀联络员", amount=3000, excellent=True)
    first, second = LiaisonFactory(), LiaisonFactory()
    services.article_submit(first, title="稿件一", on=dt.date(2025, 5, 1))
    services.article_submit(first, title="稿件二", on=dt.date(2025, 5, 2))
    services.article_submit(second, title="稿件", on=dt.date(2025, 5, 1))
    rows = selectors.assessment(2025)
    assert [(r.rank, r.band, r.stipend) for r in rows] == [(1, "优秀联络员", 3000), (2, "", 0)]
