"""Workbooks of the liaison programme (streamed by alliance.xlsx): the roster and the stipend list.

The roster is read as plain rows (`values_list`) through one server-side cursor, the current
liaison joined on the unit (FilteredRelation on the active post, of which a unit has at most one),
so its queries do not depend on the number of units.  Text goes through alliance.xlsx's
write_workbook, which stores a string that starts like a formula as text, never as a formula.
"""

from django.db.models import FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from alliance import exports
from alliance.roles import is_secretariat
from alliance.validation import check_year
from alliance.xlsx import Sheet

from . import selectors
from .imports import NATURE_NAMES

GENDERS = {"male": "男", "female": "女"}
# Rows fetched from the server-side cursor at a time.  A roster row is wide (about twenty columns of
# Chinese text): 5,000 of them held ~15 MB more at the peak than 1,000 (bench/liaisons.py).
CHUNK_ROWS = 1000

# The import template's headers (so a roster can be filled in and imported again), without the
# résumé and the long texts, and with the date the liaison took up the post.
ROSTER_HEADERS = [
    "单位全称",
    "单位性质",
    "通讯地址",
    "邮编",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "政治面貌",
    "学历",
    "职称",
    "职务",
    "电子邮箱",
    "办公电话",
    "手机",
    "微信号",
    "联络员邮编",
    "推荐日期",
    "备案日期",
    "担任联络员起始日期",
]
ROSTER_WIDTHS = [34, 16, 34, 8, 10, 6, 8, 12, 12, 10, 14, 18, 26, 16, 14, 14, 10, 12, 12, 16]
ROSTER_FIELDS = (
    "name",
    "nature",
    "address",
    "postcode",
    "current__name",
    "current__gender",
    "current__ethnicity",
    "current__birth_date",
    "current__political_status",
    "current__education",
    "current__title",
    "current__position",
    "current__email",
    "current__office_phone",
    "current__mobile",
    "current__wechat",
    "current__postcode",
    "current__recommended_on",
    "current__filed_on",
    "current__started_on",
)


def roster_rows(units=None):
    """Every member unit (or the given ones) with its current liaison's fields, as plain lists."""
    units = selectors.member_units() if units is None else units
    natures = dict(NATURE_NAMES)
    queryset = (
        units.annotate(current=FilteredRelation("liaisons", condition=Q(liaisons__is_active=True)))
        .order_by("name", "pk")
        .values_list(*ROSTER_FIELDS)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for row in queryset:
        yield [row[0], natures.get(row[1], row[1]), *row[2:5], GENDERS.get(row[5], row[5]), *row[6:]]


def roster_sheet(units=None):
    return Sheet("会员单位联络员名册", ROSTER_HEADERS, roster_rows(units), ROSTER_WIDTHS)


ASSESSMENT_HEADERS = [
    "名次",
    "会员单位",
    "联络员",
    "手机",
    "电子邮箱",
    "参加会议",
    "参加培训",
    "投稿",
    "采用",
    "反映意见",
    "按时缴纳会费",
    "办理会费",
    "得分",
    "津贴档次",
    "津贴（元）",
    "优秀联络员",
    "一年内未履职（建议更换）",
]
ASSESSMENT_WIDTHS = [6, 34, 10, 14, 24, 8, 8, 6, 6, 8, 12, 8, 8, 14, 10, 10, 20]


def _yes(flag):
    return "是" if flag else "否"


def assessment_rows(year):
    """第十条、第十三条: the year's ranking with each liaison's stipend, for the finance office."""
    for row in selectors.assessment(year):
        yield [
            row.rank,
            row.unit,
            row.liaison,
            row.mobile,
            row.email,
            row.meetings,
            row.trainings,
            row.articles,
            row.adopted,
            row.feedback,
            _yes(row.fee_paid_on_time),
            _yes(row.fee_handled),
            row.score,
            row.band,
            row.stipend,
            _yes(row.excellent),
            _yes(row.inactive),
        ]


def assessment_sheet(year):
    return Sheet(f"{year}年度联络员考评及津贴", ASSESSMENT_HEADERS, assessment_rows(year), ASSESSMENT_WIDTHS)


def export_year(params):
    """The year an export asked for; last year when none was given (the assessment follows the year)."""
    year = (params or {}).get("year")
    if year in (None, ""):
        return timezone.localdate().year - 1
    return check_year(year, field="year")


# ---- the background exports (alliance.exports; the exports page at /exports/) -------------------------


@exports.register(
    "liaisons.roster",
    title=gettext_lazy("Member units and their liaisons (roster)"),
    filename="会员单位联络员名册.xlsx",
    count=lambda params: selectors.member_units().count(),
    permission=is_secretariat,
)
def roster(params):
    return [roster_sheet()]


@exports.register(
    "liaisons.stipends",
    title=gettext_lazy("Liaison assessment and stipends (for finance)"),
    filename="联络员考评及津贴.xlsx",
    count=None,
    permission=is_secretariat,
    params=("year",),
)
def stipends(params):
    return [assessment_sheet(export_year(params))]


def roster_filename():
    return f"会员单位联络员名册-{timezone.localdate():%Y%m%d}.xlsx"


def assessment_filename(year):
    return f"{year}年度联络员考评及津贴.xlsx"
