import datetime as dt
import io

import pytest
from django.core.management import call_command

from alliance.exceptions import BusinessRuleError
from specialists import services
from specialists.enums import SpecialistStatus as S
from specialists.lifecycle import lifecycle_run
from specialists.models import LifecycleRun, ProgrammeSettings, Specialist, StatusChange
from specialists.tasks import run_lifecycle

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db
D = dt.date


def _status(specialist):
    return Specialist.objects.get(pk=specialist.pk).status


def _run(day):
    _run_obj, changes = lifecycle_run(as_of=day)
    return {c.specialist_id: (c.to_status, c.rule) for c in changes}


@pytest.fixture
def probationer(recorder):
    """Approved 2024-01-15: probation ends 2024-04-15 (第四条: 三个月)."""
    specialist = services.specialist_create(name="李试用", email="li@example.com", applied_on=D(2024, 1, 5))
    return services.specialist_approve(specialist, on=D(2024, 1, 15), actor=recorder)


# ---- Probation (第四条, 第七条 1, 第八条 1) ---------------------------------------------------


def test_approve_sets_three_month_probation(probationer):
    assert probationer.status == S.PROBATION
    assert probationer.probation_ends == D(2024, 4, 15)


def test_probation_ending_on_a_short_month_uses_calendar_months(recorder):
    specialist = services.specialist_create(name="月末", applied_on=D(2023, 11, 1))

    services.specialist_approve(specialist, on=D(2023, 11, 30), actor=recorder)

    assert Specialist.objects.get(pk=specialist.pk).probation_ends == D(2024, 2, 29)


def test_probation_not_judged_the_day_before_it_ends(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))
    services.icebreaker_record(probationer, on=D(2024, 2, 2))

    assert _run(D(2024, 4, 14)) == {}
    assert _status(probationer) == S.PROBATION


def test_probation_with_minimum_points_and_icebreaker_becomes_general(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))
    services.icebreaker_record(probationer, on=D(2024, 2, 2))

    changes = _run(D(2024, 4, 15))

    assert changes == {probationer.pk: (S.GENERAL, "probation_passed_icebreaker")}
    specialist = Specialist.objects.get(pk=probationer.pk)
    assert (specialist.status, specialist.status_since) == (S.GENERAL, D(2024, 4, 15))


def test_probation_without_icebreaker_becomes_roster(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))

    changes = _run(D(2024, 4, 15))

    assert changes == {probationer.pk: (S.ROSTER, "probation_passed_no_icebreaker")}
    assert Specialist.objects.get(pk=probationer.pk).roster_without_icebreaker is True


def test_probation_below_minimum_is_rejected(probationer, credit):
    credit(probationer, 9, on=D(2024, 2, 1))
    services.icebreaker_record(probationer, on=D(2024, 2, 2))

    changes = _run(D(2024, 4, 15))

    assert changes == {probationer.pk: (S.REJECTED, "probation_below_minimum")}


def test_probation_minimum_is_a_staff_setting(probationer, credit):
    ProgrammeSettings.objects.filter(pk=1).update(probation_min_points=5)
    credit(probationer, 5, on=D(2024, 2, 1))

    assert _run(D(2024, 4, 15)) == {probationer.pk: (S.ROSTER, "probation_passed_no_icebreaker")}


def test_probation_counts_neither_points_after_its_end_nor_reversed_ones(probationer, credit, recorder):
    entry = credit(probationer, 10, on=D(2024, 2, 1))
    services.ledger_reverse(entry, on=D(2024, 2, 3), actor=recorder, reason="录错")
    credit(probationer, 10, on=D(2024, 4, 16))

    assert _run(D(2024, 4, 20)) == {probationer.pk: (S.REJECTED, "probation_below_minimum")}


def test_probation_evidence_is_recorded(probationer, credit):
    credit(probationer, 12, on=D(2024, 2, 1))

    _run(D(2024, 4, 15))

    change = StatusChange.objects.get(specialist=probationer, run__isnull=False)
    assert (change.from_status, change.to_status, change.as_of) == (S.PROBATION, S.ROSTER, D(2024, 4, 15))
    assert change.evidence == {
        "as_of": "2024-04-15",
        "probation_ends": "2024-04-15",
        "points": 12,
        "minimum": 10,
        "icebreaker": False,
    }


# ---- General → roster (第七条 5) ---------------------------------------------------------------


def test_general_without_activity_for_six_months_becomes_roster(credit):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    credit(specialist, 1, on=D(2024, 3, 2))

    assert _run(D(2024, 9, 1)) == {}
    assert _run(D(2024, 9, 2)) == {specialist.pk: (S.ROSTER, "general_inactive_6_months")}
    assert Specialist.objects.get(pk=specialist.pk).roster_without_icebreaker is True


def test_general_attended_event_counts_as_activity():
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    services.icebreaker_record(specialist, on=D(2024, 3, 2))

    assert _run(D(2024, 9, 1)) == {}
    assert _run(D(2024, 9, 2)) == {specialist.pk: (S.ROSTER, "general_inactive_6_months")}
    assert Specialist.objects.get(pk=specialist.pk).roster_without_icebreaker is False


