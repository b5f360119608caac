"""Reads and reports of the specialists programme."""

import datetime as dt

from dateutil.relativedelta import relativedelta
from django.core.paginator import Paginator
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.translation import gettext as _

from .enums import (
    FROZEN_STATES,
    EntryKind,
    LiaisonChangeStatus,
    RewardKind,
    RuleKind,
    SpecialistStatus,
)
from .lifecycle import (
    GENERAL_INACTIVE_MONTHS,
    ROSTER_ICEBREAKER_MONTHS,
    ROSTER_INACTIVE_MONTHS,
    annotated_specialists,
)
from .models import (
    Activity,
    Attendance,
    Committee,
    DocumentRequest,
    IssuedDocument,
    LedgerEntry,
    LiaisonChangeRequest,
    PointRule,
    ProgrammeSettings,
    Redemption,
    Reward,
    Specialist,
    StatusChange,
)

S = SpecialistStatus


def specialist_for_user(user, *, people=False):
    """The specialist record of a logged-in user, or None.

    With `people` (the self-service page), in the same query, who they deal with: the liaison with
    their profile, the committee, and `liaison_requested_at`, when an open request for another
    liaison was made (else None).
    """
    if not user or not user.is_authenticated:
        return None
    specialists = Specialist.objects.filter(user_id=user.pk)
    if people:
        open_request = LiaisonChangeRequest.objects.filter(
            specialist=OuterRef("pk"), status=LiaisonChangeStatus.OPEN
        ).order_by("-created_at")
        specialists = specialists.select_related("liaison__profile", "committee").annotate(
            liaison_requested_at=Subquery(open_request.values("created_at")[:1])
        )
    return specialists.first()


def ledger_of(specialist, *, kind=None, rule=None, date_from=None, date_to=None):
    """A specialist's ledger entries, newest first, with the filters given (none: the whole ledger).

    Not joined: pick a page first, then read it with `ledger_page`."""
    entries = LedgerEntry.objects.filter(specialist=specialist)
    if kind:
        entries = entries.filter(kind=kind)
    if rule:
        entries = entries.filter(rule=rule)
    if date_from:
        entries = entries.filter(occurred_on__gte=date_from)
    if date_to:
        entries = entries.filter(occurred_on__lte=date_to)
    return entries.order_by("-occurred_on", "-id")


def ledger_page(entries, number, *, per_page, count=None):
    """Page `number` of `entries` (a `ledger_of` queryset), its entries with their rule and reward.

    The page's entries are picked from the ledger first (a LIMIT/OFFSET subquery) and only they
    are joined: joining every entry before the sort cost ten times as much (bench/README.md).
    `count` is the ledger's size when the caller knows it (saves the COUNT(*)). An out-of-range
    or malformed `number` gives the last or the first page, as Paginator.get_page does.
    """
    paginator = Paginator(entries, per_page)
    if count is not None:
        paginator.count = count  # a cached_property: set, it is not counted again
    page = paginator.get_page(number)
    page.object_list = list(
        LedgerEntry.objects.filter(pk__in=page.object_list.values("pk"))
        .select_related("rule", "redemption__reward")
        .order_by("-occurred_on", "-id")
    )
    return page


def balance_of(specialist):
    return Specialist.objects.filter(pk=specialist.pk).values_list("balance", flat=True).get()


def monthly_totals(specialist, *, as_of):
    """The specialist's whole ledger by month, oldest first, in one grouped query:
    [{"month", "earned", "spent", "entries"}]; points count up to `as_of`, `entries` counts every entry.

    `occurred_on` is a date, so truncating it to the month needs no time-zone conversion.
    """
    counted = Q(occurred_on__lte=as_of)
    return list(
        LedgerEntry.objects.filter(specialist=specialist)
        .annotate(month=TruncMonth("occurred_on"))
        .values("month")
        .annotate(
            earned=Sum("points", filter=counted & Q(points__gt=0), default=0),
            spent=Sum("points", filter=counted & Q(points__lt=0), default=0),
            entries=Count("id"),
        )
        .order_by("month")
    )


def points_by_month(specialist, *, as_of, months=12, totals=None):
    """[{"month", "earned", "spent", "balance"}] for the last `months` months; balance at each month's end.

    `totals` is `monthly_totals(specialist, as_of=as_of)` when the caller has it already.
    """
    first = (as_of.replace(day=1)) - relativedelta(months=months - 1)
    totals = monthly_totals(specialist, as_of=as_of) if totals is None else totals
    running = sum(row["earned"] + row["spent"] for row in totals if row["month"] < first)
    rows = {row["month"]: row for row in totals if row["month"] >= first}
    result = []
    for i in range(months):
        month = first + relativedelta(months=i)
        row = rows.get(month, {})
        earned, spent = row.get("earned") or 0, -(row.get("spent") or 0)
        running += earned - spent
        result.append({"month": month, "earned": earned, "spent": spent, "balance": running})
    return result


