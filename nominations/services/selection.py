"""二（二）–（四）: each field's shortlist of 25–30 and the published list of 100."""

from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.validation import today

from .. import caching
from ..enums import EVALUABLE_STATES, NominationStatus
from ..models import Campaign, Nomination, Publication
from .checks import _date_label, _field_label, _require_staff, check_field
from .nominations import nomination_set_status


@transaction.atomic
def shortlist_set(campaign, *, field, ids, actor=None):
    """二（二）: the field's preliminary result, 每个技术领域报送 25-30 项 (Campaign.shortlist_min/max);
    a field with fewer recommended nominations than the least size sends every one of them.

    `ids` in order of rank.  A second call replaces the shortlist.  Refused before the recommendation
    deadline has passed (the field is not complete yet) and once the list is published.
    Side effects: statuses and ranks, audit entries.
    """
    _require_staff(actor)
    field = check_field(field)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if Publication.objects.filter(campaign=campaign).exists():
        raise BusinessRuleError(_("The list is published; the shortlists can no longer change."))
    if today() <= campaign.recommendation_deadline:
        raise BusinessRuleError(
            _("Recommendations are open until %(date)s; the shortlist is set after that.")
            % {"date": _date_label(campaign.recommendation_deadline)},
            code="deadline",
        )
    try:
        ids = [int(pk) for pk in ids]
    except (TypeError, ValueError):
        raise BusinessRuleError(_("Send the nominations' numbers."), field="ids") from None
    if len(set(ids)) != len(ids):
        raise BusinessRuleError(_("A nomination is listed twice."), field="ids")
    candidates = {
        n.pk: n
        for n in Nomination.objects.select_for_update().filter(
            campaign=campaign, field=field, status__in=EVALUABLE_STATES
        )
    }
    unknown = [pk for pk in ids if pk not in candidates]
    if unknown:
        raise BusinessRuleError(
            _("Not a recommended nomination of %(field)s in this campaign: %(ids)s.")
            % {"field": _field_label(field), "ids": "、".join(str(pk) for pk in unknown)},
            field="ids",
        )
    least = min(campaign.shortlist_min, len(candidates))
    if len(ids) > campaign.shortlist_max:
        raise BusinessRuleError(
            _("A field's shortlist has at most %(max)s technologies; %(count)s were chosen.")
            % {"max": campaign.shortlist_max, "count": len(ids)},
            field="ids",
        )
    if len(ids) < least:
        if least < campaign.shortlist_min:
            message = _(
                "%(field)s has %(available)s recommended nominations, fewer than %(min)s: all of them go on the "
                "shortlist; %(count)s were chosen."
            )
        else:
            message = _("A field's shortlist has at least %(min)s technologies; %(count)s were chosen.")
        raise BusinessRuleError(
            message
            % {
                "field": _field_label(field),
                "available": len(candidates),
                "min": campaign.shortlist_min,
                "count": len(ids),
            },
            field="ids",
        )
    ranks = {pk: rank for rank, pk in enumerate(ids, start=1)}
    for pk, nomination in sorted(candidates.items()):
        rank = ranks.get(pk)
        if rank is not None and nomination.status == NominationStatus.SHORTLISTED:
            if nomination.shortlist_rank != rank:
                nomination.shortlist_rank = rank
                nomination.save(update_fields=["shortlist_rank", "updated_at"])
        elif rank is not None:
            nomination_set_status(nomination, NominationStatus.SHORTLISTED, actor=actor, shortlist_rank=rank)
        elif nomination.status == NominationStatus.SHORTLISTED:
            nomination_set_status(nomination, NominationStatus.SUBMITTED, actor=actor, shortlist_rank=None)
    audit.record("nominations.shortlist.set", campaign, actor=actor, field=field, size=len(ids))
    caching.changed(campaign.pk, field)
    return [candidates[pk] for pk in ids]


@transaction.atomic
def publish(campaign, *, ids, actor=None, on=None):
    """二（三）、（四）: the final list from the shortlists, at most `list_size` (100) in the given order.

    The chosen become `selected`, every other recommended nomination of the campaign `not_selected`.
    Refused before the preliminary evaluation has closed and a second time.
    Side effects: statuses and places, the Publication, audit entries.
    """
    _require_staff(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if Publication.objects.filter(campaign=campaign).exists():
        raise BusinessRuleError(_("The %(year)s list is published already.") % {"year": campaign.year})
    if today() <= campaign.preliminary_deadline:
        raise BusinessRuleError(
            _("The preliminary evaluation runs until %(date)s; the list is decided after that.")
            % {"date": _date_label(campaign.preliminary_deadline)},
            code="deadline",
        )
    try:
        ids = [int(pk) for pk in ids]
    except (TypeError, ValueError):
        raise BusinessRuleError(_("Send the nominations' numbers."), field="ids") from None
    if len(set(ids)) != len(ids):
        raise BusinessRuleError(_("A nomination is listed twice."), field="ids")
    if not ids:
        raise BusinessRuleError(_("Choose the technologies on the list."), field="ids")
    if len(ids) > campaign.list_size:
        raise BusinessRuleError(
            _("The list has at most %(max)s technologies; %(count)s were chosen.")
            % {"max": campaign.list_size, "count": len(ids)},
            field="ids",
        )
    open_ = {
        n.pk: n for n in Nomination.objects.select_for_update().filter(campaign=campaign, status__in=EVALUABLE_STATES)
    }
    not_shortlisted = [pk for pk in ids if pk not in open_ or open_[pk].status != NominationStatus.SHORTLISTED]
    if not_shortlisted:
        raise BusinessRuleError(
            _("Only shortlisted technologies go on the list; not shortlisted: %(ids)s.")
            % {"ids": "、".join(str(pk) for pk in not_shortlisted)},
            field="ids",
        )
    places = {pk: place for place, pk in enumerate(ids, start=1)}
    for pk, nomination in sorted(open_.items()):
        if pk in places:
            nomination_set_status(nomination, NominationStatus.SELECTED, actor=actor, list_position=places[pk])
        else:
            nomination_set_status(nomination, NominationStatus.NOT_SELECTED, actor=actor)
    publication = Publication.objects.create(
        campaign=campaign, published_on=on or today(), size=len(ids), published_by=actor
    )
    audit.record("nominations.list.published", campaign, actor=actor, size=len(ids), on=publication.published_on)
    return publication