def test_general_clock_starts_when_they_became_general():
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 31))

    assert _run(D(2024, 7, 30)) == {}
    assert _run(D(2024, 7, 31)) == {specialist.pk: (S.ROSTER, "general_inactive_6_months")}


def test_general_activity_after_as_of_is_ignored_when_replaying(credit):
    specialist = SpecialistFactory(status=S.GENERAL, status_since=D(2024, 1, 1))
    credit(specialist, 1, on=D(2024, 8, 1))

    assert _run(D(2024, 7, 1)) == {specialist.pk: (S.ROSTER, "general_inactive_6_months")}


# ---- Roster → exit pending (第八条 3) -----------------------------------------------------------


def test_roster_three_months_without_activity_is_flagged_for_exit(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 6, 1))
    services.icebreaker_record(specialist, on=D(2024, 1, 10))
    credit(specialist, 1, on=D(2024, 7, 10))

    assert _run(D(2024, 10, 9)) == {}
    assert _run(D(2024, 10, 10)) == {specialist.pk: (S.EXIT_PENDING, "roster_inactive_3_months")}
    change = StatusChange.objects.get(specialist=specialist)
    assert change.evidence["last_activity"] == "2024-07-10"
    assert change.evidence["due"] == "2024-10-10"


def test_newly_demoted_roster_specialist_gets_a_full_three_months(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 9, 2))
    services.icebreaker_record(specialist, on=D(2024, 1, 10))
    credit(specialist, 1, on=D(2024, 3, 2))

    assert _run(D(2024, 12, 1)) == {}
    assert _run(D(2024, 12, 2)) == {specialist.pk: (S.EXIT_PENDING, "roster_inactive_3_months")}


def test_roster_never_at_an_icebreaker_is_flagged_after_six_months(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=True)
    for month in range(1, 8):
        credit(specialist, 1, on=D(2024, month, 15))

    assert _run(D(2024, 7, 9)) == {}
    assert _run(D(2024, 7, 10)) == {specialist.pk: (S.EXIT_PENDING, "roster_no_icebreaker_6_months")}


# ---- Roster → general (第八条 3) ------------------------------------------------------------------


def test_roster_icebreaker_within_six_months_with_activity_returns_to_general(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=True)
    for month in range(1, 7):
        credit(specialist, 1, on=D(2024, month, 15))
    services.icebreaker_record(specialist, on=D(2024, 7, 10))

    assert _run(D(2024, 7, 10)) == {specialist.pk: (S.GENERAL, "roster_icebreaker_return")}
    assert Specialist.objects.get(pk=specialist.pk).roster_without_icebreaker is False


def test_roster_icebreaker_the_day_after_six_months_does_not_return(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=True)
    credit(specialist, 1, on=D(2024, 7, 1))
    services.icebreaker_record(specialist, on=D(2024, 7, 11))

    assert _run(D(2024, 7, 11)) == {}
    assert _status(specialist) == S.ROSTER


def test_roster_icebreaker_alone_without_other_activity_does_not_return():
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=True)
    services.icebreaker_record(specialist, on=D(2024, 3, 1))

    assert _run(D(2024, 3, 1)) == {}


def test_roster_demoted_from_general_does_not_return_by_icebreaker(credit):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10), roster_without_icebreaker=False)
    credit(specialist, 1, on=D(2024, 2, 1))
    services.icebreaker_record(specialist, on=D(2024, 2, 2))

    assert _run(D(2024, 2, 2)) == {}


def test_roster_return_on_application_needs_three_consecutive_months(credit, recorder):
    specialist = SpecialistFactory(status=S.ROSTER, status_since=D(2024, 1, 10))
    credit(specialist, 1, on=D(2024, 2, 1))
    credit(specialist, 1, on=D(2024, 3, 1))
    credit(specialist, 1, on=D(2024, 5, 1))

    with pytest.raises(BusinessRuleError):
        services.specialist_reinstate(specialist, on=D(2024, 5, 20), actor=recorder, performance_note="良好")
    credit(specialist, 1, on=D(2024, 4, 30))
    services.specialist_reinstate(specialist, on=D(2024, 5, 20), actor=recorder, performance_note="良好")

    assert _status(specialist) == S.GENERAL
    change = StatusChange.objects.get(specialist=specialist)
    assert change.evidence["months"] == ["2024-02", "2024-03", "2024-04"]
    assert change.changed_by == recorder


# ---- The run itself --------------------------------------------------------------------------


def test_one_transition_per_run_and_the_clock_restarts(probationer, credit):
    credit(probationer, 10, on=D(2024, 1, 20))

    assert _run(D(2024, 12, 31)) == {probationer.pk: (S.ROSTER, "probation_passed_no_icebreaker")}
    assert _run(D(2024, 12, 31)) == {}
    assert _run(D(2025, 3, 30)) == {}
    assert _run(D(2025, 3, 31)) == {probationer.pk: (S.EXIT_PENDING, "roster_inactive_3_months")}


