"""Bulk activity import from .xlsx: every row is checked first; all rows are recorded or none."""

from django.contrib.auth import get_user_model
from django.db import transaction

from alliance.exceptions import BusinessRuleError
from alliance.xlsx import CellError, Column, SheetErrors, parse_date, parse_decimal, parse_int, parse_text, read_sheet

from . import services
from .enums import FROZEN_STATES
from .models import PointRule, Specialist

COLUMNS = [
    Column("用户名", "username", parse_text),
    Column("规则代码", "rule", parse_text),
    Column("日期", "occurred_on", parse_date),
    Column("数量", "quantity", parse_int, required=False),
    Column("金额", "amount", parse_decimal, required=False),
    Column("级别", "level", parse_text, required=False),
    Column("说明", "description", parse_text, required=False),
]


def activities_import(fileobj, *, actor):
    """Record one 附件一 activity per row. Raises SheetErrors listing every bad cell; nothing is written then.

    Returns the list of ledger entries created.
    """
    rows = read_sheet(fileobj, COLUMNS)
    if not rows:
        raise SheetErrors([CellError(0, "file", "no rows to import")])
    usernames = {row["username"] for row in rows}
    specialists = {
        s.user.username: s for s in Specialist.objects.filter(user__username__in=usernames).select_related("user")
    }
    rules = {rule.code: rule for rule in PointRule.objects.filter(active=True)}
    today = services.today()
    errors = []
    for row in rows:
        specialist = specialists.get(row["username"])
        if specialist is None:
            exists = get_user_model().objects.filter(username=row["username"]).exists()
            errors.append(CellError(row["_row"], "用户名", "not a specialist" if exists else "no such user"))
        elif specialist.status in FROZEN_STATES:
            errors.append(CellError(row["_row"], "用户名", "this specialist has left the programme"))
        rule = rules.get(row["rule"])
        if rule is None:
            errors.append(CellError(row["_row"], "规则代码", f"unknown rule {row['rule']!r}"))
        else:
            try:
                services.rule_points(rule, quantity=row["quantity"], amount=row["amount"], level=row["level"] or "")
            except BusinessRuleError as exc:
                column = {"amount": "金额", "quantity": "数量", "level": "级别"}.get(exc.field, exc.field)
                errors.append(CellError(row["_row"], column, exc.message))
        if row["occurred_on"] and row["occurred_on"] > today:
            errors.append(CellError(row["_row"], "日期", "the date is in the future"))
    if errors:
        raise SheetErrors(errors)
    with transaction.atomic():
        return [
            services.activity_record(
                specialists[row["username"]],
                rule=rules[row["rule"]],
                occurred_on=row["occurred_on"],
                quantity=row["quantity"],
                amount=row["amount"],
                level=row["level"] or "",
                description=row["description"] or "",
                actor=actor,
            )
            for row in rows
        ]