def standing_facts(specialist, *, as_of):
    """What the lifecycle rules know of `specialist` on `as_of`, read as the rule run reads them
    (`lifecycle.annotated_specialists`), for this one specialist:
    {"last": the last activity or attended event, "has_icebreaker", "probation_points"}.
    """
    row = (
        annotated_specialists(as_of, Specialist.objects.filter(pk=specialist.pk))
        .values("last_entry_on", "last_attended_on", "has_icebreaker", "probation_points")
        .get()
    )
    return {
        "last": max([d for d in (row["last_entry_on"], row["last_attended_on"]) if d], default=None),
        "has_icebreaker": row["has_icebreaker"],
        "probation_points": row["probation_points"],
    }


def standing(specialist, *, as_of):
    """What keeps the specialist in good standing: the next rule dates, as [{"rule","date","message"}].

    Reads the status fields from `specialist` as given (pass a fresh row)."""
    sp = specialist
    facts = standing_facts(sp, as_of=as_of)
    last = facts["last"]
    fmt = "%Y-%m-%d"
    items = []
    if sp.status == S.PROBATION and sp.probation_ends:
        minimum = ProgrammeSettings.current().probation_min_points
        items.append(
            {
                "rule": "probation_end",
                "date": sp.probation_ends,
                "message": _(
                    "Probation ends on %(date)s: you have %(points)s of the %(minimum)s points needed; "
                    "attend an icebreaker to become a general specialist."
                )
                % {"date": sp.probation_ends.strftime(fmt), "points": facts["probation_points"], "minimum": minimum},
            }
        )
    elif sp.status == S.GENERAL:
        since = max(d for d in (sp.status_since, last) if d)
        due = since + relativedelta(months=GENERAL_INACTIVE_MONTHS)
        items.append(
            {
                "rule": "general_inactive_6_months",
                "date": due,
                "message": _("No activity since %(since)s: demotion to the roster on %(date)s.")
                % {"since": since.strftime(fmt), "date": due.strftime(fmt)},
            }
        )
    elif sp.status == S.ROSTER:
        since = max(d for d in (sp.status_since, last) if d)
        due = since + relativedelta(months=ROSTER_INACTIVE_MONTHS)
        items.append(
            {
                "rule": "roster_inactive_3_months",
                "date": due,
                "message": _("No activity since %(since)s: exit from the list on %(date)s.")
                % {"since": since.strftime(fmt), "date": due.strftime(fmt)},
            }
        )
        window = sp.status_since + relativedelta(months=ROSTER_ICEBREAKER_MONTHS)
        if not facts["has_icebreaker"]:
            items.append(
                {
                    "rule": "roster_no_icebreaker_6_months",
                    "date": window,
                    "message": _("Attend an icebreaker by %(date)s, or you leave the list on that day.")
                    % {"date": window.strftime(fmt)},
                }
            )
        if sp.roster_without_icebreaker:
            items.append(
                {
                    "rule": "roster_icebreaker_return",
                    "date": window,
                    "message": _(
                        "Attend an icebreaker and take part in activities by %(date)s to become a general "
                        "specialist again."
                    )
                    % {"date": window.strftime(fmt)},
                }
            )
    elif sp.status == S.EXIT_PENDING:
        items.append(
            {"rule": "exit_pending", "date": sp.status_since, "message": _("Your exit awaits the committee's vote.")}
        )
    return sorted(items, key=lambda item: item["date"])


def rule_choices():
    """(code, name) of every point rule, for filtering a ledger (inactive rules still name old entries)."""
    return list(PointRule.objects.order_by("order", "code").values_list("code", "name"))


def rule_catalogue():
    return list(PointRule.objects.filter(active=True).order_by("order", "code"))


def reward_catalogue(*, balance=None):
    """Active rewards with their cost (None where it depends on a price or amount) and what the balance allows."""
    items = []
    for reward in Reward.objects.filter(active=True).order_by("order", "code"):
        item = {"reward": reward, "code": reward.code, "name": reward.name, "cost": reward.cost, "kind": reward.kind}
        if balance is not None:
            if reward.kind == RewardKind.CASH:
                cashable = max(balance - reward.floor, 0)
                item["max_cash_points"] = cashable - cashable % reward.rate
                item["affordable"] = item["max_cash_points"] > 0
            elif reward.kind == RewardKind.HALF_PRICE:
                item["affordable"] = balance > 0
            else:
                item["affordable"] = balance >= reward.cost
        items.append(item)
    return items


def per_amount_of(rule):
    return rule.per_amount if rule.kind == RuleKind.PER_AMOUNT else None


def specialists_without_contact(*, as_of, days=None):
    """第六条 5: specialists in the programme with no logged liaison contact in the last `days` days."""
    days = ProgrammeSettings.current().contact_flag_days if days is None else days
    cutoff = as_of - dt.timedelta(days=days)
    return (
        Specialist.objects.exclude(status__in=[*FROZEN_STATES, S.APPLICANT])
        .annotate(last_contact=Max("contacts__contacted_on", filter=Q(contacts__contacted_on__lte=as_of)))
        .filter(Q(last_contact__isnull=True) | Q(last_contact__lt=cutoff))
        .select_related("liaison")
        .order_by(F("last_contact").asc(nulls_first=True), "name")
    )


