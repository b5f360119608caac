"""Rounds and the bodies that run them: the leadership group (第五条), the review committee (第七条),
the peer reviewers (第八条), the confidentiality pledge (第四十一条), special-prize limits (第二十三条)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.validation import check_date, check_year

from ..enums import Category, CommitteeRole
from ..models import (
    CommitteeMember,
    ConfidentialityPledge,
    LeadershipMember,
    PeerReviewer,
    Round,
    SpecialGradeLimit,
)
from .workflow import require_office

LEADERSHIP_SIZE = 5  # 第五条
COMMITTEE_MIN, COMMITTEE_MAX = 9, 11  # 第七条
# 第七条: 轮换比例不少于三分之一 — with at most 11 seats, at most 7 members may return.
MAX_RETURNING = COMMITTEE_MAX - -(-COMMITTEE_MAX // 3)


@transaction.atomic
def round_create(*, year, application_deadline, by, title="", peer_review_deadline=None, committee_deadline=None):
    """第三条: one round a year.  Side effects: the round, an audit entry."""
    require_office(by)
    year = check_year(year)
    if Round.objects.filter(year=year).exists():
        raise BusinessRuleError(_("The %(year)s round exists already.") % {"year": year}, field="year")
    check_date(application_deadline, field="application_deadline", planned=True)
    round_ = Round.objects.create(
        year=year,
        title=title,
        application_deadline=application_deadline,
        peer_review_deadline=peer_review_deadline,
        committee_deadline=committee_deadline,
    )
    audit.record("awards.round.created", round_, actor=by, year=year)
    return round_


@transaction.atomic
def round_update(round_, *, by, **values):
    """Change a round's title or deadlines (the office's decision).  Side effects: an audit entry."""
    require_office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    allowed = ("title", "application_deadline", "peer_review_deadline", "committee_deadline")
    changed = {}
    for name in allowed:
        if name in values and values[name] != getattr(round_, name):
            if name != "title":
                check_date(values[name], field=name, planned=True)
            changed[name] = values[name]
    if not changed:
        return round_
    for name, value in changed.items():
        setattr(round_, name, value)
    round_.save(update_fields=list(changed))
    audit.record("awards.round.updated", round_, actor=by, fields=sorted(changed))
    return round_


@transaction.atomic
def leadership_add(round_, *, user, by, is_chair=False):
    """第五条: five members, the group leader (the association's president) among them."""
    require_office(by)
    Round.objects.select_for_update().get(pk=round_.pk)
    members = LeadershipMember.objects.filter(round=round_)
    if members.filter(user=user).exists():
        raise BusinessRuleError(_("%(name)s is in the leadership group already.") % {"name": user}, field="user")
    if members.count() >= LEADERSHIP_SIZE:
        raise BusinessRuleError(
            _("The leadership group has %(size)s members (第五条).") % {"size": LEADERSHIP_SIZE}, field="user"
        )
    if is_chair and members.filter(is_chair=True).exists():
        raise BusinessRuleError(_("The leadership group has its leader already."), field="is_chair")
    member = LeadershipMember.objects.create(round=round_, user=user, is_chair=is_chair)
    audit.record(
        "awards.leadership.added", round_, actor=by, account=user.get_username(), role="chair" if is_chair else ""
    )
    return member


def is_leadership(round_, user):
    return bool(user and user.is_authenticated) and LeadershipMember.objects.filter(round=round_, user=user).exists()


def require_leadership(round_, user):
    if not is_leadership(round_, user):
        raise NotPermitted(_("Only the leadership group of the round may do this."))


def consecutive_years(round_, user):
    """How many rounds right before `round_` the user sat on the committee."""
    years = set(
        CommitteeMember.objects.filter(user=user, round__year__lt=round_.year).values_list("round__year", flat=True)
    )
    count = 0
    while round_.year - count - 1 in years:
        count += 1
    return count


def _returning(round_):
    """The members of `round_` who sat on the previous year's committee."""
    previous = CommitteeMember.objects.filter(round__year=round_.year - 1).values("user")
    return CommitteeMember.objects.filter(round=round_, user__in=previous)


@transaction.atomic
def committee_add(round_, *, user, role=CommitteeRole.MEMBER, by, acknowledge_rotation=False):
    """第七条: a member of the review committee.

    Refused: a twelfth member, a second chair or vice-chair, a returning member once no more may
    return (at least a third must be new).  A member entering a third consecutive year is refused
    with a warning (code "rotation") unless the office acknowledges it (`acknowledge_rotation`).
    Side effects: the member, an audit entry.
    """
    require_office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if role not in CommitteeRole.values:
        raise BusinessRuleError(_("Choose chair, vice-chair or member."), field="role")
    if round_.committee_confirmed_at:
        raise BusinessRuleError(_("The committee of this round has been confirmed."), field="user")
    members = CommitteeMember.objects.filter(round=round_)
    if members.filter(user=user).exists():
        raise BusinessRuleError(_("%(name)s is on the committee already.") % {"name": user}, field="user")
    if members.count() >= COMMITTEE_MAX:
        raise BusinessRuleError(
            _("The review committee has at most %(most)s members (第七条).") % {"most": COMMITTEE_MAX}, field="user"
        )
    if role != CommitteeRole.MEMBER and members.filter(role=role).exists():
        raise BusinessRuleError(
            _("The committee has its %(role)s already (第七条: one chair, one vice-chair).")
            % {"role": CommitteeRole(role).label},
            field="role",
        )
    served = consecutive_years(round_, user)
    if served and _returning(round_).count() >= MAX_RETURNING:
        raise BusinessRuleError(
            _(
                "%(most)s members of last year's committee are on it already; at least a third must be new "
                "each year (第七条)."
            )
            % {"most": MAX_RETURNING},
            field="user",
            code="rotation",
        )
    if served >= 2 and not acknowledge_rotation:
        raise BusinessRuleError(
            _(
                "%(name)s has served two consecutive years; 第七条 says the member should rotate out in the third. "
                "Confirm to appoint anyway."
            )
            % {"name": user},
            field="acknowledge_rotation",
            code="rotation_warning",
        )
    member = CommitteeMember.objects.create(
        round=round_, user=user, role=role, rotation_acknowledged=served >= 2 and acknowledge_rotation
    )
    audit.record("awards.committee.added", round_, actor=by, account=user.get_username(), role=role, served=served)
    return member


def committee_problems(round_):
    """What keeps the committee of `round_` from 第七条, as messages (empty when it complies)."""
    members = list(CommitteeMember.objects.filter(round=round_).values_list("role", flat=True))
    problems = []
    if not COMMITTEE_MIN <= len(members) <= COMMITTEE_MAX:
        problems.append(
            _("The review committee has %(count)s members; it needs %(low)s to %(high)s (第七条).")
            % {"count": len(members), "low": COMMITTEE_MIN, "high": COMMITTEE_MAX}
        )
    for role in (CommitteeRole.CHAIR, CommitteeRole.VICE_CHAIR):
        if members.count(role) != 1:
            problems.append(_("The committee needs one %(role)s (第七条).") % {"role": CommitteeRole(role).label})
    if CommitteeMember.objects.filter(round__year=round_.year - 1).exists():
        new = len(members) - _returning(round_).count()
        if 3 * new < len(members):
            problems.append(
                _("Only %(new)s of %(count)s members are new; at least a third must rotate each year (第七条).")
                % {"new": new, "count": len(members)}
            )
    return problems


@transaction.atomic
def committee_confirm(round_, *, by):
    """The office confirms the committee once it meets 第七条 (the leadership group approved it).

    Refused with every problem listed.  Side effects: the round's committee_confirmed_at, an audit entry.
    """
    require_office(by)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    problems = committee_problems(round_)
    if problems:
        raise BusinessRuleError(" ".join(str(p) for p in problems), field="committee", code="committee")
    round_.committee_confirmed_at = timezone.now()
    round_.save(update_fields=["committee_confirmed_at"])
    audit.record("awards.committee.confirmed", round_, actor=by, size=round_.committee.count())
    return round_


def reviewer_add(*, user, specialties="", by):
    """第八条: a peer reviewer in the pool, with their specialties."""
    require_office(by)
    reviewer, _created = PeerReviewer.objects.update_or_create(
        user=user, defaults={"specialties": specialties, "active": True}
    )
    audit.record("awards.reviewer.added", reviewer, actor=by, account=user.get_username())
    return reviewer


def has_pledge(round_, user):
    return (
        bool(user and user.is_authenticated) and ConfidentialityPledge.objects.filter(round=round_, user=user).exists()
    )


def require_pledge(round_, user):
    """第四十一条: before any access to the round's applications."""
    if not has_pledge(round_, user):
        raise NotPermitted(
            _("Accept the confidentiality pledge of the %(year)s round first (第四十一条).") % {"year": round_.year},
            code="pledge",
        )


def pledge_accept(round_, *, user):
    """第四十一条: the user signs the round's confidentiality pledge; again changes nothing."""
    if not user or not user.is_authenticated:
        raise NotPermitted(_("Log in first."))
    pledge, created = ConfidentialityPledge.objects.get_or_create(round=round_, user=user)
    if created:
        audit.record("awards.pledge.accepted", pledge, actor=user, year=round_.year)
    return pledge


@transaction.atomic
def special_limit_set(round_, *, category, max_contributors, max_units, by):
    """第二十三条: 特等奖项目的具体授奖人数……由领导小组确定; the office records the group's decision."""
    require_office(by)
    if category not in Category.values:
        raise BusinessRuleError(_("Choose a category."), field="category")
    from alliance.validation import check_int

    contributors = check_int(max_contributors, field="max_contributors", low=1, high=100)
    units = check_int(max_units, field="max_units", low=1, high=100)
    limit, _created = SpecialGradeLimit.objects.update_or_create(
        round=round_, category=category, defaults={"max_contributors": contributors, "max_units": units, "set_by": by}
    )
    audit.record(
        "awards.special_limit.set", round_, actor=by, category=category, contributors=contributors, units=units
    )
    return limit
