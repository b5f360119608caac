"""第七条: the review committee — 9 to 11 members, one chair and one vice-chair, at least a third new
each year, a warning for a member entering a third consecutive year; 第五条: the leadership group."""

import pytest
from django.db import IntegrityError, transaction

from alliance.exceptions import BusinessRuleError, NotPermitted
from awards import services
from awards.enums import CommitteeRole as Role
from awards.models import CommitteeMember
from tests.awards.factories import RoundFactory, committee
from tests.factories import UserFactory


def _people(n):
    return [UserFactory(roles=["committee"]) for _ in range(n)]


def _compose(round_, users, staff, *, acknowledge=False):
    for index, user in enumerate(users):
        role = Role.CHAIR if index == 0 else Role.VICE_CHAIR if index == 1 else Role.MEMBER
        services.committee_add(round_, user=user, role=role, by=staff, acknowledge_rotation=acknowledge)


@pytest.mark.django_db
@pytest.mark.parametrize(("size", "ok"), [(8, False), (9, True), (10, True), (11, True)])
def test_committee_size(staff_user, size, ok):
    round_ = RoundFactory()
    _compose(round_, _people(size), staff_user)
    if ok:
        services.committee_confirm(round_, by=staff_user)
        round_.refresh_from_db()
        assert round_.committee_confirmed_at is not None
    else:
        with pytest.raises(BusinessRuleError) as caught:
            services.committee_confirm(round_, by=staff_user)
        assert "8" in caught.value.message


@pytest.mark.django_db
def test_twelfth_member_refused(staff_user):
    round_ = RoundFactory()
    _compose(round_, _people(11), staff_user)
    with pytest.raises(BusinessRuleError):
        services.committee_add(round_, user=UserFactory(), by=staff_user)
    assert CommitteeMember.objects.filter(round=round_).count() == 11


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.CHAIR, Role.VICE_CHAIR])
def test_one_chair_one_vice_chair(staff_user, role):
    round_ = RoundFactory()
    _compose(round_, _people(9), staff_user)
    with pytest.raises(BusinessRuleError) as caught:
        services.committee_add(round_, user=UserFactory(), role=role, by=staff_user)
    assert caught.value.field == "role"
    # The database holds it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMember.objects.create(round=round_, user=UserFactory(), role=role)


@pytest.mark.django_db
def test_confirm_needs_a_chair_and_a_vice_chair(staff_user):
    round_ = RoundFactory()
    for user in _people(9):
        services.committee_add(round_, user=user, by=staff_user)
    with pytest.raises(BusinessRuleError) as caught:
        services.committee_confirm(round_, by=staff_user)
    assert str(Role.CHAIR.label) in caught.value.message and str(Role.VICE_CHAIR.label) in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize(("size", "returning", "ok"), [
    (9, 6, True),  # 3 new of 9: exactly a third (不少于三分之一)
    (9, 7, False),  # 2 new of 9
    (10, 6, True),  # 4 new of 10
    (10, 7, False),  # 3 new of 10 is less than a third
    (11, 7, True),  # 4 new of 11
])  # fmt: skip
def test_rotation_at_least_a_third_new(staff_user, size, returning, ok):
    last_year = RoundFactory(year=2023)
    veterans = [m.user for m in committee(last_year, 11)]
    round_ = RoundFactory(year=2024)
    users = veterans[:returning] + _people(size - returning)
    _compose(round_, users, staff_user)
    if ok:
        services.committee_confirm(round_, by=staff_user)
    else:
        with pytest.raises(BusinessRuleError) as caught:
            services.committee_confirm(round_, by=staff_user)
        assert f"{size - returning}" in caught.value.message


@pytest.mark.django_db
def test_eighth_returning_member_refused_when_added(staff_user):
    last_year = RoundFactory(year=2023)
    veterans = [m.user for m in committee(last_year, 11)]
    round_ = RoundFactory(year=2024)
    _compose(round_, veterans[:7], staff_user)
    with pytest.raises(BusinessRuleError) as caught:
        services.committee_add(round_, user=veterans[7], by=staff_user)
    assert caught.value.code == "rotation"


