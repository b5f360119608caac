"""Workbooks of the specialists programme (streamed by alliance.xlsx)."""

from alliance.xlsx import Sheet

from .models import LedgerEntry, Specialist


def roster_sheet(queryset=None):
    specialists = (Specialist.objects.all() if queryset is None else queryset).select_related(
        "user__profile__organisation", "committee", "liaison__profile"
    )

    def rows():
        for s in specialists.order_by("status", "name").iterator(chunk_size=2000):
            profile = getattr(s.user, "profile", None)
            liaison = s.liaison and (
                getattr(s.liaison, "profile", None) and s.liaison.profile.name or s.liaison.username
            )
            yield [
                s.pk,
                s.name,
                s.user.username,
                profile.organisation.name if profile and profile.organisation else "",
                s.get_status_display(),
                s.status_since,
                s.applied_on,
                s.approved_on,
                s.probation_ends,
                s.balance,
                s.committee.name if s.committee else "",
                liaison or "",
                s.email,
                s.phone,
                s.exited_on,
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
    entries = (LedgerEntry.objects.all() if queryset is None else queryset).select_related(
        "specialist", "rule", "recorded_by"
    )

    def rows():
        for e in entries.order_by("specialist_id", "occurred_on", "id").iterator(chunk_size=5000):
            yield [
                e.pk,
                e.specialist_id,
                e.specialist.name,
                e.occurred_on,
                e.get_kind_display(),
                e.rule.code if e.rule else "",
                e.rule.name if e.rule else "",
                e.quantity,
                e.amount,
                e.level,
                e.points,
                e.description,
                e.reverses_id,
                e.recorded_by.username if e.recorded_by else "",
                e.recorded_at.replace(tzinfo=None) if e.recorded_at else None,
            ]

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
            "录入时间",
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
