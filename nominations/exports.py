"""Workbooks of the leading-technology list nominations (streamed by alliance.xlsx).

- The nominations a field's consortium receives (二（一）推荐至学会联合体), for the secretariat: a
  background export (alliance.exports, key "nominations.field") with the year and, optionally, the
  field; without a field, one sheet per field.  Each sheet is one `values_list()` read through a
  server-side cursor, the industries and the preliminary scores joined as subqueries, so the number
  of queries does not depend on the number of nominations.
- The published list (二（四）) of a year, for anyone: `published_workbook_response(campaign)`.

Text goes through alliance.xlsx's write_workbook, which stores a string that starts like a formula
as text, never as a formula.
"""

from django.contrib.postgres.aggregates import StringAgg
from django.db.models import Avg, Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from alliance import exports
from alliance.exceptions import BusinessRuleError
from alliance.roles import is_secretariat
from alliance.validation import check_year
from alliance.xlsx import Sheet, xlsx_response

from . import reference, selectors
from .documents import FIELD_NAMES, PROJECT_TYPE_NAMES
from .enums import RECOMMENDED_STATES, Field, NominationStatus
from .models import Evaluation, Nomination

CHUNK_ROWS = 1000
STATUS_NAMES = {
    NominationStatus.DRAFT: "草稿",
    NominationStatus.PRESELECTION: "待学会遴选",
    NominationStatus.NOT_FORWARDED: "学会未推荐",
    NominationStatus.SUBMITTED: "已推荐",
    NominationStatus.SHORTLISTED: "通过初评",
    NominationStatus.SELECTED: "入选榜单",
    NominationStatus.NOT_SELECTED: "未入选",
}

FIELD_HEADERS = [
    "序号",
    "技术名称",
    "所属领域",
    "申报单位",
    "推荐单位",
    "重点服务行业（GB/T 4754-2017）",
    "技术项目类型",
    "技术就绪水平量值",
    "技术就绪水平",
    "联系人",
    "联系电话",
    "通信地址",
    "电子邮箱",
    "技术团队简介",
    "技术知识产权情况",
    "技术获奖情况",
    "技术水平介绍",
    "技术效益介绍",
    "推荐单位意见",
    "状态",
    "推荐时间",
    "初评专家数",
    "初评平均总分（满分60）",
    "初评排序",
]
FIELD_WIDTHS = [6, 34, 10, 30, 30, 40, 10, 8, 30, 10, 16, 34, 26, 40, 30, 30, 40, 40, 24, 10, 18, 10, 12, 8]
FIELD_COLUMNS = (
    "name",
    "field",
    "unit__name",
    "recommender__name",
    "industry_list",
    "project_type",
    "trl",
    "contact",
    "phone",
    "address",
    "email",
    "team_intro",
    "ip",
    "awards",
    "tech_level",
    "benefits",
    "recommender_opinion",
    "status",
    "submitted_at",
    "n_evaluations",
    "mean_total",
    "shortlist_rank",
)


def _industries():
    """The nomination's industries as one text, “0932 稀土金属矿采选；3232 稀土金属冶炼” (a subquery)."""
    through = Nomination.industries.through
    return Subquery(
        through.objects.filter(nomination_id=OuterRef("pk"))
        .order_by()
        .values("nomination_id")
        .annotate(
            text=StringAgg(
                Concat("industrycode__code", Value(" "), "industrycode__name"),
                delimiter="；",
                order_by="industrycode__position",
            )
        )
        .values("text")
    )


def _scores():
    """(experts who scored, mean of their totals) as two subqueries."""
    mine = Evaluation.objects.filter(nomination_id=OuterRef("pk")).order_by().values("nomination_id")
    count = Subquery(mine.annotate(n=Count("pk")).values("n"), output_field=IntegerField())
    mean = Subquery(mine.annotate(m=Avg("total")).values("m"))
    return Coalesce(count, 0), mean


def field_nominations(campaign, field=None):
    """The nominations recommended to the consortium (every field, or one), as plain rows."""
    count, mean = _scores()
    queryset = Nomination.objects.filter(campaign=campaign, status__in=RECOMMENDED_STATES)
    if field:
        queryset = queryset.filter(field=field)
    return queryset.annotate(industry_list=_industries(), n_evaluations=count, mean_total=mean).order_by(
        "field", "submitted_at", "pk"
    )