def committee_monthly_summary(year, month):
    """第九条 4: committees take monthly turns to organise activities; rank them for the month."""
    first = dt.date(year, month, 1)
    last = first + relativedelta(months=1) - dt.timedelta(days=1)
    # Three grouped queries rather than one multi-join, whose fan-out would inflate the sums.
    held = dict(
        Activity.objects.filter(held_on__range=(first, last), committee__isnull=False)
        .values_list("committee")
        .annotate(n=Count("id"))
    )
    attended = {
        row["activity__committee"]: row
        for row in Attendance.objects.filter(held_on__range=(first, last), activity__committee__isnull=False)
        .values("activity__committee")
        .annotate(n=Count("id"), people=Count("specialist", distinct=True))
    }
    points = dict(
        LedgerEntry.objects.filter(
            activity__held_on__range=(first, last), activity__committee__isnull=False, kind=EntryKind.ACTIVITY
        )
        .values_list("activity__committee")
        .annotate(total=Sum("points"))
    )
    for committee in (committees := list(Committee.objects.all())):
        committee.activities_held = held.get(committee.pk, 0)
        committee.attendances = attended.get(committee.pk, {}).get("n", 0)
        committee.attendees = attended.get(committee.pk, {}).get("people", 0)
        committee.points = points.get(committee.pk) or 0
    rows = sorted(committees, key=lambda c: (-c.attendances, -c.activities_held, -c.points, c.order))
    ranked, previous, rank = [], None, 0
    for position, committee in enumerate(rows, start=1):
        key = (committee.attendances, committee.activities_held, committee.points or 0)
        if key != previous:
            rank, previous = position, key
        ranked.append(
            {
                "rank": rank,
                "committee": committee,
                "activities": committee.activities_held,
                "attendances": committee.attendances,
                "attendees": committee.attendees,
                "points": committee.points or 0,
            }
        )
    return ranked


def activities_in_month(year, month):
    first = dt.date(year, month, 1)
    last = first + relativedelta(months=1) - dt.timedelta(days=1)
    return Activity.objects.filter(held_on__range=(first, last)).select_related("committee")


def exit_list(*, year=None):
    """The published exit list (第六条 7): specialists who left, with the date and the decision."""
    exits = Specialist.objects.filter(status=S.EXITED).select_related("committee", "user__profile__organisation")
    if year:
        exits = exits.filter(exited_on__year=year)
    return exits.order_by("-exited_on", "name")


def exit_pending_list():
    """Specialists flagged by the rules, with the change that flagged them (evidence)."""
    flags = StatusChange.objects.filter(to_status=S.EXIT_PENDING, specialist__status=S.EXIT_PENDING)
    return flags.select_related("specialist").order_by("as_of", "specialist__name")


# 第十二条: the points a specialist earned in a year are the year's activities net of their corrections.
YEAR_POINT_KINDS = [EntryKind.ACTIVITY, EntryKind.CORRECTION]


def excellent_ranking(year, *, limit=50):
    """第十二条: general specialists ranked by the points they earned in the year."""
    return (
        Specialist.objects.filter(status=S.GENERAL)
        .annotate(
            year_points=Sum(
                "entries__points",
                filter=Q(entries__occurred_on__year=year, entries__kind__in=YEAR_POINT_KINDS),
            ),
            activities=Count("attendances", filter=Q(attendances__held_on__year=year), distinct=True),
        )
        .filter(year_points__gt=0)
        .order_by("-year_points", "name")[:limit]
    )


def with_year_points(nominations):
    """Excellent nominations annotated with `year_points`: the nominee's points in the nomination's year,
    counted as `excellent_ranking` counts them (one query for the whole list)."""
    points = (
        LedgerEntry.objects.filter(
            specialist=OuterRef("specialist_id"), occurred_on__year=OuterRef("year"), kind__in=YEAR_POINT_KINDS
        )
        .order_by()
        .values("specialist")
        .annotate(total=Sum("points"))
        .values("total")
    )
    return nominations.annotate(year_points=Coalesce(Subquery(points), 0))


def attendances_of(specialist):
    return Attendance.objects.filter(specialist=specialist).select_related("activity")


def redemptions_of(specialist, *, limit=10):
    """The specialist's latest redemptions, with their reward, and whether staff have fulfilled them."""
    redemptions = Redemption.objects.filter(specialist=specialist).select_related("reward")
    return list(redemptions.order_by("-created_at", "-id")[:limit])


def document_requests_of(specialist, *, limit=10):
    return list(DocumentRequest.objects.filter(specialist=specialist).order_by("-requested_at")[:limit])


def documents_of(specialist):
    """The certificates issued to the specialist, newest year first."""
    return list(IssuedDocument.objects.filter(specialist=specialist).order_by("-year", "kind"))
