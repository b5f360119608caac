"""Bulk activity import (附件一) from .xlsx, run as a background job (alliance.imports).

The whole file is checked first and every problem reported at once; then the rows are written in
batches of BATCH_SIZE, each batch in one transaction: the batch's specialists locked in ascending
id order, the ledger rows and their audit rows inserted with one bulk insert each (the database
trigger adds the points to the balances), and the job's progress updated.

A row is recorded once: a row equal to another row of the file (same specialist, rule, date,
quantity, amount, level and source document) or to an entry already in the ledger is reported, not
recorded.  The ledger check runs under the batch's locks, so it also holds against another import
running at the same time; rows an earlier, interrupted attempt of the same job recorded carry its
`import_job` and are counted as recorded, so a retried job never records a row twice.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance import imports
from alliance.imports import ImportProblem
from alliance.models import AuditEntry
from alliance.xlsx import Column, Sheet, parse_date, parse_decimal, parse_int, parse_text

from . import services
from .enums import FROZEN_STATES, EntryKind, RuleKind, SpecialistStatus
from .models import LedgerEntry, PointRule, Specialist

KEY = "specialists.activities"
MAX_ROWS = 50_000
BATCH_SIZE = 2_000
# 第十三条: the points rules apply from 2023-07-01; an earlier activity date is a typing mistake.
EARLIEST = dt.date(2023, 7, 1)
MAX_QUANTITY = 10_000
# LedgerEntry.amount is DecimalField(max_digits=12, decimal_places=2).
MAX_AMOUNT = Decimal("9999999999.99")
MAX_POINTS = 2**31 - 1  # the points and balance columns are 32-bit integers

COLUMNS = [
    Column("用户名", "username", parse_text),
    Column("规则代码", "rule", parse_text),
    Column("日期", "occurred_on", parse_date),
    Column("数量", "quantity", parse_int, required=False),
    Column("金额", "amount", parse_decimal, required=False),
    Column("级别", "level", parse_text, required=False),
    Column("说明", "description", parse_text, required=False),
    Column("依据文件", "source_ref", parse_text, required=False),
]
HEADER = {c.key: c.header for c in COLUMNS}
_LENGTHS = {
    "level": LedgerEntry._meta.get_field("level").max_length,
    "description": LedgerEntry._meta.get_field("description").max_length,
    "source_ref": LedgerEntry._meta.get_field("source_ref").max_length,
}


def template_sheets():
    """The import sheet with an example row, and every active rule's code (with its levels)."""
    rules = list(PointRule.objects.filter(active=True))
    each = next((r for r in rules if r.kind == RuleKind.EACH), None)
    example = [
        "zhangsan",
        each.code if each else "",
        services.today(),
        1,
        None,
        "",
        _("Example row: replace or delete it"),
        "联盟〔2024〕1号",
    ]
    return [
        Sheet(_("Activities"), [c.header for c in COLUMNS], [example], widths=[16, 22, 12, 8, 12, 18, 30, 24]),
        Sheet(
            "规则代码",
            ["规则代码", "活动", "计分方式", "分值", "每多少元", "单位", "级别（代码：名称 分值）", "备注"],
            [_rule_row(r) for r in rules],
            widths=[24, 40, 16, 8, 10, 8, 60, 30],
        ),
    ]


def _rule_row(rule):
    levels = "；".join(f"{code}：{level['name']} {level['points']}" for code, level in _levels(rule))
    return [rule.code, rule.name, rule.get_kind_display(), rule.points, rule.per_amount, rule.unit, levels, rule.note]


def _levels(rule):
    # jsonb does not keep the data file's order; list the levels from the fewest points up.
    return sorted(rule.levels.items(), key=lambda item: (item[1]["points"], item[0]))


# ---- Validation -------------------------------------------------------------------------------


