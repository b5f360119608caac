"""Celery tasks of the leading-technology list nominations: the deadline reminders.

Every morning (Celery beat, Asia/Shanghai) `send_reminders` looks at the campaigns whose
recommendation deadline or preliminary-evaluation deadline falls within the next N days, today
included (N: `reminder_days_before` in data/campaign.yaml, 3 when it is not set):

- before the recommendation deadline, each unit with drafts is emailed at its applicant accounts'
  addresses, with the drafts' names (二（一）: 于 11 月 20 日前推荐);
- before the preliminary-evaluation deadline, each expert of a field with nominations they have not
  scored (what `selectors.to_evaluate` gives them: their fields, never their own unit's) is emailed.

Each reminder goes once: a ReminderSent row per campaign × deadline × recipient, unique in the
database, is written in the transaction that sends the message.  A second run the same day, a retry
or a run on a later day of the window finds the row and sends nothing; two runs at once meet on the
unique index and the second sends nothing.  A message the mail server refuses leaves no row, so the
next run tries again while the deadline has not passed.
"""

import datetime as dt
import logging

from celery import shared_task
from django.contrib.auth import get_user_model
from django.contrib.postgres.aggregates import StringAgg
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from alliance.models import Organisation
from alliance.roles import Role
from alliance.validation import today

from . import reference, selectors
from .enums import Field, NominationStatus
from .models import Campaign, ExpertAssignment, Nomination, ReminderSent, ReminderStage

logger = logging.getLogger(__name__)

DEFAULT_DAYS_BEFORE = 3
TOTALS = (
    "units_sent",
    "units_skipped",
    "units_failed",
    "no_address",
    "experts_sent",
    "experts_skipped",
    "experts_failed",
)


def reminder_days():
    """How many days before a deadline the reminders start (data/campaign.yaml, else 3)."""
    value = (reference.campaign_defaults() or {}).get("reminder_days_before")
    return DEFAULT_DAYS_BEFORE if value in (None, "") else int(value)


