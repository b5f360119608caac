import datetime as dt

import pytest

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from specialists import services
from specialists.enums import LiaisonChangeStatus, MotionResult
from specialists.enums import SpecialistStatus as S
from specialists.models import ExcellentNomination, LiaisonAssignment, Meeting, Motion, StatusChange
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db
D = dt.date


def test_specialist_create_makes_a_user_with_the_specialist_role(recorder):
    specialist = services.specialist_create(
        name="孙新", email="sun@example.com", applied_on=D(2024, 1, 2), organisation="中国矿业大学", created_by=recorder
    )

    assert specialist.status == S.APPLICANT
    assert specialist.user.username == "sun"
    assert not specialist.user.has_usable_password()
    assert specialist.user.groups.filter(name="specialist").exists()
    assert specialist.user.profile.organisation.name == "中国矿业大学"
    assert StatusChange.objects.get(specialist=specialist).to_status == S.APPLICANT
    assert AuditEntry.objects.filter(action="specialist.created").count() == 1


def test_specialist_create_refuses_a_user_already_a_specialist(specialist):
    with pytest.raises(BusinessRuleError) as exc:
        services.specialist_create(name="重复", applied_on=D(2024, 1, 2), username=specialist.user.username)

    assert exc.value.field == "username"


def test_voluntary_exit_freezes_points(specialist, credit, recorder):
    credit(specialist, 50)

    services.specialist_voluntary_exit(specialist, on=D(2024, 6, 1), actor=recorder, reason="工作调动")

    specialist.refresh_from_db()
    assert (specialist.status, specialist.exited_on, specialist.balance) == (S.EXITED, D(2024, 6, 1), 50)
    with pytest.raises(BusinessRuleError):
        services.activity_record(specialist, rule="books", occurred_on=D(2024, 6, 2), actor=recorder)


def test_exit_not_confirmed_returns_to_roster_with_a_fresh_window(recorder):
    specialist = SpecialistFactory(status=S.EXIT_PENDING)

    services.specialist_keep_on_roster(specialist, on=D(2024, 6, 1), actor=recorder, reason="表决未通过")

    specialist.refresh_from_db()
    assert (specialist.status, specialist.status_since) == (S.ROSTER, D(2024, 6, 1))


@pytest.mark.parametrize(
    ("status", "call"),
    [
        (S.GENERAL, lambda s, actor: services.specialist_voluntary_exit(s, on=D(2024, 6, 1), actor=actor, reason=" ")),
        (
            S.EXIT_PENDING,
            lambda s, actor: services.specialist_keep_on_roster(s, on=D(2024, 6, 1), actor=actor, reason=""),
        ),
        (
            S.ROSTER,
            lambda s, actor: services.specialist_reinstate(s, on=D(2024, 6, 1), actor=actor, performance_note=None),
        ),
    ],
    ids=["voluntary-exit", "keep-on-roster", "reinstate"],
)
def test_status_decisions_without_a_written_reason_are_refused(recorder, status, call):
    specialist = SpecialistFactory(status=status)

    with pytest.raises(BusinessRuleError) as exc:
        call(specialist, recorder)

    assert exc.value.field in ("reason", "performance_note")
    specialist.refresh_from_db()
    assert specialist.status == status
    assert not StatusChange.objects.filter(specialist=specialist).exclude(to_status=status).exists()


def test_liaison_assign_keeps_history_and_closes_requests(specialist, recorder):
    first, second = UserFactory(is_staff=True), UserFactory(is_staff=True)
    services.liaison_assign(specialist, first, on=D(2024, 1, 1), actor=recorder)
    request = services.liaison_change_request_create(specialist, reason="联系不顺畅")

    services.liaison_assign(specialist, second, on=D(2024, 3, 1), actor=recorder, reason="专员申请更换")

    request.refresh_from_db()
    assert request.status == LiaisonChangeStatus.DONE
    assert list(LiaisonAssignment.objects.filter(specialist=specialist).values_list("liaison", "ended_on")) == [
        (second.pk, None),
        (first.pk, D(2024, 3, 1)),
    ]