def validate(rows):
    """Check every row against the ledger's rules; returns (prepared rows, problems).

    Cells listed in row["_bad"] were already reported as unreadable and are not checked again.
    """
    usernames = {r["username"] for r in rows if r["username"]}
    specialists = {
        username: (pk, status, balance)
        for username, pk, status, balance in Specialist.objects.filter(user__username__in=usernames).values_list(
            "user__username", "pk", "status", "balance"
        )
    }
    users = set(
        get_user_model().objects.filter(username__in=usernames - specialists.keys()).values_list("username", flat=True)
    )
    rules = {rule.code: rule for rule in PointRule.objects.all()}
    today = services.today()
    problems, prepared = [], []
    seen = {}
    totals = defaultdict(int)
    for row in rows:
        number, bad = row["_row"], row["_bad"]
        row_problems = []

        def problem(key, message, number=number, row_problems=row_problems):
            row_problems.append(ImportProblem(number, HEADER[key], message))

        specialist = None
        if "username" not in bad:
            specialist = specialists.get(row["username"])
            if specialist is None:
                problem("username", _("Not a specialist.") if row["username"] in users else _("No such user."))
            elif specialist[1] in FROZEN_STATES:
                left = specialist[1] == SpecialistStatus.EXITED
                problem("username", _("This specialist has left the programme.") if left else _("Not a specialist."))
        rule = None
        if "rule" not in bad:
            rule = rules.get(row["rule"])
            if rule is None:
                problem(
                    "rule",
                    _("Unknown rule code %(code)s (see the sheet 规则代码 of the template).") % {"code": row["rule"]},
                )
            elif not rule.active:
                problem("rule", _("The rule %(name)s is no longer in use.") % {"name": rule.name})
                rule = None
        if "occurred_on" not in bad:
            if row["occurred_on"] > today:
                problem("occurred_on", _("The date is in the future."))
            elif row["occurred_on"] < EARLIEST:
                problem("occurred_on", _("The date is before the points rules took effect (2023-07-01)."))
        points = _check_amounts(row, rule, problem) if rule is not None else None
        for key, limit in _LENGTHS.items():
            if row[key] and len(row[key]) > limit:
                problem(key, _("At most %(n)s characters.") % {"n": limit})
        if points is not None and specialist is not None and not row_problems and not bad:
            totals[specialist[0]] += points
            if specialist[2] + totals[specialist[0]] > MAX_POINTS:
                problem("username", _("This specialist's balance would exceed the largest number of points."))
        problems.extend(row_problems)
        if row_problems or bad:  # bad cells were reported when the sheet was read
            continue
        entry = _entry_values(row, specialist[0], rule, points)
        key = entry_key(entry)
        prepared.append({**entry, "row": number, "key": key, "duplicate_of": seen.get(key)})
        seen.setdefault(key, number)
    return prepared, problems


def _check_amounts(row, rule, problem):
    """The quantity, amount and level the rule needs; returns the points, or None after a problem."""
    bad, ok = row["_bad"], True
    quantity, amount, level = row["quantity"], row["amount"], row["level"] or ""
    if "quantity" in bad or "amount" in bad or "level" in bad:
        ok = False
    if quantity is not None:
        if rule.kind == RuleKind.PER_AMOUNT:
            problem("quantity", _("%(name)s is scored on the amount; leave the quantity empty.") % {"name": rule.name})
            ok = False
        elif not 1 <= quantity <= MAX_QUANTITY:
            problem("quantity", _("The quantity must be between 1 and %(max)s.") % {"max": f"{MAX_QUANTITY:,}"})
            ok = False
    if rule.kind == RuleKind.PER_AMOUNT and "amount" not in bad:
        if amount is None:
            problem("amount", _("%(name)s is scored on an amount in yuan: enter the amount.") % {"name": rule.name})
            ok = False
        elif not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT:
            problem(
                "amount", _("The amount must be more than 0 and at most %(max)s yuan.") % {"max": f"{MAX_AMOUNT:,}"}
            )
            ok = False
        elif amount != amount.quantize(Decimal("0.01")):
            problem("amount", _("At most two decimal places (fen)."))
            ok = False
    elif amount is not None:
        problem("amount", _("%(name)s is not scored on an amount; leave it empty.") % {"name": rule.name})
        ok = False
    if rule.kind == RuleKind.BY_LEVEL and "level" not in bad:
        if level not in rule.levels:
            choices = "、".join(f"{code}（{v['name']}）" for code, v in _levels(rule))
            problem("level", _("%(name)s needs a level: one of %(choices)s.") % {"name": rule.name, "choices": choices})
            ok = False
    elif level:
        problem("level", _("%(name)s has no levels; leave the level empty.") % {"name": rule.name})
        ok = False
    if not ok:
        return None
    points = services.rule_points(rule, quantity=quantity, amount=amount, level=level)
    if points > MAX_POINTS:
        problem("quantity", _("Too many points for one row; split it."))
        return None
    return points


def _entry_values(row, specialist_id, rule, points):
    """The fields `services.activity_record` would store for this row."""
    per_amount = rule.kind == RuleKind.PER_AMOUNT
    return {
        "specialist_id": specialist_id,
        "rule_id": rule.pk,
        "rule_code": rule.code,
        "points": points,
        "quantity": None if per_amount else (row["quantity"] or 1),
        "amount": row["amount"].quantize(Decimal("0.01")) if per_amount else None,
        "level": row["level"] or "",
        "occurred_on": row["occurred_on"],
        "description": row["description"] or "",
        "source_ref": row["source_ref"] or "",
    }


KEY_FIELDS = ("specialist_id", "rule_id", "occurred_on", "quantity", "amount", "level", "source_ref")


