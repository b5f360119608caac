"""Workbooks of the specialists programme (streamed by alliance.xlsx)."""

from django.utils import timezone

from alliance.xlsx import Sheet

from .enums import EntryKind, SpecialistStatus
from .models import LedgerEntry, Specialist


def _local(moment):
    """An aware datetime as the alliance's wall-clock time (Excel has no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def _labels(choices):
    return {value: str(label) for value, label in choices}


def roster_sheet(queryset=None):
    """Read as plain rows (`values_list`) through one server-side cursor: no model instances."""
    specialists = Specialist.objects.all() if queryset is None else queryset
    statuses = _labels(SpecialistStatus.choices)

    def rows():
        for row in (
            specialists.order_by("status", "name")
            .values_list(
                "pk",
                "name",
                "user__username",
                "user__profile__organisation__name",
                "status",
                "status_since",
                "applied_on",
                "approved_on",
                "probation_ends",
                "balance",
                "committee__name",
                "liaison__profile__name",
                "liaison__username",
                "email",
                "phone",
                "exited_on",
            )
            .iterator(chunk_size=5000)
        ):
            yield [
                *row[:4],
                statuses.get(row[4], row[4]),
                *row[5:11],
                row[11] or row[12] or "",  # the liaison's name, else their account
                *row[13:],
            ]

    return Sheet(
        "特别专员名册",
        [
            "ID",
            "姓名",
            "用户名",
            "单位",
            "状态",
            "状态起始",
            "申请日期",
            "批准日期",
            "试用期满",
            "积分余额",
            "专业委员会",
            "联络人",
            "邮箱",
            "电话",
            "退出日期",
        ],
        rows(),
        [8, 12, 14, 28, 14, 12, 12, 12, 12, 10, 20, 12, 24, 14, 12],
    )


def ledger_sheet(queryset=None):
    """Read as plain rows (`values_list`) through one server-side cursor: no model instances."""
    entries = LedgerEntry.objects.all() if queryset is None else queryset
    kinds = _labels(EntryKind.choices)

    def rows():
        for row in (
            entries.order_by("specialist_id", "occurred_on", "id")
            .values_list(
                "id",
                "specialist_id",
                "specialist__name",
                "occurred_on",
                "kind",
                "rule__code",
                "rule__name",
                "quantity",
                "amount",
                "level",
                "points",
                "description",
                "reverses_id",
                "recorded_by__username",
                "recorded_at",
            )
            .iterator(chunk_size=5000)
        ):
            yield [*row[:4], kinds.get(row[4], row[4]), *row[5:14], _local(row[14])]

    return Sheet(
        "积分台账",
        [
            "流水号",
            "专员ID",
            "姓名",
            "日期",
            "类型",
            "规则代码",
            "规则",
            "数量",
            "金额(元)",
            "级别",
            "积分",
            "说明",
            "冲正流水号",
            "录入人",
            "录入时间（北京时间）",
        ],
        rows(),
        [10, 8, 12, 12, 12, 20, 36, 8, 12, 12, 8, 30, 10, 12, 20],
    )


def exit_list_sheet(specialists):
    rows = ([s.name, s.committee.name if s.committee else "", s.exited_on, s.exit_decision] for s in specialists)
    return Sheet("退出名单", ["姓名", "专业委员会", "退出日期", "依据"], rows, [14, 22, 12, 50])


def committee_summary_sheet(summary, year, month):
    rows = (
        [r["rank"], r["committee"].name, r["activities"], r["attendances"], r["attendees"], r["points"]]
        for r in summary
    )
    return Sheet(
        f"{year}-{month:02d} 专委会活动",
        ["名次", "专业委员会", "组织活动数", "参与人次", "参与人数", "活动积分"],
        rows,
        [6, 24, 12, 12, 12, 12],
    )
