"""Nominations: the unit's draft, its submission, the caps (二（一）) and a society's internal selection."""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import Organisation
from alliance.roles import is_secretariat

from .. import caching
from ..enums import RECOMMENDED_STATES, NominationStatus
from ..models import Nomination
from .campaigns import check_recommendation_open
from .checks import (
    REQUIRED_TO_SUBMIT,
    _field_label,
    _names,
    _require_applicant,
    _require_unit_user,
    check_field,
    check_industries,
    check_nomination_fields,
    check_text,
)

# The one transition table of a nomination's states (STYLE: one state-change function per workflow);
# nomination_set_status refuses any other move.
TRANSITIONS = {
    NominationStatus.DRAFT: {NominationStatus.SUBMITTED, NominationStatus.PRESELECTION},
    NominationStatus.PRESELECTION: {NominationStatus.SUBMITTED, NominationStatus.NOT_FORWARDED},
    NominationStatus.NOT_FORWARDED: {NominationStatus.SUBMITTED},
    NominationStatus.SUBMITTED: {
        NominationStatus.NOT_FORWARDED,
        NominationStatus.SHORTLISTED,
        NominationStatus.NOT_SELECTED,
    },
    NominationStatus.SHORTLISTED: {
        NominationStatus.SUBMITTED,
        NominationStatus.SELECTED,
        NominationStatus.NOT_SELECTED,
    },
    NominationStatus.SELECTED: set(),
    NominationStatus.NOT_SELECTED: set(),
}


# ---- caps ---------------------------------------------------------------------------------------


def _counted_by_recommender(campaign, recommender, field):
    """What counts against a recommending unit's cap in a field: its own nominations (drafts too, so a
    unit cannot prepare more than it may send) and those it forwarded from its internal selection."""
    return Nomination.objects.filter(campaign=campaign, recommender=recommender, field=field).filter(
        Q(preselected_by__isnull=True) | Q(status__in=RECOMMENDED_STATES)
    )


def _check_cap(campaign, recommender, field, *, exclude=None, adding=1):
    """二（一）: 各有关单位每个领域原则上推荐不超过 2 项 (Campaign.cap_per_field)."""
    existing = list(_counted_by_recommender(campaign, recommender, field).exclude(pk=exclude).order_by("pk"))
    if len(existing) + adding > campaign.cap_per_field:
        raise BusinessRuleError(
            _(
                "%(unit)s already has %(count)s nominations in %(field)s (%(names)s); a unit recommends at most "
                "%(cap)s per field."
            )
            % {
                "unit": recommender.name,
                "count": len(existing),
                "field": _field_label(field),
                "names": _names(existing),
                "cap": campaign.cap_per_field,
            },
            field="field",
            code="cap",
        )


def _check_preselection_cap(campaign, unit, society, *, exclude=None):
    """The society's letter: 请各单位……择优推荐 1-2 项成果 (Campaign.preselection_cap, all fields together)."""
    existing = list(
        Nomination.objects.filter(campaign=campaign, unit=unit, preselected_by=society)
        .exclude(pk=exclude)
        .order_by("pk")
    )
    if len(existing) >= campaign.preselection_cap:
        raise BusinessRuleError(
            _("%(unit)s has already put forward %(count)s technologies to %(society)s (%(names)s); at most %(cap)s.")
            % {
                "unit": unit.name,
                "count": len(existing),
                "society": society.name,
                "names": _names(existing),
                "cap": campaign.preselection_cap,
            },
            field="preselected_by",
            code="cap",
        )


def _lock_unit(organisation):
    # Cap checks of one recommender run one at a time: two requests cannot both take the last place.
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


# ---- nominations --------------------------------------------------------------------------------


def _set_pledge(nomination, accepted):
    if accepted and not nomination.pledge_accepted:
        nomination.pledge_accepted, nomination.pledge_accepted_at = True, timezone.now()
    elif not accepted:
        nomination.pledge_accepted, nomination.pledge_accepted_at = False, None