def entry_key(values):
    """What makes two activity rows the same activity."""
    return (
        values["specialist_id"],
        values["rule_id"],
        values["occurred_on"],
        values["quantity"],
        values["amount"],
        values["level"],
        values["source_ref"],
    )


# ---- Writing ----------------------------------------------------------------------------------


def write(rows, *, job, progress):
    """Record the checked rows, BATCH_SIZE at a time; returns the counts for the job's result.

    Side effects per batch, in one transaction: the batch's specialists locked (ascending id), one
    bulk insert of ledger entries (the trigger updates the balances), one of audit entries, and the
    job's rows_done.
    """
    result = {"recorded_now": 0, "points": 0, "recorded_earlier": 0, "already_in_ledger": 0, "duplicates": 0, "left": 0}
    not_recorded = []
    content_type = ContentType.objects.get_for_model(Specialist)
    # Rows an interrupted attempt of this job recorded (none the first time): counted, not recorded again.
    earlier = {entry_key(values) for values in LedgerEntry.objects.filter(import_job=job).values(*KEY_FIELDS)}
    # Batches of neighbouring specialists: each batch locks (and the balance trigger updates) a few
    # hundred rows, not every specialist of the file each time.  Rows keep their numbers for the report.
    rows = sorted(rows, key=lambda r: (r["specialist_id"], r["row"]))
    for start in range(0, len(rows), BATCH_SIZE):
        batch = rows[start : start + BATCH_SIZE]
        with transaction.atomic():
            _write_batch(batch, job, content_type, earlier, result, not_recorded)
            progress(start + len(batch))
    result["recorded"] = LedgerEntry.objects.filter(import_job=job).count()
    result["not_recorded"] = sorted(not_recorded, key=lambda r: r["row"])[: imports.MAX_STORED_SKIPS]
    return result


def _write_batch(batch, job, content_type, earlier, result, not_recorded):
    ids = sorted({r["specialist_id"] for r in batch})
    locked = {
        pk: (status, name)
        for pk, status, name in Specialist.objects.select_for_update()
        .filter(pk__in=ids)
        .order_by("pk")
        .values_list("pk", "status", "name")
    }
    # Under the locks nobody else can add these specialists' entries: what is found is all there is.
    in_ledger = {
        entry_key(values)
        for values in LedgerEntry.objects.filter(
            specialist_id__in=ids,
            kind=EntryKind.ACTIVITY,
            occurred_on__in={r["occurred_on"] for r in batch},
            rule_id__in={r["rule_id"] for r in batch},
        )
        .exclude(import_job=job)
        .values(*KEY_FIELDS)
    }
    entries = []
    for row in batch:
        if row["duplicate_of"] is not None:
            result["duplicates"] += 1
            not_recorded.append(
                {"row": row["row"], "reason": _("Duplicate of row %(n)s.") % {"n": row["duplicate_of"]}}
            )
            continue
        if row["key"] in earlier:
            result["recorded_earlier"] += 1
            continue
        if row["key"] in in_ledger:
            result["already_in_ledger"] += 1
            not_recorded.append({"row": row["row"], "reason": _("Already in the ledger.")})
            continue
        if locked[row["specialist_id"]][0] in FROZEN_STATES:
            result["left"] += 1
            not_recorded.append({"row": row["row"], "reason": _("This specialist has left the programme.")})
            continue
        entries.append(
            LedgerEntry(
                specialist_id=row["specialist_id"],
                kind=EntryKind.ACTIVITY,
                points=row["points"],
                rule_id=row["rule_id"],
                quantity=row["quantity"],
                amount=row["amount"],
                level=row["level"],
                occurred_on=row["occurred_on"],
                description=row["description"],
                source_ref=row["source_ref"],
                import_job=job,
                recorded_by_id=job.requested_by_id,
            )
        )
    if not entries:
        return
    LedgerEntry.objects.bulk_create(entries)
    codes = {r["rule_id"]: r["rule_code"] for r in batch}
    # The same audit row activity_record writes, naming the import too.
    AuditEntry.objects.bulk_create(
        AuditEntry(
            action="specialist.points",
            actor_id=job.requested_by_id,
            content_type=content_type,
            object_id=str(e.specialist_id),
            object_repr=locked[e.specialist_id][1][:200],
            data={"rule": codes[e.rule_id], "points": e.points, "entry": e.pk, "import": str(job.pk)},
        )
        for e in entries
    )
    result["recorded_now"] += len(entries)
    result["points"] += sum(e.points for e in entries)


imports.register(
    imports.Importer(
        key=KEY,
        title=gettext_lazy("Activities (附件一 points)"),
        columns=COLUMNS,
        template=template_sheets,
        validate=validate,
        write=write,
        template_filename="activities-import-template.xlsx",
        max_rows=MAX_ROWS,
    )
)
