"""第二十三条: main contributors and completing units per category × grade, at submission (requested
grade) and again at the final grade (the leadership group's approval and the final approval)."""

import pytest

from alliance.exceptions import BusinessRuleError
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import Category as C
from awards.enums import Grade as G
from awards.models import QuotaRule
from tests.awards.factories import ApplicationFactory, UserFactory, ready_draft, set_team

# The seed's table, copied by hand: the data file must say the same.
SEED_TABLE = {
    (C.BASIC_RESEARCH, G.FIRST): (10, 3),
    (C.BASIC_RESEARCH, G.SECOND): (8, 2),
    (C.BASIC_RESEARCH, G.THIRD): (5, 1),
    (C.INVENTION, G.FIRST): (12, 5),
    (C.INVENTION, G.SECOND): (10, 3),
    (C.INVENTION, G.THIRD): (6, 2),
    (C.PROGRESS, G.FIRST): (15, 7),
    (C.PROGRESS, G.SECOND): (12, 5),
    (C.PROGRESS, G.THIRD): (10, 3),
    (C.PUBLIC_WELFARE, G.FIRST): (15, 7),
    (C.PUBLIC_WELFARE, G.SECOND): (12, 5),
    (C.PUBLIC_WELFARE, G.THIRD): (10, 3),
}
CELLS = sorted(SEED_TABLE)


@pytest.mark.django_db
def test_quota_rows_are_the_seeds_table():
    rows = {(q.category, q.grade): (q.max_contributors, q.max_units) for q in QuotaRule.objects.all()}
    assert rows == SEED_TABLE


def _submit(category, grade, contributors, units):
    application = ready_draft(category=category, requested_grade=grade, round__year=2024)
    set_team(application, contributors, units)
    return services.application_submit(
        application, user=application.applicant, on=application.round.application_deadline
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "grade"), CELLS)
def test_submission_at_the_limit_accepted(category, grade):
    contributors, units = SEED_TABLE[category, grade]
    application = _submit(category, grade, contributors, units)
    assert application.status == S.SUBMITTED


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "grade"), CELLS)
def test_submission_one_contributor_over_refused(category, grade):
    contributors, units = SEED_TABLE[category, grade]
    with pytest.raises(BusinessRuleError) as caught:
        _submit(category, grade, contributors + 1, units)
    assert caught.value.field == "contributors"
    assert str(contributors) in caught.value.message and str(contributors + 1) in caught.value.message


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "grade"), CELLS)
def test_submission_one_unit_over_refused(category, grade):
    contributors, units = SEED_TABLE[category, grade]
    with pytest.raises(BusinessRuleError) as caught:
        _submit(category, grade, contributors, units + 1)
    assert caught.value.field == "units"


# ---- at the final grade ----------------------------------------------------------------------------


def _awaiting_leadership(category, grade, contributors, units):
    """An application proposed at `grade` (requested special), with a leadership group of one."""
    application = ApplicationFactory(
        category=category, requested_grade=G.SPECIAL, status=S.LEADERSHIP_APPROVAL, proposed_grade=grade
    )
    set_team(application, contributors, units)
    leader = UserFactory(roles=["leadership"])
    from awards.models import LeadershipMember

    LeadershipMember.objects.create(round=application.round, user=leader, is_chair=True)
    return application, leader


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "grade"), CELLS)
def test_final_grade_at_the_limit_approved(category, grade):
    application, leader = _awaiting_leadership(category, grade, *SEED_TABLE[category, grade])
    services.leadership_approve(application.round, by=leader)
    application.refresh_from_db()
    assert application.final_grade == grade


@pytest.mark.django_db
@pytest.mark.parametrize(("category", "grade"), CELLS)
@pytest.mark.parametrize("over", ["contributors", "units"])
def test_final_grade_over_the_limit_refused(category, grade, over):
    contributors, units = SEED_TABLE[category, grade]
    if over == "contributors":
        contributors += 1
    else:
        units += 1
    application, leader = _awaiting_leadership(category, grade, contributors, units)
    with pytest.raises(BusinessRuleError) as caught:
        services.leadership_approve(application.round, by=leader)
    assert caught.value.field == over
    application.refresh_from_db()
    assert application.final_grade == ""


@pytest.mark.django_db
def test_final_approval_checks_the_final_grade_again():
    application, leader = _awaiting_leadership(C.INVENTION, G.THIRD, 6, 2)
    application.status, application.final_grade = S.FINAL_APPROVAL, G.THIRD
    application.save()
    set_team(application, 7, 2)  # the office added a contributor after the notice
    with pytest.raises(BusinessRuleError):
        services.final_approve(application.round, by=leader)
    set_team(application, 6, 2)
    services.final_approve(application.round, by=leader)
    application.refresh_from_db()
    assert application.status == S.AWARDED


# ---- the special prize: limits set by the leadership group ---------------------------------------------


@pytest.mark.django_db
def test_special_grade_needs_the_leadership_groups_limits(staff_user):
    application, leader = _awaiting_leadership(C.PROGRESS, G.SPECIAL, 16, 8)
    with pytest.raises(BusinessRuleError) as caught:
        services.leadership_approve(application.round, by=leader)
    assert caught.value.code == "quota"

    services.special_limit_set(application.round, category=C.PROGRESS, max_contributors=16, max_units=8, by=staff_user)
    services.leadership_approve(application.round, by=leader)
    application.refresh_from_db()
    assert application.final_grade == G.SPECIAL


@pytest.mark.django_db
def test_special_grade_over_the_set_limit_refused(staff_user):
    application, leader = _awaiting_leadership(C.PROGRESS, G.SPECIAL, 17, 8)
    services.special_limit_set(application.round, category=C.PROGRESS, max_contributors=16, max_units=8, by=staff_user)
    with pytest.raises(BusinessRuleError) as caught:
        services.leadership_approve(application.round, by=leader)
    assert caught.value.field == "contributors"


@pytest.mark.django_db
def test_special_request_at_submission_unchecked_until_limits_are_set(staff_user):
    application = _submit(C.INVENTION, G.SPECIAL, 30, 10)
    assert application.status == S.SUBMITTED

    services.special_limit_set(application.round, category=C.INVENTION, max_contributors=20, max_units=8, by=staff_user)
    with pytest.raises(BusinessRuleError):
        _submit(C.INVENTION, G.SPECIAL, 21, 8)