def _date(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _send_once(connection, *, campaign, stage, deadline, emails, subject, body, pending, unit=None, expert=None):
    """Record the reminder and send it in one transaction: "sent", "skipped" (sent already, or by a
    run at the same moment) or "failed" (nothing recorded; the next run tries again)."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                campaign=campaign,
                stage=stage,
                unit=unit,
                expert=expert,
                deadline=deadline,
                emails="、".join(emails),
                pending=pending,
            )
            EmailMessage(subject, body, to=list(emails), connection=connection).send()
    except IntegrityError:
        return "skipped"
    except Exception:  # noqa: BLE001 - the mail server refused: no row, so the next run sends it
        logger.warning("nominations reminder to %s not sent", ", ".join(emails), exc_info=True)
        return "failed"
    return "sent"


def _applicant_emails(unit_ids):
    """{unit id: [email, …]} of the units' active applicant accounts with an address."""
    rows = (
        get_user_model()
        .objects.filter(profile__organisation_id__in=unit_ids, is_active=True, groups__name=Role.APPLICANT.value)
        .exclude(email="")
        .order_by("profile__organisation_id", "email")
        .values_list("profile__organisation_id", "email")
        .distinct()
    )
    emails = {}
    for unit_id, email in rows:
        emails.setdefault(unit_id, []).append(email)
    return emails


def remind_units(campaign, connection, totals):
    """Units with drafts, before the recommendation deadline."""
    stage = ReminderStage.RECOMMENDATION
    reminded = ReminderSent.objects.filter(campaign=campaign, stage=stage, unit__isnull=False).values("unit_id")
    drafts = list(
        Nomination.objects.filter(campaign=campaign, status=NominationStatus.DRAFT)
        .exclude(unit_id__in=reminded)
        .order_by("unit_id")
        .values("unit_id")
        .annotate(n=Count("pk"), names=StringAgg("name", delimiter="”“", order_by="pk"))
    )
    if not drafts:
        return
    emails = _applicant_emails([row["unit_id"] for row in drafts])
    units = Organisation.objects.in_bulk([row["unit_id"] for row in drafts])
    deadline = campaign.recommendation_deadline
    for row in drafts:
        to = emails.get(row["unit_id"])
        if not to:
            totals["no_address"] += 1
            continue
        unit = units[row["unit_id"]]
        subject = _("%(campaign)s: recommendations close on %(date)s") % {
            "campaign": campaign,
            "date": _date(deadline),
        }
        body = _(
            "%(unit)s:\n\n"
            "%(count)s of your unit's nominations are still drafts: “%(names)s”.\n"
            "Recommendations close at the end of %(date)s (Beijing time); a draft that has not been submitted "
            "by then is not recommended to the field's consortium. Please complete and submit them on the "
            "portal.\n\nThe alliance secretariat"
        ) % {"unit": unit.name, "count": row["n"], "names": row["names"], "date": _date(deadline)}
        result = _send_once(
            connection,
            campaign=campaign,
            stage=stage,
            deadline=deadline,
            emails=to,
            subject=subject,
            body=body,
            pending=row["n"],
            unit=unit,
        )
        totals[f"units_{result}"] += 1


def remind_experts(campaign, connection, totals):
    """Experts with nominations of their fields not scored yet, before the preliminary deadline."""
    stage = ReminderStage.PRELIMINARY
    reminded = ReminderSent.objects.filter(campaign=campaign, stage=stage, expert__isnull=False).values("expert_id")
    expert_ids = (
        ExpertAssignment.objects.filter(campaign=campaign)
        .exclude(expert_id__in=reminded)
        .values_list("expert_id", flat=True)
        .distinct()
    )
    experts = (
        get_user_model()
        .objects.filter(pk__in=expert_ids, is_active=True)
        .exclude(email="")
        .select_related("profile__organisation")
        .order_by("pk")
    )
    deadline = campaign.preliminary_deadline
    for expert in experts:
        unscored = [n for n in selectors.to_evaluate(expert, campaign) if not n.my_evaluation]
        if not unscored:
            continue
        by_field = {}
        for nomination in unscored:
            by_field[nomination.field] = by_field.get(nomination.field, 0) + 1
        fields = "；".join(
            _("%(field)s: %(count)s") % {"field": Field(field).label, "count": count}
            for field, count in sorted(by_field.items())
        )
        name = getattr(getattr(expert, "profile", None), "name", "") or expert.get_username()
        subject = _("%(campaign)s: the preliminary evaluation closes on %(date)s") % {
            "campaign": campaign,
            "date": _date(deadline),
        }
        body = _(
            "%(name)s:\n\n"
            "%(count)s nominations of your fields are not scored yet (%(fields)s).\n"
            "The preliminary evaluation closes at the end of %(date)s (Beijing time); scores cannot be saved "
            "or changed after that. Please score them on the portal.\n\nThe alliance secretariat"
        ) % {"name": name, "count": len(unscored), "fields": fields, "date": _date(deadline)}
        result = _send_once(
            connection,
            campaign=campaign,
            stage=stage,
            deadline=deadline,
            emails=[expert.email],
            subject=subject,
            body=body,
            pending=len(unscored),
            expert=expert,
        )
        totals[f"experts_{result}"] += 1


def reminders_run(on=None):
    """The reminders due on `on` (today in Asia/Shanghai by default); returns the counts."""
    day = on or today()
    horizon = day + dt.timedelta(days=reminder_days())
    totals = dict.fromkeys(TOTALS, 0)
    connection = get_connection()
    for campaign in Campaign.objects.filter(recommendation_deadline__range=(day, horizon)).order_by("year"):
        remind_units(campaign, connection, totals)
    for campaign in Campaign.objects.filter(preliminary_deadline__range=(day, horizon)).order_by("year"):
        remind_experts(campaign, connection, totals)
    return {"on": day.isoformat(), **totals}


# acks_late: a worker lost mid-run gives the message back; safe because a reminder already sent has its
# row and is never sent again.
@shared_task(name="alliance.nominations.send_reminders", acks_late=True, reject_on_worker_lost=True)
def send_reminders(*, on=None):
    """Beat, every morning: the deadline reminders for today in Asia/Shanghai. Idempotent."""
    return reminders_run(dt.date.fromisoformat(on) if on else None)
