"""二（二）初评: experts of a field and their scores on 附件 1's six dimensions."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.roles import Role, has_role
from alliance.validation import check_int, today

from .. import caching
from ..enums import CRITERIA, EVALUABLE_STATES, SCORE_MAX
from ..models import Evaluation, ExpertAssignment, Nomination
from .checks import _date_label, _field_label, _require_staff, check_field, unit_of


def check_assignable(campaign, field, user):
    """An account with the expert role, not yet an expert of the field in the campaign."""
    username = user.get_username()
    if not has_role(user, Role.EXPERT):
        raise BusinessRuleError(
            _("%(username)s does not have the expert role.") % {"username": username}, field="username"
        )
    if ExpertAssignment.objects.filter(campaign=campaign, field=field, expert=user).exists():
        raise BusinessRuleError(
            _("%(username)s is already an expert of %(field)s.") % {"username": username, "field": _field_label(field)},
            field="username",
        )


@transaction.atomic
def expert_assign(campaign, *, field, username, actor=None):
    """An expert (a user with the expert role) of one field's preliminary evaluation.  Audit entry."""
    _require_staff(actor)
    field = check_field(field)
    user = get_user_model().objects.filter(username=username).first() if username else None
    if user is None:
        raise BusinessRuleError(
            _("No account with the username %(username)s.") % {"username": username}, field="username"
        )
    check_assignable(campaign, field, user)
    assignment = ExpertAssignment.objects.create(campaign=campaign, field=field, expert=user, assigned_by=actor)
    audit.record("nominations.expert.assigned", campaign, actor=actor, expert=user.username, field=field)
    return assignment


@transaction.atomic
def expert_unassign(assignment, *, actor=None):
    """Take an expert off a field; refused once they have scored in it (their scores are kept)."""
    _require_staff(actor)
    if Evaluation.objects.filter(
        expert=assignment.expert_id, nomination__campaign=assignment.campaign_id, nomination__field=assignment.field
    ).exists():
        raise BusinessRuleError(_("This expert has scored nominations of the field; the assignment stays."))
    audit.record(
        "nominations.expert.unassigned",
        assignment.campaign,
        actor=actor,
        expert=assignment.expert.get_username(),
        field=assignment.field,
    )
    assignment.delete()


def conflict_of_interest(expert, nomination):
    """The expert's unit (the shared registry) is the nomination's unit or its recommending unit."""
    unit = unit_of(expert)
    return unit is not None and unit.pk in (nomination.unit_id, nomination.recommender_id)


def check_scores(scores):
    """附件 1 二: the six dimensions, each a whole number from 0 to 10."""
    if not isinstance(scores, dict):
        raise BusinessRuleError(_("Send the six scores."), field="scores")
    cleaned = {}
    for code, label in CRITERIA:
        if scores.get(code) in (None, ""):
            raise BusinessRuleError(_("Score %(dimension)s.") % {"dimension": label}, field=code)
        try:
            cleaned[code] = check_int(scores[code], field=code, low=0, high=SCORE_MAX)
        except BusinessRuleError:
            raise BusinessRuleError(
                _("%(dimension)s is scored with a whole number from 0 to %(max)s.")
                % {"dimension": label, "max": SCORE_MAX},
                field=code,
            ) from None
    return cleaned


@transaction.atomic
def evaluation_save(nomination, *, expert, scores):
    """An expert's scores of a nomination of their field (二（二）初评); saved again, they replace the
    expert's earlier scores, until the preliminary-evaluation deadline (Beijing time).

    Refused for an expert not assigned to the field, for a nomination of the expert's own unit (a
    conflict of interest from the shared registry), for a nomination not recommended to the
    consortium, and after the deadline.  Side effects: the evaluation, an audit entry.
    """
    nomination = Nomination.objects.select_related("campaign").get(pk=nomination.pk)
    campaign = nomination.campaign
    if not ExpertAssignment.objects.filter(campaign=campaign, field=nomination.field, expert=expert).exists():
        raise NotPermitted(
            _("Only the experts of %(field)s score this nomination.") % {"field": _field_label(nomination.field)}
        )
    if conflict_of_interest(expert, nomination):
        raise NotPermitted(
            _("%(unit)s is your own unit; you cannot score its nomination.") % {"unit": unit_of(expert).name},
            code="conflict",
        )
    if nomination.status not in EVALUABLE_STATES:
        raise BusinessRuleError(_("This nomination is not open to the preliminary evaluation."))
    if today() > campaign.preliminary_deadline:
        raise BusinessRuleError(
            _("The preliminary evaluation closed on %(date)s; scores can no longer be saved or changed.")
            % {"date": _date_label(campaign.preliminary_deadline)},
            code="deadline",
        )
    cleaned = check_scores(scores)
    total = sum(cleaned.values())
    evaluation, created = Evaluation.objects.select_for_update().update_or_create(
        nomination=nomination, expert=expert, defaults={**cleaned, "total": total}
    )
    audit.record(
        "nominations.evaluation.saved",
        nomination,
        actor=expert,
        scores=cleaned,
        total=total,
        replaced=not created,
    )
    caching.changed(nomination.campaign_id, nomination.field)
    return evaluation