@transaction.atomic
def nomination_create(campaign, *, user, industries=(), preselected_by=None, pledge_accepted=False, **fields):
    """A nomination of the user's unit, as a draft (附件 2 推荐表).

    Refused after the recommendation deadline, past a length limit, with a TRL outside 1–9, with an
    industry code that is not a group or class, and past the cap: 2 per field for the recommending
    unit (二（一）), or the society's cap on what a member unit puts forward (`preselected_by`).
    Side effects: the nomination, its industries, an audit entry.
    """
    unit = _require_applicant(user)
    check_recommendation_open(campaign)
    for required in ("name", "field", "project_type", "trl"):
        if fields.get(required) in (None, ""):
            raise BusinessRuleError(_("This field is required."), field=required)
    cleaned = check_nomination_fields(fields)
    rows = check_industries(industries)
    if preselected_by is not None:
        if preselected_by.pk == unit.pk:
            raise BusinessRuleError(
                _("A unit does not put its technology forward to itself; nominate it directly."), field="preselected_by"
            )
        _lock_unit(preselected_by)
        _check_preselection_cap(campaign, unit, preselected_by)
        recommender = preselected_by
    else:
        _lock_unit(unit)
        _check_cap(campaign, unit, cleaned["field"])
        recommender = unit
    nomination = Nomination(
        campaign=campaign, unit=unit, recommender=recommender, preselected_by=preselected_by, created_by=user, **cleaned
    )
    _set_pledge(nomination, pledge_accepted)
    nomination.save()
    nomination.industries.set(rows)
    audit.record(
        "nominations.nomination.created",
        nomination,
        actor=user,
        unit=unit.name,
        field=nomination.field,
        society=preselected_by.name if preselected_by else "",
    )
    return nomination


@transaction.atomic
def nomination_update(nomination, *, user, industries=None, pledge_accepted=None, **fields):
    """Change a draft: the nominating unit (or the secretariat) before the recommendation deadline.

    A change of field is checked against the cap of the new field.  Side effects: an audit entry.
    """
    nomination = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    _require_unit_user(user, nomination, staff_too=True)
    if nomination.status != NominationStatus.DRAFT:
        raise BusinessRuleError(_("Only a draft can be changed; this nomination has been submitted."))
    check_recommendation_open(nomination.campaign)
    if "preselected_by" in fields:  # the caps it was counted against were those of its route
        raise BusinessRuleError(
            _("The society of the internal selection is chosen when the nomination is created."),
            field="preselected_by",
        )
    cleaned = check_nomination_fields(fields)
    if "field" in cleaned and cleaned["field"] != nomination.field and nomination.preselected_by_id is None:
        _lock_unit(nomination.recommender)
        _check_cap(nomination.campaign, nomination.recommender, cleaned["field"], exclude=nomination.pk)
    rows = check_industries(industries) if industries is not None else None
    for name, value in cleaned.items():
        setattr(nomination, name, value)
    if pledge_accepted is not None:
        _set_pledge(nomination, pledge_accepted)
    nomination.save()
    if rows is not None:
        nomination.industries.set(rows)
    changed = sorted(cleaned) + (["industries"] if rows is not None else [])
    if pledge_accepted is not None:
        changed.append("pledge_accepted")
    audit.record("nominations.nomination.updated", nomination, actor=user, fields=changed)
    caching.changed(nomination.campaign_id, nomination.field)
    return nomination


def nomination_set_status(nomination, status, *, actor=None, **facts):
    """The one state change of a nomination (TRANSITIONS); saves with update_fields and writes the audit entry.

    Callers lock the row and hold the transaction.  Extra `facts` set fields (a rank, a list position).
    """
    if status not in TRANSITIONS[nomination.status]:
        raise BusinessRuleError(
            _("A nomination that is “%(old)s” cannot become “%(new)s”.")
            % {"old": NominationStatus(nomination.status).label, "new": NominationStatus(status).label},
            field="status",
        )
    old = nomination.status
    nomination.status = status
    for name, value in facts.items():
        setattr(nomination, name, value)
    nomination.save(update_fields=["status", "updated_at", *facts])
    audit.record("nominations.nomination.status", nomination, actor=actor, **{"from": old, "to": status})
    caching.changed(nomination.campaign_id, nomination.field)
    return nomination


