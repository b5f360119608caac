import datetime as dt

import pytest

from specialists import selectors, services
from specialists.enums import SpecialistStatus as S
from specialists.lifecycle import annotated_specialists, lifecycle_run
from specialists.models import Committee, PointRule, Reward, Specialist

from .factories import ActivityFactory, SpecialistFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_points_by_month_earned_spent_and_running_balance(specialist, credit):
    credit(specialist, 5, on=D(2023, 12, 20))
    credit(specialist, 30, on=D(2024, 2, 3))
    credit(specialist, 10, on=D(2024, 4, 1))
    services.transfer_create(specialist, recipient=SpecialistFactory(), points=20, idempotency_key="t")
    today = services.today()

    months = selectors.points_by_month(specialist, as_of=D(2024, 4, 30), months=4)
    recent = selectors.points_by_month(specialist, as_of=today, months=1)

    assert [(m["month"], m["earned"], m["spent"], m["balance"]) for m in months] == [
        (D(2024, 1, 1), 0, 0, 5),
        (D(2024, 2, 1), 30, 0, 35),
        (D(2024, 3, 1), 0, 0, 35),
        (D(2024, 4, 1), 10, 0, 45),
    ]
    assert (recent[0]["spent"], recent[0]["balance"]) == (20, 25)


def test_ledger_page_newest_first_with_names_filters_and_count(specialist, credit, recorder):
    credit(specialist, 30, on=D(2024, 1, 5))
    credit(specialist, 2, on=D(2024, 3, 5))
    services.activity_record(specialist, rule="knowledge_contest", occurred_on=D(2024, 3, 6), actor=recorder)
    services.redemption_create(specialist, reward="office_gift", idempotency_key="r")
    books = PointRule.objects.get(code="books")

    newest = selectors.ledger_page(selectors.ledger_of(specialist), 1, per_page=2)
    recent_activity = selectors.ledger_page(
        selectors.ledger_of(specialist, kind="activity", date_from=D(2024, 2, 1)), 1, per_page=20
    )
    by_rule = selectors.ledger_page(selectors.ledger_of(specialist, rule=books), 2, per_page=1)

    assert [(e.points, e.rule and e.rule.name, e.redemption and e.redemption.reward.name) for e in newest] == [
        (-20, None, Reward.objects.get(code="office_gift").name),
        (3, PointRule.objects.get(code="knowledge_contest").name, None),
    ]
    assert (newest.paginator.count, newest.paginator.num_pages) == (4, 2)
    assert (recent_activity.paginator.count, [e.points for e in recent_activity]) == (2, [3, 2])
    assert [e.points for e in by_rule] == [30]
    assert selectors.ledger_page(selectors.ledger_of(specialist), 1, per_page=20, count=99).paginator.count == 99


def test_ledger_page_past_the_end_or_malformed_gives_the_last_or_first_page(specialist, credit):
    for day in (1, 2, 3):
        credit(specialist, day, on=D(2024, 1, day))

    beyond = selectors.ledger_page(selectors.ledger_of(specialist), 9, per_page=2)
    malformed = selectors.ledger_page(selectors.ledger_of(specialist), "x", per_page=2)

    assert (beyond.number, [e.points for e in beyond]) == (2, [1])
    assert (malformed.number, [e.points for e in malformed]) == (1, [3, 2])


def test_monthly_totals_group_by_month_and_count_points_up_to_as_of(specialist, credit):
    credit(specialist, 5, on=D(2023, 12, 31))
    credit(specialist, 30, on=D(2024, 2, 1))
    credit(specialist, 7, on=D(2024, 2, 29))
    credit(specialist, 9, on=D(2024, 3, 20))  # after as_of: counted as an entry, not in the points
    services.transfer_create(specialist, recipient=SpecialistFactory(), points=20, idempotency_key="t")
    spent_on = services.today().replace(day=1)

    rows = selectors.monthly_totals(specialist, as_of=D(2024, 3, 15))
    today = selectors.monthly_totals(specialist, as_of=services.today())

    assert rows[:3] == [
        {"month": D(2023, 12, 1), "earned": 5, "spent": 0, "entries": 1},
        {"month": D(2024, 2, 1), "earned": 37, "spent": 0, "entries": 2},
        {"month": D(2024, 3, 1), "earned": 0, "spent": 0, "entries": 1},
    ]
    assert today[-1] == {"month": spent_on, "earned": 0, "spent": -20, "entries": 1}


def test_standing_of_a_general_specialist_names_the_demotion_date(credit):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    credit(specialist, 1, on=D(2024, 3, 2))

    items = selectors.standing(specialist, as_of=D(2024, 5, 1))

    assert [(i["rule"], i["date"]) for i in items] == [("general_inactive_6_months", D(2024, 9, 2))]
    assert "2024-03-02" in items[0]["message"] and "2024-09-02" in items[0]["message"]


def test_standing_of_a_roster_specialist_without_icebreaker(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=True)
    credit(specialist, 1, on=D(2024, 2, 1))

    items = selectors.standing(specialist, as_of=D(2024, 3, 1))

    assert [(i["rule"], i["date"]) for i in items] == [
        ("roster_inactive_3_months", D(2024, 5, 1)),
        ("roster_no_icebreaker_6_months", D(2024, 7, 10)),
        ("roster_icebreaker_return", D(2024, 7, 10)),
    ]


