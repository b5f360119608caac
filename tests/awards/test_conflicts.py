"""第三十二条 (recusal) and 第四十一条 (the pledge): who is assigned, who sees what."""

import pytest

from alliance.exceptions import BusinessRuleError, NotPermitted
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import Grade
from awards.models import PeerAssignment
from awards.selectors import applications_for, assignments_for
from tests.awards.factories import ApplicationFactory, UnitFactory, committee, expert, pledged, set_team


@pytest.mark.django_db
def test_reviewer_of_the_applying_unit_refused_naming_it(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    colleague = pledged(expert(unit=application.organisation), application.round)
    with pytest.raises(BusinessRuleError) as caught:
        services.peer_assign(application, reviewer=colleague, by=staff_user)
    assert caught.value.code == "conflict"
    assert application.organisation.name in caught.value.message
    assert not PeerAssignment.objects.exists()


@pytest.mark.django_db
def test_reviewer_of_a_completing_unit_refused(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    set_team(application, 1, 3)
    partner = application.units.get(order=2).organisation
    reviewer = pledged(expert(unit=partner), application.round)
    with pytest.raises(BusinessRuleError) as caught:
        services.peer_assign(application, reviewer=reviewer, by=staff_user)
    assert partner.name in caught.value.message


@pytest.mark.django_db
def test_reviewer_without_the_pledge_refused(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    reviewer = expert()
    with pytest.raises(BusinessRuleError) as caught:
        services.peer_assign(application, reviewer=reviewer, by=staff_user)
    assert caught.value.code == "pledge"
    services.pledge_accept(application.round, user=reviewer)
    services.peer_assign(application, reviewer=reviewer, by=staff_user)


@pytest.mark.django_db
def test_declared_conflict_unassigns_and_hides(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    reviewer = pledged(expert(), application.round)
    services.peer_assign(application, reviewer=reviewer, by=staff_user)
    services.peer_review_submit(application, reviewer=reviewer, agree=True, comments="同意。")
    assert list(applications_for(reviewer)) == [application]

    services.conflict_declare(application, user=reviewer, reason="本人曾参与该项目。")

    assert not PeerAssignment.objects.filter(reviewer=reviewer).exists()
    assert list(applications_for(reviewer)) == []
    with pytest.raises(BusinessRuleError) as caught:
        services.peer_assign(application, reviewer=reviewer, by=staff_user)
    assert "本人曾参与该项目。" in caught.value.message
    with pytest.raises(NotPermitted):
        services.peer_review_submit(application, reviewer=reviewer, agree=False, comments="x")


@pytest.mark.django_db
def test_only_the_assigned_reviewer_submits(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    stranger = pledged(expert(), application.round)
    with pytest.raises(NotPermitted):
        services.peer_review_submit(application, reviewer=stranger, agree=True, comments="同意。")


@pytest.mark.django_db
def test_assigned_reviewer_sees_nothing_without_the_pledge(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    reviewer = pledged(expert(), application.round)
    services.peer_assign(application, reviewer=reviewer, by=staff_user)
    reviewer.award_pledges.all().delete()  # as if the pledge had not been signed

    assert list(applications_for(reviewer)) == []
    assert list(assignments_for(reviewer)) == []
    with pytest.raises(NotPermitted) as caught:
        services.peer_review_submit(application, reviewer=reviewer, agree=True, comments="同意。")
    assert caught.value.code == "pledge"


@pytest.mark.django_db
def test_committee_member_of_a_unit_never_sees_or_scores_it():
    application = ApplicationFactory(status=S.COMMITTEE_REVIEW)
    members = committee(application.round, 9)
    other = ApplicationFactory(round=application.round, status=S.COMMITTEE_REVIEW)
    insider = members[3].user
    insider.profile.organisation = application.organisation
    insider.profile.save()

    assert list(applications_for(insider)) == [other]
    with pytest.raises(NotPermitted):
        services.committee_score(application, user=insider, score=95, grade=Grade.FIRST)


@pytest.mark.django_db
def test_committee_member_declared_conflict_removes_the_score():
    application = ApplicationFactory(status=S.COMMITTEE_REVIEW)
    members = committee(application.round, 9)
    services.committee_score(application, user=members[4].user, score=95, grade=Grade.FIRST)

    services.conflict_declare(application, user=members[4].user, reason="与完成人为师生关系。")

    assert not application.committee_scores.exists()
    assert application not in applications_for(members[4].user)


@pytest.mark.django_db
def test_visibility_office_applicant_stranger(staff_user):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    outsider = expert(unit=UnitFactory())
    assert application in applications_for(staff_user)
    assert list(applications_for(application.applicant)) == [application]
    assert list(applications_for(outsider)) == []


@pytest.mark.django_db
def test_committee_member_sees_nothing_before_the_committee_stage():
    application = ApplicationFactory(status=S.PEER_REVIEW)
    members = committee(application.round, 9)
    assert list(applications_for(members[2].user)) == []