def _check_complete(nomination):
    for name, label in REQUIRED_TO_SUBMIT.items():
        if not getattr(nomination, name):
            raise BusinessRuleError(_("Fill in %(box)s before submitting.") % {"box": label}, field=name)
    if not nomination.industries.exists():
        raise BusinessRuleError(
            _("Give at least one key industry served (GB/T 4754-2017 group or class)."), field="industries"
        )
    if nomination.preselected_by_id is None and not nomination.recommender_opinion:
        raise BusinessRuleError(_("Write the recommending unit's opinion."), field="recommender_opinion")
    if not nomination.pledge_accepted:
        # 申报单位意见: 本单位承诺以上技术信息真实、可靠、不涉密……
        raise BusinessRuleError(
            _("Accept the pledge that the information is true, reliable and contains no secrets."),
            field="pledge_accepted",
        )


@transaction.atomic
def nomination_submit(nomination, *, user):
    """The unit submits its draft: to the field's consortium, or to the society's internal selection.

    Refused after the recommendation deadline (Beijing time), when a box of the form is empty or the
    pledge is not accepted, and past the cap.  Side effects: the status, the time, an audit entry.
    """
    nomination = Nomination.objects.select_for_update().select_related("campaign", "recommender").get(pk=nomination.pk)
    _require_unit_user(user, nomination)
    if nomination.status != NominationStatus.DRAFT:
        raise BusinessRuleError(_("This nomination has been submitted already."))
    check_recommendation_open(nomination.campaign)
    _check_complete(nomination)
    if nomination.preselected_by_id is None:
        _lock_unit(nomination.recommender)
        _check_cap(nomination.campaign, nomination.recommender, nomination.field, exclude=nomination.pk)
        target = NominationStatus.SUBMITTED
    else:
        target = NominationStatus.PRESELECTION
    return nomination_set_status(nomination, target, actor=user, submitted_at=timezone.now())


@transaction.atomic
def preselection_forward(campaign, *, society, field, ids, actor, opinion=""):
    """A society forwards its choice among what its member units put forward in a field (二（一）: at
    most `cap_per_field`, counting the society's own nominations in the field).

    The choice replaces an earlier one until the recommendation deadline: the chosen become
    `submitted`, the others of the field `not_forwarded`.  Side effects: statuses, audit entries.
    """
    if not is_secretariat(actor):
        unit = _require_applicant(actor)
        if unit.pk != society.pk:
            raise NotPermitted(_("Only the society itself forwards its selection."))
    check_recommendation_open(campaign)
    field = check_field(field)
    _lock_unit(society)
    pool = list(
        Nomination.objects.select_for_update()
        .filter(campaign=campaign, preselected_by=society, field=field)
        .exclude(status=NominationStatus.DRAFT)
        .order_by("pk")
    )
    by_id = {n.pk: n for n in pool}
    ids = [int(pk) for pk in ids]
    if len(set(ids)) != len(ids):
        raise BusinessRuleError(_("A nomination is listed twice."), field="ids")
    unknown = [pk for pk in ids if pk not in by_id]
    if unknown:
        raise BusinessRuleError(
            _("Not among the submissions to this society in this field: %(ids)s.")
            % {"ids": "、".join(str(pk) for pk in unknown)},
            field="ids",
        )
    own = list(
        Nomination.objects.filter(campaign=campaign, recommender=society, field=field, preselected_by__isnull=True)
    )
    if len(own) + len(ids) > campaign.cap_per_field:
        raise BusinessRuleError(
            _("%(unit)s recommends at most %(cap)s technologies in %(field)s; %(own)s of its own are counted.")
            % {"unit": society.name, "cap": campaign.cap_per_field, "field": _field_label(field), "own": len(own)},
            field="ids",
            code="cap",
        )
    opinion = check_text(opinion, field="recommender_opinion")
    chosen = set(ids)
    for nomination in pool:
        if nomination.pk in chosen:
            facts = {"recommender_opinion": opinion} if opinion else {}
            if nomination.status != NominationStatus.SUBMITTED:
                nomination_set_status(nomination, NominationStatus.SUBMITTED, actor=actor, **facts)
            elif facts:
                nomination.recommender_opinion = opinion
                nomination.save(update_fields=["recommender_opinion", "updated_at"])
        elif nomination.status in (NominationStatus.PRESELECTION, NominationStatus.SUBMITTED):
            nomination_set_status(nomination, NominationStatus.NOT_FORWARDED, actor=actor)
    audit.record("nominations.preselection.forwarded", society, actor=actor, field=field, size=len(ids))
    return [by_id[pk] for pk in ids]
