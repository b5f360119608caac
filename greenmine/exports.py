"""The filled table as .xlsx (the seed's columns) and the PDF report of an assessment."""

from django.conf import settings
from django.utils import timezone
from django.utils.text import get_valid_filename

from alliance.pdf import pdf_response, render_pdf
from alliance.xlsx import Sheet, xlsx_response

from . import scoring, selectors
from .enums import AssessmentStatus, Attribute, MiningMethod, Variant

# 附件 3's own header row.
SEED_COLUMNS = [
    "一级指标",
    "二级指标",
    "三级指标",
    "标准分",
    "评分说明",
    "考核方法",
    "依据或标准",
    "指标属性",
    "检查记录",
    "得分",
]
ATTRIBUTE_LABELS = {Attribute.CONSTRAINT: "约束性", Attribute.IMPROVEMENT: "提升性"}
NOT_APPLICABLE = "不涉及"
# The seed's own words, so the exported table reads like 附件 3 whatever the UI language.
VARIANT_LABELS = {
    Variant.GENERAL: "非金属、化工、黄金、冶金、有色、油气、煤炭、地热、矿泉水等行业",
    Variant.AGGREGATE: "砂石、水泥灰岩、建筑石材等行业",
}
METHOD_LABELS = {
    MiningMethod.OPEN_PIT: "露天开采",
    MiningMethod.UNDERGROUND: "地下开采",
    MiningMethod.OIL_GAS: "石油天然气",
    MiningMethod.GEOTHERMAL_WATER: "地热矿泉水",
}
STATUS_LABELS = {"draft": "评分中", "submitted": "已提交"}


def table_rows(data, result):
    """One row per indicator of the mine's variant, with the experts' records and the mean score."""
    categories = {c.pk: c for c in data.categories}
    records = selectors.indicator_records(data)
    results = {r.number: r for r in result.indicators}
    for indicator in data.indicators:
        outcome = results.get(indicator.number)
        if outcome is None:  # the other variant of category three
            continue
        if not outcome.applicable:
            score = NOT_APPLICABLE
        elif not outcome.scored_by:
            score = None  # not scored yet: an empty cell, not a 0
        else:
            score = scoring.display(outcome.score) if result.scored else None
        record = "\n".join(records.get(indicator.number, []))
        if outcome.missing_evidence:
            record = (record + "\n" if record else "") + "缺少支撑材料或证明材料，不得分"
        yield [
            categories[indicator.category_id].label or categories[indicator.category_id].name,
            indicator.subcategory,
            f"{indicator.number} {indicator.name}",
            scoring.display(indicator.points),
            indicator.scoring_text,
            indicator.method,
            indicator.basis,
            ATTRIBUTE_LABELS[indicator.attribute],
            record,
            score,
        ]


def summary_rows(data, result):
    a = data.assessment
    yield ["矿山", a.mine_name]
    yield ["评价指标版本", a.catalogue.code]
    yield ["行业类别", VARIANT_LABELS[a.variant]]
    yield ["主要开采方式", METHOD_LABELS[a.mining_method]]
    yield ["达标线", scoring.display(result.pass_line)]
    for p in data.prerequisites:
        state = {True: "合格", False: "不合格", None: "未检查"}[p["passed"]]
        yield [f"先决条件：{p['name']}", state]
    for c in result.categories:
        yield [
            f"{c.number} {c.name}（{scoring.plain(c.max)} 分）",
            scoring.display(c.score) if result.scored else None,
        ]
    yield ["总得分", scoring.display_total(result.total, result.pass_line)]
    if a.status in (AssessmentStatus.DRAFT, AssessmentStatus.SCORING):
        verdict = "评分中（评价完成前不作结论）"  # as the result page says: no 不达标 while experts score
    else:
        verdict = "达标" if result.qualified else "不达标"
    yield ["结论", verdict]
    for reason in selectors.failure_reasons(result, data):
        yield ["不达标原因", reason]
    for a_ in data.assignments:
        yield ["评价专家", f"{selectors.expert_label(a_)}（{STATUS_LABELS[a_.status]}）"]


