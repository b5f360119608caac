"""The lifecycle rules of seed 000 (第四条, 第七条, 第八条), evaluated for an as-of date.

One run reads every specialist in a rule-governed state with a fixed number of set-based
queries (last activity, icebreaker attendance and probation points are annotated subqueries),
decides at most one transition per specialist with the small predicates below, and writes the
changes with one UPDATE per kind of move plus bulk inserts of history and audit rows.  A
transition starts its state's clock on the as-of date, so a second run for the same date finds
nothing to do.
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Exists, IntegerField, Max, Min, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry

from .enums import LIFECYCLE_STATES, EntryKind, SpecialistStatus
from .models import Attendance, LedgerEntry, LifecycleRun, ProgrammeSettings, Specialist, StatusChange
from .services.status import RULE, move_allowed

S = SpecialistStatus
GENERAL_INACTIVE_MONTHS = 6  # 第七条 5: 连续半年没有参与活动 → 名册
ROSTER_INACTIVE_MONTHS = 3  # 第八条 3: 三个月内没有参与任何活动 → 退出
ROSTER_ICEBREAKER_MONTHS = 6  # 第八条 3: 六个月内没有参加破冰活动 → 退出; 参加破冰 → 一般
_LOCK_KEY = 8_000_001  # advisory lock: two runs never interleave
SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai_today():
    """The programme's calendar day: the rules are applied for dates in Asia/Shanghai."""
    return timezone.localdate(timezone=SHANGHAI)


@dataclass
class Change:
    specialist_id: int
    name: str
    from_status: str
    to_status: str
    rule: str
    evidence: dict = field(default_factory=dict)
    roster_without_icebreaker: bool | None = None

    @property
    def reason(self):
        return change_reason(self.rule, self.evidence)

    @property
    def rule_label(self):
        return RULE_LABELS.get(self.rule, self.rule)

    @property
    def from_label(self):
        return SpecialistStatus(self.from_status).label

    @property
    def to_label(self):
        return SpecialistStatus(self.to_status).label

    def as_dict(self):
        return {
            "specialist": self.specialist_id,
            "name": self.name,
            "from": self.from_status,
            "to": self.to_status,
            "rule": self.rule,
            "reason": self.reason,
            "evidence": self.evidence,
        }


# The rules by the article they come from, as the admin shows them.
RULE_LABELS = {
    "probation_below_minimum": gettext_lazy("Art. 7.1: probation points below the minimum"),
    "probation_passed_icebreaker": gettext_lazy("Art. 4, 7.1: probation passed, icebreaker attended"),
    "probation_passed_no_icebreaker": gettext_lazy("Art. 8.1: probation passed without an icebreaker"),
    "general_inactive_6_months": gettext_lazy("Art. 7.5: six months without activity"),
    "roster_icebreaker_return": gettext_lazy("Art. 8.3: icebreaker and activity within six months"),
    "roster_inactive_3_months": gettext_lazy("Art. 8.3: three months without activity"),
    "roster_no_icebreaker_6_months": gettext_lazy("Art. 8.3: no icebreaker within six months"),
}


def change_reason(rule, evidence):
    """One sentence, in the user's language, saying why `rule` moved a specialist, from the change's
    evidence (as stored in StatusChange.evidence: ISO dates, numbers), e.g.
    自 2026-11-23 起无活动，应于 2027-05-23 降为名册专员.  Empty for a rule it does not know."""
    e = evidence or {}
    if rule.startswith("probation_"):
        facts = {"ends": e.get("probation_ends"), "points": e.get("points"), "minimum": e.get("minimum")}
        if rule == "probation_below_minimum":
            return (
                _("Probation ended on %(ends)s with %(points)s points, below the minimum of %(minimum)s: not passed")
                % facts
            )
        if rule == "probation_passed_icebreaker":
            return (
                _(
                    "Probation ended on %(ends)s with %(points)s points (minimum %(minimum)s) and an icebreaker "
                    "attended: becomes a general specialist"
                )
                % facts
            )
        if rule == "probation_passed_no_icebreaker":
            return (
                _(
                    "Probation ended on %(ends)s with %(points)s points (minimum %(minimum)s) but no icebreaker "
                    "attended: goes on the roster"
                )
                % facts
            )
    if rule == "general_inactive_6_months":
        since = _later(e.get("general_since"), e.get("last_activity"))
        return _("No activity since %(since)s; moves to the roster on %(due)s") % {"since": since, "due": e.get("due")}
    if rule == "roster_icebreaker_return":
        return _(
            "On the roster since %(since)s; attended an icebreaker on %(icebreaker)s and an activity on "
            "%(activity)s, both by %(window_end)s: returns to general specialist"
        ) % {
            "since": e.get("roster_since"),
            "icebreaker": e.get("icebreaker"),
            "activity": e.get("activity"),
            "window_end": e.get("window_end"),
        }
    if rule == "roster_inactive_3_months":
        since = _later(e.get("roster_since"), e.get("last_activity"))
        return _("No activity on the roster since %(since)s; flagged for exit on %(due)s (three months)") % {
            "since": since,
            "due": e.get("due"),
        }
    if rule == "roster_no_icebreaker_6_months":
        return _("On the roster since %(since)s without attending an icebreaker; flagged for exit on %(due)s") % {
            "since": e.get("roster_since"),
            "due": e.get("due"),
        }
    return ""