def test_liaison_change_request_needs_a_reason_and_only_one_open(specialist):
    with pytest.raises(BusinessRuleError):
        services.liaison_change_request_create(specialist, reason=" ")
    services.liaison_change_request_create(specialist, reason="联系不上")
    with pytest.raises(BusinessRuleError):
        services.liaison_change_request_create(specialist, reason="again")


def test_motion_close_majority_of_votes_cast(recorder):
    meeting = Meeting.objects.create(kind="committee", title="会议", held_on=D(2024, 3, 1))
    motion = Motion.objects.create(meeting=meeting, kind="other", title="议题")
    for choice in ("for", "for", "against", "abstain"):
        services.vote_cast(motion, voter=UserFactory(), choice=choice)

    closed = services.motion_close(motion, on=D(2024, 3, 1), actor=recorder)

    assert closed.result == MotionResult.REJECTED  # 2 of 4 is not more than half


def test_vote_twice_is_refused(recorder):
    meeting = Meeting.objects.create(kind="committee", title="会议", held_on=D(2024, 3, 1))
    motion = Motion.objects.create(meeting=meeting, kind="other", title="议题")
    voter = UserFactory()
    services.vote_cast(motion, voter=voter, choice="for")

    with pytest.raises(BusinessRuleError):
        services.vote_cast(motion, voter=voter, choice="against")


def test_excellent_nomination_awarded_by_the_vote(specialist, recorder):
    services.excellent_nominate(specialist, year=2024, reason="服务与推广突出", actor=recorder)
    meeting = Meeting.objects.create(kind="assembly", title="年度大会", held_on=D(2024, 12, 20))
    motion = Motion.objects.create(meeting=meeting, kind="excellent", title="评选", subject=specialist, year=2024)
    services.vote_cast(motion, voter=UserFactory(), choice="for")

    services.motion_close(motion, on=D(2024, 12, 20), actor=recorder)

    assert ExcellentNomination.objects.get(specialist=specialist).awarded is True


def test_excellent_nomination_only_for_general(recorder):
    roster = SpecialistFactory(status=S.ROSTER)

    with pytest.raises(BusinessRuleError) as exc:
        services.excellent_nominate(roster, year=2024, reason="x", actor=recorder)

    assert exc.value.field == "specialist"
    assert not ExcellentNomination.objects.filter(specialist=roster).exists()


def test_document_request_for_general_specialists_only(specialist, recorder):
    request = services.document_request_create(specialist, kind="work_id", address="北京市海淀区")

    with pytest.raises(BusinessRuleError):
        services.document_request_create(specialist, kind="work_id", address="北京市海淀区")
    with pytest.raises(BusinessRuleError):
        services.document_request_create(SpecialistFactory(status=S.ROSTER), kind="work_id", address="北京市海淀区")
    services.document_request_mark_sent(request, on=D(2024, 5, 1), actor=recorder)
    assert request.status == "sent"


def test_membership_cap_one_third_of_general(recorder):
    from specialists.models import Committee

    specialists = [SpecialistFactory() for _ in range(6)]
    committee = Committee.objects.get(code="mining")

    services.membership_add(specialists[0], committee, on=D(2024, 1, 1), actor=recorder)
    services.membership_add(specialists[1], committee, on=D(2024, 1, 1), actor=recorder)
    with pytest.raises(BusinessRuleError):
        services.membership_add(specialists[2], committee, on=D(2024, 1, 1), actor=recorder)
    # a member may sit on a second committee without counting twice
    services.membership_add(specialists[0], Committee.objects.get(code="smart_mine"), on=D(2024, 1, 1), actor=recorder)


def test_attendance_in_the_future_is_refused(specialist, recorder):
    from .factories import ActivityFactory

    event = ActivityFactory(held_on=services.today() + dt.timedelta(days=3))

    with pytest.raises(BusinessRuleError):
        services.attendance_record(specialist, event, actor=recorder)