def test_standing_dates_agree_with_the_lifecycle_run(credit):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    credit(specialist, 1, on=D(2024, 3, 2))
    due = selectors.standing(specialist, as_of=D(2024, 5, 1))[0]["date"]

    _run, before = lifecycle_run(as_of=due - dt.timedelta(days=1), dry_run=True)
    _run, on_due = lifecycle_run(as_of=due, dry_run=True)

    assert before == []
    assert [c.specialist_id for c in on_due] == [specialist.pk]


def test_standing_of_a_probationer(recorder, credit):
    specialist = services.specialist_create(name="试用", applied_on=D(2024, 1, 1))
    specialist = services.specialist_approve(specialist, on=D(2024, 1, 15), actor=recorder)
    credit(specialist, 4, on=D(2024, 2, 1))

    items = selectors.standing(specialist, as_of=D(2024, 3, 1))

    assert items[0]["rule"] == "probation_end"
    assert items[0]["date"] == D(2024, 4, 15)


def test_standing_facts_agree_with_the_rule_runs_annotations(recorder, credit):
    as_of = D(2024, 5, 1)
    probationer = services.specialist_create(name="试用", applied_on=D(2024, 1, 1))
    probationer = services.specialist_approve(probationer, on=D(2024, 1, 15), actor=recorder)  # ends 2024-04-15
    credit(probationer, 4, on=D(2024, 2, 1))
    credit(probationer, 9, on=D(2024, 4, 20))  # after the probation: not in its points
    general = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    credit(general, 1, on=D(2024, 3, 2))
    wrong = credit(general, 2, on=D(2024, 4, 2))
    services.ledger_reverse(wrong, on=D(2024, 4, 3), actor=recorder, reason="recorded twice")
    services.attendance_record(general, ActivityFactory(kind="icebreaker", held_on=D(2024, 2, 10)), actor=recorder)
    services.attendance_record(general, ActivityFactory(kind="event", held_on=D(2024, 5, 10)), actor=recorder)

    facts = {sp.pk: selectors.standing_facts(sp, as_of=as_of) for sp in (probationer, general)}
    rows = annotated_specialists(as_of, Specialist.objects.filter(pk__in=facts))

    assert facts == {
        row.pk: {
            "last": max([d for d in (row.last_entry_on, row.last_attended_on) if d], default=None),
            "has_icebreaker": row.has_icebreaker,
            "probation_points": row.probation_points,
        }
        for row in rows
    }
    assert facts[probationer.pk] == {"last": D(2024, 4, 20), "has_icebreaker": False, "probation_points": 4}
    assert facts[general.pk] == {"last": D(2024, 3, 2), "has_icebreaker": True, "probation_points": 0}


def test_reward_catalogue_with_a_balance():
    items = {i["code"]: i for i in selectors.reward_catalogue(balance=250)}

    assert items["office_gift"]["affordable"] is True
    assert items["free_training_seat"]["affordable"] is True
    assert items["cash"]["max_cash_points"] == 50
    assert selectors.reward_catalogue(balance=201)[-1]["max_cash_points"] == 0


def test_specialists_without_contact_are_flagged(recorder):
    contacted = SpecialistFactory(name="常联系")
    stale = SpecialistFactory(name="久未联系")
    never = SpecialistFactory(name="从未联系")
    SpecialistFactory(name="已退出", status=S.EXITED)
    services.contact_record(contacted, staff=recorder, on=D(2024, 5, 20), channel="phone")
    services.contact_record(stale, staff=recorder, on=D(2024, 2, 1), channel="wechat")

    flagged = selectors.specialists_without_contact(as_of=D(2024, 6, 1), days=60)

    assert [s.name for s in flagged] == [never.name, stale.name]


def test_committee_summary_does_not_inflate_points(recorder, credit):
    mining = Committee.objects.get(code="mining")
    event = ActivityFactory(committee=mining, held_on=D(2024, 5, 10))
    a, b = SpecialistFactory(), SpecialistFactory()
    services.attendance_record(a, event, actor=recorder)
    services.attendance_record(b, event, actor=recorder)
    services.activity_record(a, rule="conference_speaker", occurred_on=D(2024, 5, 10), activity=event, actor=recorder)

    summary = selectors.committee_monthly_summary(2024, 5)

    assert (summary[0]["committee"], summary[0]["attendances"], summary[0]["attendees"], summary[0]["points"]) == (
        mining,
        2,
        2,
        5,
    )
    assert [r["rank"] for r in summary] == [1, 2, 2, 2, 2, 2]


def test_excellent_ranking_by_the_years_points(credit):
    first, second = SpecialistFactory(name="甲"), SpecialistFactory(name="乙")
    SpecialistFactory(name="名册", status=S.ROSTER)
    credit(first, 30, on=D(2024, 6, 1))
    credit(second, 10, on=D(2024, 6, 1))
    credit(second, 50, on=D(2023, 6, 1))

    ranking = selectors.excellent_ranking(2024)

    assert [(s.name, s.year_points) for s in ranking] == [("甲", 30), ("乙", 10)]


def test_exit_pending_list_shows_the_flagging_evidence():
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 1))
    lifecycle_run(as_of=D(2024, 4, 1))

    flags = list(selectors.exit_pending_list())

    assert [(f.specialist, f.rule) for f in flags] == [(specialist, "roster_inactive_3_months")]