def _later(*dates):
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def _earlier(*dates):
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def counted_entries(as_of):
    """The ledger entries that count as activity on `as_of`: activity entries not reversed, up to that day.

    "Activity" = such an entry, or an attended event (`counted_attendances`).
    """
    return LedgerEntry.objects.filter(kind=EntryKind.ACTIVITY, reversal__isnull=True, occurred_on__lte=as_of).order_by()


def counted_attendances(as_of):
    """The attendances that count on `as_of`: events held up to that day."""
    return Attendance.objects.filter(held_on__lte=as_of).order_by()


def annotated_specialists(as_of, queryset=None):
    """Specialists with the facts every rule needs, as of `as_of` (one query)."""
    queryset = Specialist.objects.all() if queryset is None else queryset
    earned = counted_entries(as_of).filter(specialist=OuterRef("pk"))
    attended = counted_attendances(as_of).filter(specialist=OuterRef("pk"))

    def agg(qs, column, func):
        return Subquery(qs.values("specialist").annotate(v=func(column)).values("v")[:1])

    return queryset.annotate(
        last_entry_on=agg(earned, "occurred_on", Max),
        last_attended_on=agg(attended, "held_on", Max),
        has_icebreaker=Exists(attended.filter(is_icebreaker=True)),
        probation_points=Coalesce(
            agg(earned.filter(occurred_on__lte=OuterRef("probation_ends")), "points", Sum),
            Value(0),
            output_field=IntegerField(),
        ),
        # Since entering the current state (used for the roster's icebreaker return).
        first_icebreaker_since=agg(
            attended.filter(is_icebreaker=True, held_on__gte=OuterRef("status_since")), "held_on", Min
        ),
        first_entry_since=agg(earned.filter(occurred_on__gte=OuterRef("status_since")), "occurred_on", Min),
        first_event_since=agg(
            attended.filter(is_icebreaker=False, held_on__gte=OuterRef("status_since")), "held_on", Min
        ),
    )


# ---- The rules: each returns (to_status, rule, evidence) or None ------------------------------


def rule_probation_end(sp, as_of, min_points):
    """第四条, 第七条 1, 第八条 1: after 3 months, enough points → general (icebreaker) or roster; else rejected."""
    if sp.probation_ends is None or as_of < sp.probation_ends:
        return None
    facts = {
        "probation_ends": sp.probation_ends,
        "points": sp.probation_points,
        "minimum": min_points,
        "icebreaker": sp.has_icebreaker,
    }
    if sp.probation_points < min_points:
        return S.REJECTED, "probation_below_minimum", facts
    if sp.has_icebreaker:
        return S.GENERAL, "probation_passed_icebreaker", facts
    return S.ROSTER, "probation_passed_no_icebreaker", facts


def rule_general_inactive(sp, as_of):
    """第七条 5: no activity for 6 consecutive months → roster."""
    last_activity = _later(sp.last_entry_on, sp.last_attended_on)
    since = _later(sp.status_since, last_activity)
    due = since + relativedelta(months=GENERAL_INACTIVE_MONTHS)
    if as_of < due:
        return None
    return (
        S.ROSTER,
        "general_inactive_6_months",
        {"last_activity": last_activity, "general_since": sp.status_since, "due": due},
    )


def rule_roster_icebreaker_return(sp, as_of):
    """第八条 3: entered without an icebreaker, attends one within 6 months and is active → general."""
    if not sp.roster_without_icebreaker or sp.first_icebreaker_since is None:
        return None
    window_end = sp.status_since + relativedelta(months=ROSTER_ICEBREAKER_MONTHS)
    activity = _earlier(sp.first_entry_since, sp.first_event_since)
    if sp.first_icebreaker_since > window_end or activity is None or activity > window_end:
        return None
    return (
        S.GENERAL,
        "roster_icebreaker_return",
        {
            "roster_since": sp.status_since,
            "icebreaker": sp.first_icebreaker_since,
            "activity": activity,
            "window_end": window_end,
        },
    )


def rule_roster_exit(sp, as_of):
    """第八条 3: → exit pending after 3 months without activity, or 6 months without an icebreaker."""
    last_activity = _later(sp.last_entry_on, sp.last_attended_on)
    since = _later(sp.status_since, last_activity)
    inactive_due = since + relativedelta(months=ROSTER_INACTIVE_MONTHS)
    if as_of >= inactive_due:
        return (
            S.EXIT_PENDING,
            "roster_inactive_3_months",
            {"roster_since": sp.status_since, "last_activity": last_activity, "due": inactive_due},
        )
    icebreaker_due = sp.status_since + relativedelta(months=ROSTER_ICEBREAKER_MONTHS)
    if not sp.has_icebreaker and as_of >= icebreaker_due:
        return (
            S.EXIT_PENDING,
            "roster_no_icebreaker_6_months",
            {"roster_since": sp.status_since, "icebreaker": None, "due": icebreaker_due},
        )
    return None