def field_rows(campaign, field=None):
    levels = reference.trl_levels()
    queryset = field_nominations(campaign, field).values_list(*FIELD_COLUMNS).iterator(chunk_size=CHUNK_ROWS)
    for number, row in enumerate(queryset, start=1):
        values = dict(zip(FIELD_COLUMNS, row, strict=True))
        level = levels.get(values["trl"], {})
        submitted = values["submitted_at"]
        mean = values["mean_total"]
        yield [
            number,
            values["name"],
            FIELD_NAMES.get(values["field"], values["field"]),
            values["unit__name"],
            values["recommender__name"],
            values["industry_list"] or "",
            PROJECT_TYPE_NAMES.get(values["project_type"], values["project_type"]),
            values["trl"],
            level.get(values["project_type"]) or level.get("applied", ""),
            values["contact"],
            values["phone"],
            values["address"],
            values["email"],
            values["team_intro"],
            values["ip"],
            values["awards"],
            values["tech_level"],
            values["benefits"],
            values["recommender_opinion"],
            STATUS_NAMES.get(values["status"], values["status"]),
            timezone.localtime(submitted).strftime("%Y-%m-%d %H:%M") if submitted else "",
            values["n_evaluations"],
            round(float(mean), 2) if mean is not None else None,
            values["shortlist_rank"],
        ]


def field_sheet(campaign, field):
    title = f"{campaign.year}年{FIELD_NAMES.get(field, field)}领域"
    return Sheet(title, FIELD_HEADERS, field_rows(campaign, field), FIELD_WIDTHS)


def _campaign_and_field(params):
    params = params or {}
    year = params.get("year")
    year = timezone.localdate().year if year in (None, "") else check_year(year, field="year")
    field = params.get("field") or None
    if field is not None and field not in Field.values:
        raise BusinessRuleError(_("No such technical field: %(field)s.") % {"field": field}, field="field")
    return selectors.campaign_by_year(year), year, field


def _field_count(params):
    campaign, _year, field = _campaign_and_field(params)
    if campaign is None:
        return 0
    queryset = Nomination.objects.filter(campaign=campaign, status__in=RECOMMENDED_STATES)
    return (queryset.filter(field=field) if field else queryset).count()


@exports.register(
    "nominations.field",
    title=gettext_lazy("Leading-technology nominations of a field (for its consortium)"),
    filename="先导技术推荐汇总.xlsx",
    count=_field_count,
    permission=is_secretariat,
    params=("year", "field"),
)
def field_export(params):
    """The year's campaign (this year when none is given); one field's sheet, or one sheet per field."""
    campaign, year, field = _campaign_and_field(params)
    if campaign is None:
        return [Sheet(f"{year}年无推荐", FIELD_HEADERS, [], FIELD_WIDTHS)]
    return [field_sheet(campaign, f) for f in ([field] if field else Field.values)]


def field_filename(campaign, field=None):
    return (
        f"{campaign.year}年先导技术推荐汇总-{FIELD_NAMES[field]}.xlsx"
        if field
        else (f"{campaign.year}年先导技术推荐汇总.xlsx")
    )


# ---- the published list ------------------------------------------------------------------------

PUBLISHED_HEADERS = [
    "序号",
    "技术名称",
    "所属领域",
    "申报单位",
    "推荐单位",
    "重点服务行业（GB/T 4754-2017）",
    "技术就绪水平",
]
PUBLISHED_WIDTHS = [6, 40, 10, 34, 34, 44, 10]
PUBLISHED_COLUMNS = ("list_position", "name", "field", "unit__name", "recommender__name", "industry_list", "trl")


def published_rows(campaign):
    queryset = (
        selectors.published_list(campaign)
        .annotate(industry_list=_industries())
        .values_list(*PUBLISHED_COLUMNS)
        .iterator(chunk_size=CHUNK_ROWS)
    )
    for position, name, field, unit, recommender, industries, trl in queryset:
        yield [position, name, FIELD_NAMES.get(field, field), unit, recommender, industries or "", f"{trl}级"]


def published_sheet(campaign):
    return Sheet(f"{campaign.year}年先导技术榜单", PUBLISHED_HEADERS, published_rows(campaign), PUBLISHED_WIDTHS)


def published_filename(campaign):
    return f"{campaign.year}年“科创中国”先导技术榜单.xlsx"


def published_workbook_response(campaign):
    """The published list as an .xlsx download with a Chinese file name (public; the view decides
    whether the list is out: before publication it has no rows)."""
    return xlsx_response(published_filename(campaign), [published_sheet(campaign)])