def download_name(assessment, what, extension):
    """A Chinese download name, e.g. 绿色矿山评分表-某某矿-12.xlsx (sent as RFC 6266 filename*)."""
    mine = get_valid_filename(assessment.mine_name) if assessment.mine_name else ""
    return f"绿色矿山{what}-{mine + '-' if mine else ''}{assessment.pk}.{extension}"


def xlsx_download(assessment):
    # with_texts: the 检查记录 column carries the experts' records and every not-applicable reason.
    data = selectors.load_assessment_data(assessment, with_texts=True)
    result = selectors.compute(data)
    sheets = [
        Sheet("评分表", SEED_COLUMNS, list(table_rows(data, result)), [16, 18, 22, 8, 60, 12, 40, 10, 40, 8]),
        Sheet("汇总", ["项目", "内容"], list(summary_rows(data, result)), [36, 60]),
    ]
    return xlsx_response(download_name(assessment, "评分表", "xlsx"), sheets)


def chart(result, *, width=360, bar_height=18, gap=8, label_width=190):
    """Bars of each category's score against its maximum, as plain numbers for an inline SVG."""
    bars = []
    for index, c in enumerate(result.categories):
        score = c.score if result.scored else scoring.ZERO
        ratio = float(score / c.max) if c.max else 0.0
        y = index * (bar_height + gap)
        bars.append(
            {
                "label": f"{c.number} {c.name}",
                "y": y,
                "text_y": y + bar_height - 4,
                "max_width": width,
                "width": round(ratio * width, 1),
                "value": scoring.display(score),
                "max": scoring.display(c.max),
            }
        )
    return {
        "bars": bars,
        "bar_height": bar_height,
        "label_width": label_width,
        "bar_x": label_width,
        "value_x": label_width + width + 8,
        "width": label_width + width + 110,
        "height": len(bars) * (bar_height + gap),
    }


def evaluation_date(assessment):
    """The day the secretariat completed the assessment, in local time (Asia/Shanghai); None while open."""
    if assessment.completed_at is None:
        return None
    return timezone.localtime(assessment.completed_at, timezone.get_default_timezone()).date()


def report_context(assessment):
    data = selectors.load_assessment_data(assessment, with_visits=True, with_texts=True)
    result = selectors.compute(data)
    indicator_names = {i.number: i.name for i in data.indicators}
    return {
        "assessment": assessment,
        "data": data,
        "result": result,
        "variant_label": VARIANT_LABELS[assessment.variant],
        "method_label": METHOD_LABELS[assessment.mining_method],
        "total": scoring.display_total(result.total, result.pass_line),
        "pass_line": scoring.display(result.pass_line),
        "reasons": selectors.failure_reasons(result, data),
        "categories": [
            {
                "number": c.number,
                "name": c.name,
                "max": scoring.display(c.max),
                "score": scoring.display(c.score) if result.scored else None,
                "applicable": scoring.display(c.applicable_points),
                "earned": scoring.display(c.earned),
            }
            for c in result.categories
        ],  # fmt: skip
        "chart": chart(result),
        # Not scored yet is not a failure: those are listed as such among the reasons.
        "failed_constraints": [
            (n, indicator_names[n]) for n in result.failed_constraints if n not in set(result.unscored)
        ],
        "missing_evidence": [(n, indicator_names[n]) for n in result.missing_evidence],
        # One signature line per assigned expert: name, scoring state, and blanks to sign and date on paper.
        "experts": [(selectors.expert_label(a), STATUS_LABELS[a.status], a.submitted_at) for a in data.assignments],
        "organisation_name": settings.ALLIANCE_ORGANISATION_NAME,
        "evaluated_on": evaluation_date(assessment),
        "rows": list(table_rows(data, result)),
        "generated_at": timezone.localtime(),
        "provisional": assessment.status in (AssessmentStatus.DRAFT, AssessmentStatus.SCORING),
    }


def pdf_download(assessment):
    pdf = render_pdf("greenmine/report.html", report_context(assessment))
    return pdf_response(pdf, download_name(assessment, "评价报告", "pdf"), inline=False)
