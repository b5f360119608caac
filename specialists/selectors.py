"""Reads and reports of the specialists programme."""

import datetime as dt
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import connection
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from alliance.models import Profile

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


# The self-service page and /api/me/points/ read on every view, in plain SQL through
# Model.objects.raw() or a cursor: the ORM's building of these small indexed reads cost several
# times their execution (bench/README.md, "Self-service page").


def _sql(sql, **models):
    """`sql` with its {name} placeholders filled with the models' table names."""
    return sql.format(**{name: model._meta.db_table for name, model in models.items()})


# The SQL below runs on PostgreSQL (tests, production) and on SQLite (`make run`).  SQLite's cursor
# returns computed dates and decimals as text, so values read outside a model field go through these.
def _date(value):
    return dt.date.fromisoformat(value[:10]) if isinstance(value, str) else value


def _amount(value):
    if value is None or isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-LedgerEntry._meta.get_field("amount").decimal_places))


def _role_names_sql():
    roles = "FROM {group} g JOIN {member} m ON m.group_id = g.id WHERE m.user_id = s.user_id"
    if connection.vendor == "postgresql":
        return f"ARRAY(SELECT g.name {roles})"
    return f"(SELECT group_concat(g.name, ',') {roles})"


def specialist_for_user(user, *, people=False):
    """The specialist record of a logged-in user, or None.

    With `people` (the self-service page), in the same query, who they deal with: `liaison_name` (the
    display name, else the account name) and `liaison_email` when a liaison is assigned,
    `committee_name` ("" if none) and `liaison_requested_at`, when an open request for another
    liaison was made (else None); and for the page's header, the user's own `role_names` and
    profile (`profile_id`, `profile_name`, `profile_organisation_id`; None without a profile).
    """
    if not user or not user.is_authenticated:
        return None
    if not people:
        rows = Specialist.objects.raw(_sql("SELECT * FROM {t} WHERE user_id = %s", t=Specialist), [user.pk])
        return next(iter(rows), None)
    sql = """
        SELECT s.*, COALESCE(NULLIF(p.name, ''), u.username) AS liaison_name, u.email AS liaison_email,
          COALESCE(c.name, '') AS committee_name,
          (SELECT r.created_at FROM {request} r WHERE r.specialist_id = s.id AND r.status = %s
           ORDER BY r.created_at DESC LIMIT 1) AS liaison_requested_at,
          {role_names} AS role_names,
          own.id AS profile_id, own.name AS profile_name, own.organisation_id AS profile_organisation_id
        FROM {specialist} s
        LEFT JOIN {user} u ON u.id = s.liaison_id
        LEFT JOIN {profile} p ON p.user_id = u.id
        LEFT JOIN {committee} c ON c.id = s.committee_id
        LEFT JOIN {profile} own ON own.user_id = s.user_id
        WHERE s.user_id = %s
    """
    user_model = Specialist.user.field.related_model
    models = {
        "request": LiaisonChangeRequest,
        "specialist": Specialist,
        "user": user_model,
        "profile": Profile,
        "committee": Committee,
        "group": user_model.groups.field.related_model,
        "member": user_model.groups.through,
    }
    sql = sql.replace("{role_names}", _role_names_sql())
    specialist = next(iter(Specialist.objects.raw(_sql(sql, **models), [LiaisonChangeStatus.OPEN, user.pk])), None)
    if specialist is not None and not isinstance(specialist.role_names, list):  # SQLite: "a,b" or None
        specialist.role_names = specialist.role_names.split(",") if specialist.role_names else []
    return specialist


class LedgerRows:
    """A specialist's ledger, newest first, for a Paginator (the self-service page's table and
    /api/me/points/); `rule` is a PointRule.  Rows are dicts of the entry's columns with the rule's
    `rule_code` and `rule_name` and a redemption's `reward_name`.

    A slice is one plain SQL query: the page's rows are picked from the specialist's entries first
    and only they are joined to their rule and reward.  The length is `total` when the caller knows
    it (the page sums the monthly totals), else counted with the filters.
    """

    def __init__(self, specialist, *, kind=None, rule=None, date_from=None, date_to=None, total=None):
        where, params = ["e.specialist_id = %s"], [specialist.pk]
        for condition, value in (
            ("e.kind = %s", kind),
            ("e.rule_id = %s", rule.pk if rule else None),
            ("e.occurred_on >= %s", date_from),
            ("e.occurred_on <= %s", date_to),
        ):
            if value:
                where.append(condition)
                params.append(value)
        self.where, self.params, self.total = " AND ".join(where), params, total

    def count(self):
        if self.total is None:
            with connection.cursor() as cursor:
                cursor.execute(
                    _sql("SELECT COUNT(*) FROM {ledger} e WHERE ", ledger=LedgerEntry) + self.where, self.params
                )
                self.total = cursor.fetchone()[0]
        return self.total

    def __getitem__(self, page):
        sql = """
            SELECT e.id, e.occurred_on, e.kind, e.points, e.quantity, e.amount, e.level, e.description,
                   e.reverses_id, e.redemption_id, e.transfer_id, r.code AS rule_code, r.name AS rule_name,
                   w.name AS reward_name
            FROM (SELECT * FROM {ledger} e WHERE {where} ORDER BY e.occurred_on DESC, e.id DESC LIMIT %s OFFSET %s) e
            LEFT JOIN {rule} r ON r.id = e.rule_id
            LEFT JOIN {redemption} d ON d.id = e.redemption_id
            LEFT JOIN {reward} w ON w.id = d.reward_id
            ORDER BY e.occurred_on DESC, e.id DESC
        """.replace("{where}", self.where)
        sql = _sql(sql, ledger=LedgerEntry, rule=PointRule, redemption=Redemption, reward=Reward)
        with connection.cursor() as cursor:
            cursor.execute(sql, [*self.params, page.stop - page.start, page.start])
            names = [column[0] for column in cursor.description]
            rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        for row in rows:
            row["occurred_on"], row["amount"] = _date(row["occurred_on"]), _amount(row["amount"])
        return rows


