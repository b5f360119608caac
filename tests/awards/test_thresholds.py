"""第三十一条（二）（五）: the peer tally (≥ 2/3 agree) and the committee's proposal (special and first
≥ 2/3 of all members, second and third > 1/2), and the reconsideration vote that replaces it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliance.exceptions import BusinessRuleError, NotPermitted
from awards import services
from awards.enums import ApplicationStatus as S
from awards.enums import Grade
from awards.models import PeerAssignment, PeerReview
from awards.selectors import chair_tally
from tests.awards.factories import ApplicationFactory, RoundFactory, committee, expert, pledged

G = Grade


# ---- peer review --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("agree", "assigned", "passes"),
    [(2, 3, True), (1, 3, False), (3, 3, True), (3, 4, True), (2, 4, False), (3, 5, False), (4, 5, True)],
)
def test_peer_passes_two_thirds(agree, assigned, passes):
    assert services.peer_passes(agree, assigned) is passes


def _peer_round(staff, agree, disagree):
    application = ApplicationFactory(status=S.PEER_REVIEW)
    for i in range(agree + disagree):
        reviewer = pledged(expert(), application.round)
        services.peer_assign(application, reviewer=reviewer, by=staff)
        services.peer_review_submit(application, reviewer=reviewer, agree=i < agree, comments="意见。")
    return application


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("agree", "disagree", "status"),
    [
        (2, 1, S.COMMITTEE_REVIEW),
        (1, 2, S.NOT_AWARDED),
        (3, 2, S.NOT_AWARDED),
        (4, 1, S.COMMITTEE_REVIEW),
    ],
)
def test_peer_tally_at_the_boundaries(staff_user, agree, disagree, status):
    application = _peer_round(staff_user, agree, disagree)

    services.peer_tally(application, by=staff_user)

    application.refresh_from_db()
    assert application.status == status
    # The tally in the history, in the site's language (zh-hans: "3 名函审专家中 2 名同意授奖。").
    note = application.history.get(to_status=status).note
    assert f"{agree + disagree} 名函审专家中 {agree} 名同意" in note


@pytest.mark.django_db
def test_peer_tally_waits_for_every_opinion(staff_user):
    application = _peer_round(staff_user, 3, 0)
    PeerReview.objects.filter(assignment__application=application).first().delete()

    with pytest.raises(BusinessRuleError):
        services.peer_tally(application, by=staff_user)


@pytest.mark.django_db
def test_peer_tally_needs_three_reviewers(staff_user):
    application = _peer_round(staff_user, 2, 0)
    with pytest.raises(BusinessRuleError):
        services.peer_tally(application, by=staff_user)


@pytest.mark.django_db
def test_sixth_reviewer_refused(staff_user):
    application = _peer_round(staff_user, 5, 0)
    with pytest.raises(BusinessRuleError):
        services.peer_assign(application, reviewer=pledged(expert(), application.round), by=staff_user)
    assert PeerAssignment.objects.filter(application=application).count() == 5


# ---- the committee's proposal --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("grades", "members", "expected"),
    [
        # 9 members: 6 first-grade votes give first (6/9 = 2/3), 5 do not — but 5 > 9/2 give second.
        ([G.FIRST] * 6 + [""] * 3, 9, G.FIRST),
        ([G.FIRST] * 5 + [""] * 4, 9, G.SECOND),
        ([G.FIRST] * 4 + [""] * 5, 9, None),
        # 10 members: 5 votes are not > 1/2, 6 are.
        ([G.SECOND] * 5 + [""] * 5, 10, None),
        ([G.SECOND] * 6 + [""] * 4, 10, G.SECOND),
        ([G.THIRD] * 5, 10, None),
        ([G.THIRD] * 6, 10, G.THIRD),
        # "g or higher": 3 special + 3 first of 9 make 6 for first; special alone is 3.
        ([G.SPECIAL] * 3 + [G.FIRST] * 3 + [G.THIRD] * 3, 9, G.FIRST),
        ([G.SPECIAL] * 6 + [G.THIRD] * 3, 9, G.SPECIAL),
        ([G.SPECIAL] * 2 + [G.SECOND] * 2 + [G.THIRD] * 2, 11, G.THIRD),
        ([G.SPECIAL] * 2 + [G.SECOND] * 4 + [G.THIRD] * 2, 11, G.SECOND),
        # 11 members: 2/3 is 7.33, so 8 are needed for first; 7 give second.
        ([G.FIRST] * 8, 11, G.FIRST),
        ([G.FIRST] * 7, 11, G.SECOND),
        ([], 9, None),
    ],
)
def test_grade_from_votes(grades, members, expected):
    assert services.grade_from_votes(grades, members) == expected


def _scored(votes, size, year=2024):
    """An application in committee review; the first len(votes) members recommend `votes`."""
    application = ApplicationFactory(status=S.COMMITTEE_REVIEW, round=RoundFactory(year=year))
    members = committee(application.round, size)
    for member, grade in zip(members, votes, strict=False):
        services.committee_score(application, user=member.user, score=85, grade=grade)
    return application, members


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("votes", "size", "expected"),
    [
        ([G.FIRST] * 6, 9, G.FIRST),
        ([G.FIRST] * 5, 9, G.SECOND),
        ([G.SECOND] * 5, 10, None),
        ([G.SECOND] * 6, 10, G.SECOND),
    ],
)
def test_proposal_counts_all_members_of_the_round(votes, size, expected):
    # The members who did not score still count: the seed's 2/3 and 1/2 are of the 委员.
    application, _members = _scored(votes, size)

    assert services.proposed_grade(application) == expected
    assert services.round_proposals(application.round) == {application.pk: expected}


@pytest.mark.django_db
def test_round_proposals_in_constant_queries():
    round_ = RoundFactory()
    members = committee(round_, 11)
    for _ in range(6):
        application = ApplicationFactory(round=round_, status=S.COMMITTEE_REVIEW)
        for member in members:
            services.committee_score(application, user=member.user, score=80, grade=G.SECOND)

    with CaptureQueriesContext(connection) as ctx:
        proposals = services.round_proposals(round_)

    assert len(ctx.captured_queries) == 4
    assert set(proposals.values()) == {G.SECOND}


@pytest.mark.django_db
def test_chair_tally_per_grade():
    application, _members = _scored([G.FIRST] * 5 + [G.THIRD] * 2 + [""], 9)

    tally = chair_tally(application)

    assert tally["members"] == 9 and tally["scored"] == 8 and tally["no_award"] == 1
    assert [(row["grade"], row["votes"], row["at_or_above"], row["reached"]) for row in tally["grades"]] == [
        (G.SPECIAL, 0, 0, False),
        (G.FIRST, 5, 5, False),
        (G.SECOND, 0, 5, True),
        (G.THIRD, 2, 7, True),
    ]
    assert tally["proposal"] == G.SECOND
    assert tally["mean_score"] == 85


@pytest.mark.django_db
def test_chair_tally_in_two_queries_whatever_the_committee():
    small, _ = _scored([G.FIRST] * 9, 9)
    large, _ = _scored([G.SECOND] * 11, 11, year=2025)
    counts = []
    for application in (small, large):
        with CaptureQueriesContext(connection) as ctx:
            chair_tally(application)
        counts.append(len(ctx.captured_queries))
    assert counts == [2, 2]


@pytest.mark.django_db
@pytest.mark.parametrize("score", [-1, 101, "九十"])
def test_score_outside_0_100_refused(score):
    application, members = _scored([], 9)
    with pytest.raises(BusinessRuleError):
        services.committee_score(application, user=members[0].user, score=score, grade=G.FIRST)


@pytest.mark.django_db
def test_score_again_replaces():
    application, members = _scored([G.FIRST], 9)
    services.committee_score(application, user=members[0].user, score=70, grade=G.THIRD)
    assert list(application.committee_scores.values_list("score", "recommended_grade")) == [(70, G.THIRD)]


# ---- reconsideration ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reconsideration_replaces_the_proposal(staff_user):
    application, members = _scored([G.FIRST] * 5 + [""] * 4, 9)
    assert services.proposed_grade(application) == G.SECOND
    present = members[:9]
    reconsideration = services.reconsideration_call(application, by=members[0].user, present=present)

    for member in present[:6]:
        services.reconsideration_vote(reconsideration, user=member.user, grade=G.FIRST)
    assert services.proposed_grade(application) == G.SECOND  # not over until every member present voted
    for member in present[6:]:
        services.reconsideration_vote(reconsideration, user=member.user, grade="")

    application.refresh_from_db()
    assert application.proposed_grade == G.FIRST
    assert services.proposed_grade(application) == G.FIRST
    assert services.round_proposals(application.round) == {application.pk: G.FIRST}
    services.committee_conclude(application.round, by=staff_user)
    application.refresh_from_db()
    assert (application.status, application.proposed_grade) == (S.LEADERSHIP_APPROVAL, G.FIRST)


@pytest.mark.django_db
def test_reconsideration_can_take_the_award_away(staff_user):
    application, members = _scored([G.FIRST] * 9, 9)
    reconsideration = services.reconsideration_call(application, by=members[0].user, present=members[:8])
    # 4 of the 8 present are not more than half.
    for index, member in enumerate(members[:8]):
        services.reconsideration_vote(reconsideration, user=member.user, grade=G.THIRD if index < 4 else "")

    assert services.proposed_grade(application) is None
    services.committee_conclude(application.round, by=staff_user)
    application.refresh_from_db()
    assert (application.status, application.proposed_grade) == (S.NOT_AWARDED, "")


@pytest.mark.django_db
def test_only_the_chair_calls_a_reconsideration():
    application, members = _scored([G.FIRST] * 9, 9)
    with pytest.raises(NotPermitted):
        services.reconsideration_call(application, by=members[1].user, present=members)


@pytest.mark.django_db
def test_absent_member_does_not_vote_and_nobody_votes_twice():
    application, members = _scored([G.FIRST] * 9, 9)
    reconsideration = services.reconsideration_call(application, by=members[0].user, present=members[:7])
    with pytest.raises(NotPermitted):
        services.reconsideration_vote(reconsideration, user=members[8].user, grade=G.FIRST)
    services.reconsideration_vote(reconsideration, user=members[0].user, grade=G.FIRST)
    with pytest.raises(BusinessRuleError):
        services.reconsideration_vote(reconsideration, user=members[0].user, grade=G.SECOND)


@pytest.mark.django_db
def test_conclude_refused_while_a_vote_is_open(staff_user):
    application, members = _scored([G.FIRST] * 9, 9)
    services.reconsideration_call(application, by=members[0].user, present=members)
    with pytest.raises(BusinessRuleError):
        services.committee_conclude(application.round, by=staff_user)