def test_second_run_for_the_same_date_changes_nothing(probationer, credit):
    general = SpecialistFactory(status=S.GENERAL, status_since=D(2023, 1, 1))
    credit(probationer, 10, on=D(2024, 2, 1))

    first = _run(D(2024, 4, 15))
    history = StatusChange.objects.count()
    second = _run(D(2024, 4, 15))

    assert set(first) == {probationer.pk, general.pk}
    assert second == {}
    assert StatusChange.objects.count() == history
    assert LifecycleRun.objects.filter(as_of=D(2024, 4, 15)).values_list("changed", flat=True)[::1] == [0, 2]


def test_dry_run_writes_nothing(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))

    run, changes = lifecycle_run(as_of=D(2024, 4, 15), dry_run=True)

    assert run is None
    assert [(c.specialist_id, c.to_status) for c in changes] == [(probationer.pk, S.ROSTER)]
    assert _status(probationer) == S.PROBATION
    assert not LifecycleRun.objects.exists()


def _population(size):
    for i in range(size):
        specialist = SpecialistFactory(status=[S.GENERAL, S.ROSTER][i % 2], status_since=D(2024, 1, 1))
        if i % 3 == 0:
            services.icebreaker_record(specialist, on=D(2024, 2, 1))


@pytest.mark.parametrize("size", [4, 40])
def test_run_query_count_does_not_grow_with_specialists(django_assert_max_num_queries, size):
    _population(size)

    with django_assert_max_num_queries(12):
        _run_obj, changes = lifecycle_run(as_of=D(2024, 9, 1))

    assert len(changes) == size


def test_run_lifecycle_command_dry_run_and_real(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))
    out = io.StringIO()

    call_command("run_lifecycle", "--as-of", "2024-04-15", "--dry-run", stdout=out)
    assert _status(probationer) == S.PROBATION
    assert "would change 1 specialist(s)" in out.getvalue()

    call_command("run_lifecycle", "--as-of", "2024-04-15", stdout=out)
    assert _status(probationer) == S.ROSTER


def test_nightly_task_runs_for_a_given_date(probationer, credit):
    credit(probationer, 10, on=D(2024, 2, 1))

    result = run_lifecycle.delay(as_of="2024-04-15").get()

    assert result["changed"] == 1
    assert run_lifecycle.name == "alliance.specialists.run_lifecycle"
    assert _status(probationer) == S.ROSTER


# ---- Exit confirmation (第九条 3, 5) -----------------------------------------------------------


def test_exit_pending_is_confirmed_by_a_recorded_vote(recorder):
    from specialists.models import Meeting, Motion

    specialist = SpecialistFactory(status=S.EXIT_PENDING)
    meeting = Meeting.objects.create(kind="committee", title="专员委员会会议", held_on=D(2024, 11, 1))
    motion = Motion.objects.create(meeting=meeting, kind="exit", title="退出表决", subject=specialist)
    for voter in ("a", "b", "c"):
        services.vote_cast(
            motion, voter=SpecialistFactory(user__username=voter).user, choice="for" if voter != "c" else "against"
        )

    with pytest.raises(BusinessRuleError):
        services.specialist_confirm_exit(specialist, on=D(2024, 11, 2), decision="", actor=recorder, motion=motion)
    services.motion_close(motion, on=D(2024, 11, 1), actor=recorder)
    services.specialist_confirm_exit(specialist, on=D(2024, 11, 2), decision="", actor=recorder, motion=motion)

    specialist.refresh_from_db()
    assert (specialist.status, specialist.exited_on) == (S.EXITED, D(2024, 11, 2))
    change = StatusChange.objects.get(specialist=specialist)
    assert change.evidence["tally"] == {"for": 2, "against": 1, "abstain": 0}


@pytest.mark.parametrize(
    ("from_status", "to_status", "allowed"),
    [
        (S.APPLICANT, S.PROBATION, True),
        (S.APPLICANT, S.GENERAL, False),
        (S.PROBATION, S.EXITED, True),
        (S.GENERAL, S.ROSTER, True),
        (S.GENERAL, S.EXIT_PENDING, False),
        (S.ROSTER, S.GENERAL, True),
        (S.EXIT_PENDING, S.EXITED, True),
        (S.EXIT_PENDING, S.ROSTER, True),
        (S.EXITED, S.GENERAL, False),
        (S.REJECTED, S.PROBATION, False),
    ],
)
def test_specialist_set_status_by_a_person(recorder, from_status, to_status, allowed):
    specialist = SpecialistFactory(status=from_status)

    if allowed:
        services.specialist_set_status(specialist, to_status, as_of=D(2024, 5, 1), actor=recorder)
        assert _status(specialist) == to_status
    else:
        with pytest.raises(BusinessRuleError):
            services.specialist_set_status(specialist, to_status, as_of=D(2024, 5, 1), actor=recorder)
        assert _status(specialist) == from_status


def test_rule_cannot_make_a_persons_move():
    specialist = SpecialistFactory(status=S.EXIT_PENDING)

    with pytest.raises(BusinessRuleError):
        services.specialist_set_status(specialist, S.EXITED, as_of=D(2024, 5, 1), rule="auto")