def balance_of(specialist):
    return Specialist.objects.filter(pk=specialist.pk).values_list("balance", flat=True).get()


def monthly_totals(specialist, *, as_of):
    """The specialist's whole ledger by month, oldest first, in one grouped query:
    [{"month", "earned", "spent", "entries"}]; points count up to `as_of`, `entries` counts every entry.

    Plain SQL: the self-service page runs it on every view, and the ORM's building of this grouped,
    filtered aggregate costs several times its execution (tests/specialists/test_selectors.py).
    """
    if connection.vendor == "postgresql":
        month = "date_trunc('month', occurred_on::timestamp)::date"
    else:
        month = "strftime('%%Y-%%m-01', occurred_on)"
    sql = f"""
        SELECT {month},
               SUM(CASE WHEN points > 0 AND occurred_on <= %(as_of)s THEN points ELSE 0 END),
               SUM(CASE WHEN points < 0 AND occurred_on <= %(as_of)s THEN points ELSE 0 END),
               COUNT(*)
        FROM {LedgerEntry._meta.db_table}
        WHERE specialist_id = %(id)s
        GROUP BY 1
        ORDER BY 1
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, {"id": specialist.pk, "as_of": as_of})
        rows = cursor.fetchall()
    return [{"month": _date(m), "earned": e, "spent": s, "entries": n} for m, e, s, n in rows]


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
    """What the lifecycle rules know of `specialist` on `as_of`, in one small query:
    {"last": the last activity or attended event, "has_icebreaker", "probation_points"}.

    The same facts as the rule run's `lifecycle.annotated_specialists` (which reads many specialists
    at once; `counted_entries` and `counted_attendances` define what counts), written out in SQL for
    one specialist because the self-service page asks on every view; a test holds the two equal.
    """
    counted = """
        FROM {ledger} e
        WHERE e.specialist_id = %(id)s AND e.kind = %(activity)s AND e.occurred_on <= %(as_of)s
          AND NOT EXISTS (SELECT 1 FROM {ledger} r WHERE r.reverses_id = e.id)"""
    sql = """
        SELECT
          (SELECT e.occurred_on {counted} ORDER BY e.occurred_on DESC LIMIT 1),
          (SELECT MAX(a.held_on) FROM {attendance} a WHERE a.specialist_id = %(id)s AND a.held_on <= %(as_of)s),
          EXISTS (
            SELECT 1 FROM {attendance} a
            WHERE a.specialist_id = %(id)s AND a.held_on <= %(as_of)s AND a.is_icebreaker
          ),
          (SELECT COALESCE(SUM(e.points), 0) {counted} AND e.occurred_on <= %(probation_ends)s)
    """
    tables = {"ledger": LedgerEntry._meta.db_table, "attendance": Attendance._meta.db_table}
    sql = sql.replace("{counted}", counted).format(**tables)
    params = {
        "id": specialist.pk,
        "as_of": as_of,
        "activity": EntryKind.ACTIVITY,
        "probation_ends": specialist.probation_ends,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        last_entry, last_attended, has_icebreaker, probation_points = cursor.fetchone()
    return {
        "last": max([_date(d) for d in (last_entry, last_attended) if d], default=None),
        "has_icebreaker": bool(has_icebreaker),
        "probation_points": probation_points,
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
    with connection.cursor() as cursor:
        cursor.execute(_sql('SELECT code, name FROM {t} ORDER BY "order", code', t=PointRule))
        return cursor.fetchall()


def rule_catalogue():
    return list(PointRule.objects.filter(active=True).order_by("order", "code"))


def reward_catalogue(*, balance=None):
    """Active rewards with their cost (None where it depends on a price or amount) and what the balance allows."""
    items = []
    for reward in Reward.objects.raw(_sql('SELECT * FROM {t} WHERE active ORDER BY "order", code', t=Reward)):
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
    """The specialist's latest redemptions and whether staff have fulfilled them (`reward_name` added)."""
    sql = """
        SELECT r.*, w.name AS reward_name FROM {redemption} r JOIN {reward} w ON w.id = r.reward_id
        WHERE r.specialist_id = %s ORDER BY r.created_at DESC, r.id DESC LIMIT %s
    """
    return list(Redemption.objects.raw(_sql(sql, redemption=Redemption, reward=Reward), [specialist.pk, limit]))


def document_requests_of(specialist, *, limit=10):
    sql = "SELECT * FROM {t} WHERE specialist_id = %s ORDER BY requested_at DESC LIMIT %s"
    return list(DocumentRequest.objects.raw(_sql(sql, t=DocumentRequest), [specialist.pk, limit]))


def documents_of(specialist):
    """The certificates issued to the specialist, newest year first."""
    sql = "SELECT * FROM {t} WHERE specialist_id = %s ORDER BY year DESC, kind"
    return list(IssuedDocument.objects.raw(_sql(sql, t=IssuedDocument), [specialist.pk]))