@pytest.mark.django_db
def test_third_consecutive_year_needs_acknowledgement(staff_user):
    veteran = UserFactory(roles=["committee"])
    committee(RoundFactory(year=2022), 9, users=[veteran])
    committee(RoundFactory(year=2023), 9, users=[veteran])
    round_ = RoundFactory(year=2024)
    assert services.consecutive_years(round_, veteran) == 2

    with pytest.raises(BusinessRuleError) as caught:
        services.committee_add(round_, user=veteran, by=staff_user)
    assert caught.value.code == "rotation_warning"
    assert not CommitteeMember.objects.filter(round=round_).exists()

    member = services.committee_add(round_, user=veteran, by=staff_user, acknowledge_rotation=True)
    assert member.rotation_acknowledged is True


@pytest.mark.django_db
def test_second_consecutive_year_and_a_gap_need_no_acknowledgement(staff_user):
    second = UserFactory()
    gap = UserFactory()
    committee(RoundFactory(year=2021), 9, users=[gap])
    committee(RoundFactory(year=2023), 9, users=[second])
    round_ = RoundFactory(year=2024)
    assert services.consecutive_years(round_, second) == 1
    assert services.consecutive_years(round_, gap) == 0
    services.committee_add(round_, user=second, by=staff_user)
    services.committee_add(round_, user=gap, by=staff_user)


@pytest.mark.django_db
def test_only_the_office_composes(staff_user):
    round_ = RoundFactory()
    with pytest.raises(NotPermitted):
        services.committee_add(round_, user=UserFactory(), by=UserFactory(roles=["committee"]))


@pytest.mark.django_db
def test_confirmed_committee_is_closed(staff_user):
    round_ = RoundFactory()
    _compose(round_, _people(9), staff_user)
    services.committee_confirm(round_, by=staff_user)
    with pytest.raises(BusinessRuleError):
        services.committee_add(round_, user=UserFactory(), by=staff_user)


@pytest.mark.django_db
def test_leadership_group_of_five_with_one_leader(staff_user):
    round_ = RoundFactory()
    people = _people(6)
    services.leadership_add(round_, user=people[0], by=staff_user, is_chair=True)
    with pytest.raises(BusinessRuleError):
        services.leadership_add(round_, user=people[1], by=staff_user, is_chair=True)
    for user in people[1:5]:
        services.leadership_add(round_, user=user, by=staff_user)
    with pytest.raises(BusinessRuleError):
        services.leadership_add(round_, user=people[5], by=staff_user)


@pytest.mark.django_db
def test_scoring_waits_for_the_confirmed_committee():
    from awards.enums import ApplicationStatus as S
    from tests.awards.factories import ApplicationFactory

    application = ApplicationFactory(status=S.COMMITTEE_REVIEW)
    members = committee(application.round, 9, confirm=False)
    with pytest.raises(BusinessRuleError):
        services.committee_score(application, user=members[0].user, score=90, grade="first")


@pytest.mark.django_db
def test_pledge_is_once_per_round():
    round_ = RoundFactory()
    user = UserFactory(roles=["expert"])
    first = services.pledge_accept(round_, user=user)
    assert services.pledge_accept(round_, user=user) == first
    assert services.has_pledge(round_, user)
    assert not services.has_pledge(RoundFactory(year=2025), user)


def test_a_rounds_deadline_changed_by_the_office_is_audited(staff_user):
    import datetime as dt

    from alliance.models import AuditEntry
    from awards import services
    from awards.models import Round

    round_ = services.round_create(year=2026, application_deadline=dt.date(2026, 12, 20), by=staff_user)

    services.round_update(round_, by=staff_user, application_deadline=dt.date(2026, 12, 28))

    assert Round.objects.get(pk=round_.pk).application_deadline == dt.date(2026, 12, 28)
    entry = AuditEntry.objects.get(action="awards.round.updated")
    assert entry.data["fields"] == ["application_deadline"] and entry.actor == staff_user