def decide(sp, as_of, min_points):
    """The one transition (if any) a specialist gets in a run."""
    if sp.status == S.PROBATION:
        return rule_probation_end(sp, as_of, min_points)
    if sp.status == S.GENERAL:
        return rule_general_inactive(sp, as_of)
    if sp.status == S.ROSTER:
        return rule_roster_icebreaker_return(sp, as_of) or rule_roster_exit(sp, as_of)
    return None


def _jsonable(data):
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def lifecycle_evaluate(as_of, *, queryset=None):
    """The changes a run for `as_of` would make, without writing anything."""
    min_points = ProgrammeSettings.current().probation_min_points
    base = (Specialist.objects.all() if queryset is None else queryset).filter(status__in=LIFECYCLE_STATES)
    # A specialist whose state began after as_of is not judged on an earlier day.
    rows = annotated_specialists(as_of, base.filter(status_since__lte=as_of)).order_by("pk")
    changes = []
    for sp in rows.iterator(chunk_size=2000):
        decision = decide(sp, as_of, min_points)
        if decision is None:
            continue
        to_status, rule, facts = decision
        if not move_allowed(sp.status, to_status, RULE):  # the same table as specialist_set_status
            continue
        flag = None
        if to_status == S.ROSTER:
            flag = not sp.has_icebreaker
        elif to_status == S.GENERAL:
            flag = False
        changes.append(Change(sp.pk, sp.name, sp.status, to_status, rule, _jsonable({"as_of": as_of, **facts}), flag))
    return changes


def lifecycle_run(*, as_of, dry_run=False, actor=None, source="schedule", expected_changes=None):
    """Evaluate the lifecycle rules for `as_of` and apply them (unless `dry_run`).

    Only today or an earlier day (Asia/Shanghai) is applied: a future `as_of` would start states'
    clocks on a day that has not come, so it is refused (BusinessRuleError on `as_of`) unless
    `dry_run`, which previews any date.  `expected_changes`, the number of changes the person saw in
    the preview, is checked under the run's lock: a different number refuses the run.

    Side effects: status and status_since (= as_of) of every changed specialist, one status-history
    row each with the rule's evidence, audit entries, and a LifecycleRun row.  Returns (run, changes);
    run is None for a dry run.  Idempotent for a given as_of.
    """
    if isinstance(as_of, str):
        as_of = dt.date.fromisoformat(as_of)
    if dry_run:
        return None, lifecycle_evaluate(as_of)
    today = shanghai_today()
    if as_of > today:
        raise BusinessRuleError(
            _(
                "The lifecycle rules can only be applied for today (%(today)s) or an earlier date; "
                "%(date)s is in the future and can only be previewed."
            )
            % {"today": today.isoformat(), "date": as_of.isoformat()},
            field="as_of",
        )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        changes = lifecycle_evaluate(as_of)
        if expected_changes is not None and len(changes) != expected_changes:
            raise BusinessRuleError(
                _(
                    "Nothing was applied: the run for %(date)s would now change %(n)s specialist(s), not the "
                    "%(expected)s you confirmed. Check the new preview."
                )
                % {"date": as_of.isoformat(), "n": len(changes), "expected": expected_changes},
                field="expected",
            )
        summary = {}
        for change in changes:
            summary[change.rule] = summary.get(change.rule, 0) + 1
        run = LifecycleRun.objects.create(
            as_of=as_of,
            triggered_by=actor,
            source=source,
            changed=len(changes),
            summary=summary,
            evaluated=Specialist.objects.filter(status__in=LIFECYCLE_STATES).count(),
        )
        _apply(changes, as_of=as_of, run=run, actor=actor)
    return run, changes


def _apply(changes, *, as_of, run, actor):
    groups = {}
    for change in changes:
        groups.setdefault((change.from_status, change.to_status, change.roster_without_icebreaker), []).append(
            change.specialist_id
        )
    for (from_status, to_status, flag), ids in groups.items():
        values = {"status": to_status, "status_since": as_of}
        if flag is not None:
            values["roster_without_icebreaker"] = flag
        Specialist.objects.filter(pk__in=ids, status=from_status).update(**values)
    StatusChange.objects.bulk_create(
        StatusChange(
            specialist_id=c.specialist_id,
            from_status=c.from_status,
            to_status=c.to_status,
            as_of=as_of,
            rule=c.rule,
            run=run,
            evidence=c.evidence,
        )
        for c in changes
    )
    content_type = ContentType.objects.get_for_model(Specialist)
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="specialist.status",
            actor=actor,
            content_type=content_type,
            object_id=str(c.specialist_id),
            object_repr=c.name[:200],
            data={"from": c.from_status, "to": c.to_status, "rule": c.rule, "as_of": as_of.isoformat(), "run": run.pk},
        )
        for c in changes
    )
