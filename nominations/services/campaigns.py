"""Campaigns: a year's timetable and caps (二、工作安排), defaulting from data/campaign.yaml."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit
from alliance.exceptions import BusinessRuleError
from alliance.validation import check_int, check_year, today

from .. import reference
from ..models import Campaign
from .checks import _date_label, _require_staff

STAGE_FIELDS = ("recommendation_deadline", "preliminary_deadline", "final_review_deadline", "publication_date")


def check_timetable(values):
    """The four stages in the seed's order: each deadline on or after the one before."""
    dates = [values[name] for name in STAGE_FIELDS]
    for earlier, later, name in zip(dates, dates[1:], STAGE_FIELDS[1:], strict=False):
        if later < earlier:
            raise BusinessRuleError(
                _("The stages run in order: recommendation, preliminary evaluation, final review, publication."),
                field=name,
            )
    return values


def _as_date(value, field):
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise BusinessRuleError(_("Enter a date as YYYY-MM-DD."), field=field) from None


def default_deadlines(year):
    """The seed's timetable in `year` (data/campaign.yaml): {"recommendation_deadline": date, …}."""
    deadlines = reference.campaign_defaults()["deadlines"]
    keys = ("recommendation", "preliminary", "final_review", "publication")
    return {
        name: dt.date(year, deadlines[key]["month"], deadlines[key]["day"])
        for name, key in zip(STAGE_FIELDS, keys, strict=True)
    }


@transaction.atomic
def campaign_create(*, year, actor=None, **values):
    """A year's campaign; deadlines and caps not given come from data/campaign.yaml (二、工作安排).

    Side effects: the campaign, an audit entry.
    """
    _require_staff(actor)
    year = check_year(year)
    if Campaign.objects.filter(year=year).exists():
        raise BusinessRuleError(_("The %(year)s campaign exists already.") % {"year": year}, field="year")
    defaults = reference.campaign_defaults()
    seed_dates = default_deadlines(year)
    data, previous = {}, None
    for name in STAGE_FIELDS:
        value = values.get(name)
        if value not in (None, ""):
            data[name] = _as_date(value, name)
        else:
            # A stage not given takes the seed's date, or the stage before it when the office moved
            # that one past the seed's date (a recommendation deadline of 5 December, say).
            data[name] = max(seed_dates[name], data[previous]) if previous else seed_dates[name]
        previous = name
    check_timetable(data)
    bounds = {
        "cap_per_field": (1, 50),
        "preselection_cap": (1, 50),
        "shortlist_min": (1, 500),
        "shortlist_max": (1, 500),
        "list_size": (1, 1000),
    }
    for name, (low, high) in bounds.items():
        value = values.get(name)
        data[name] = check_int(defaults[name] if value in (None, "") else value, field=name, low=low, high=high)
    if data["shortlist_min"] > data["shortlist_max"]:
        raise BusinessRuleError(_("The shortlist's least size is more than its largest."), field="shortlist_min")
    campaign = Campaign.objects.create(year=year, title=str(values.get("title") or "")[:200], **data)
    audit.record(
        "nominations.campaign.created",
        campaign,
        actor=actor,
        year=year,
        **{name: data[name] for name in STAGE_FIELDS},
    )
    return campaign


@transaction.atomic
def campaign_update(campaign, *, actor=None, **values):
    """Change a campaign's deadlines and caps (the office's decision); the stages stay in order.

    Side effects: the campaign, an audit entry naming what changed.
    """
    _require_staff(actor)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    changes = {}
    for name in STAGE_FIELDS:
        if values.get(name) not in (None, ""):
            changes[name] = _as_date(values[name], name)
    bounds = {
        "cap_per_field": 50,
        "preselection_cap": 50,
        "shortlist_min": 500,
        "shortlist_max": 500,
        "list_size": 1000,
    }
    for name, high in bounds.items():
        if values.get(name) not in (None, ""):
            changes[name] = check_int(values[name], field=name, low=1, high=high)
    if "title" in values:
        changes["title"] = str(values["title"] or "")[:200]
    merged = {
        name: changes.get(name, getattr(campaign, name)) for name in (*STAGE_FIELDS, "shortlist_min", "shortlist_max")
    }
    check_timetable(merged)
    if merged["shortlist_min"] > merged["shortlist_max"]:
        raise BusinessRuleError(_("The shortlist's least size is more than its largest."), field="shortlist_min")
    changed = [name for name, value in changes.items() if getattr(campaign, name) != value]
    for name in changed:
        setattr(campaign, name, changes[name])
    if changed:
        campaign.save(update_fields=changed)
        audit.record("nominations.campaign.updated", campaign, actor=actor, fields=changed)
    return campaign


def check_recommendation_open(campaign):
    """二（一）、三（四）: recommendations close at the end of the deadline day, Beijing time."""
    if today() > campaign.recommendation_deadline:
        raise BusinessRuleError(
            _("The recommendation deadline (%(date)s) has passed; nominations can no longer be created or submitted.")
            % {"date": _date_label(campaign.recommendation_deadline)},
            code="deadline",
        )
