"""The field's nominations and the published list as .xlsx: headers and rows, formulas neutralised, a
number of queries that does not depend on the number of nominations, the background-export registry."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from alliance import exports as registry
from alliance.xlsx import write_workbook
from nominations import exports
from nominations.enums import Field, NominationStatus
from nominations.models import Evaluation, Publication
from tests.factories import UserFactory
from tests.nominations.factories import CampaignFactory, NominationFactory, UnitFactory, expert

pytestmark = pytest.mark.django_db


def _read(sheets):
    out = io.BytesIO()
    write_workbook(out, sheets)
    book = load_workbook(io.BytesIO(out.getvalue()))
    return book


def _rows(ws):
    return [[c.value for c in r] for r in ws.iter_rows()]


def _score(nomination, reviewer, total_each):
    Evaluation.objects.create(
        nomination=nomination,
        expert=reviewer,
        feasibility=total_each,
        advancement=total_each,
        originality=total_each,
        irreplaceability=total_each,
        maturity=total_each,
        market=total_each,
        total=6 * total_each,
    )


def test_the_field_export_has_the_forms_columns_and_the_scores():
    campaign = CampaignFactory()
    first = NominationFactory(
        campaign=campaign,
        name="低品位稀土资源绿色高效提取技术",
        unit=UnitFactory(name="甲研究院"),
        industries=["3232", "0932"],
        trl=7,
        project_type="development",
    )
    NominationFactory(campaign=campaign, name="尾矿建材技术", unit=UnitFactory(name="乙研究院"))
    NominationFactory(campaign=campaign, name="草稿技术", status=NominationStatus.DRAFT)
    NominationFactory(campaign=campaign, name="别的领域", field=Field.MATERIALS)
    NominationFactory(campaign=CampaignFactory(year=2021), name="别的年份")
    _score(first, expert(), 8)
    _score(first, expert(), 9)

    book = _read(exports.field_export({"year": 2020, "field": Field.RESOURCES_ENVIRONMENT}))

    assert book.sheetnames == ["2020年资源环境领域"]
    rows = _rows(book.worksheets[0])
    assert rows[0] == exports.FIELD_HEADERS
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [r["技术名称"] for r in table] == ["低品位稀土资源绿色高效提取技术", "尾矿建材技术"]
    row = table[0]
    assert row["序号"] == 1
    assert row["所属领域"] == "资源环境"
    assert (row["申报单位"], row["推荐单位"]) == ("甲研究院", "甲研究院")
    assert row["重点服务行业（GB/T 4754-2017）"] == "0932 稀土金属矿采选；3232 稀土金属冶炼"
    assert (row["技术项目类型"], row["技术就绪水平量值"], row["技术就绪水平"]) == (
        "开发研究",
        7,
        "完成工业化试生产（试运行）",
    )
    assert (row["状态"], row["初评专家数"], row["初评平均总分（满分60）"]) == ("已推荐", 2, 51)
    assert table[1]["初评专家数"] == 0 and table[1]["初评平均总分（满分60）"] is None


def test_without_a_field_every_field_has_its_sheet():
    NominationFactory(campaign=CampaignFactory(), field=Field.EQUIPMENT, name="智能选矿装备")

    book = _read(exports.field_export({"year": "2020"}))

    assert book.sheetnames == [
        f"2020年{name}领域" for name in ("电子信息", "生物医药", "装备制造", "先进材料", "资源环境")
    ]
    assert _rows(book["2020年装备制造领域"])[1][1] == "智能选矿装备"
    assert len(_rows(book["2020年电子信息领域"])) == 1  # the header only


def test_the_field_export_neutralises_formula_injection():
    NominationFactory(
        campaign=CampaignFactory(),
        name='=HYPERLINK("http://evil.example","点我")',
        contact="+1+1",
        unit=UnitFactory(name="@SUM(A1)"),
    )

    book = _read(exports.field_export({"year": 2020, "field": Field.RESOURCES_ENVIRONMENT}))

    ws = book.worksheets[0]
    assert _rows(ws)[1][1] == '=HYPERLINK("http://evil.example","点我")'
    for cell in ws[2]:
        assert cell.data_type != "f"


def _export_queries(field):
    with CaptureQueriesContext(connection) as ctx:
        _read(exports.field_export({"year": 2020, "field": field}))
    return len(ctx)


def test_the_field_exports_queries_do_not_depend_on_the_number_of_nominations():
    campaign = CampaignFactory()
    reviewer = expert()
    for nomination in NominationFactory.create_batch(2, campaign=campaign, industries=["0932", "3232"]):
        _score(nomination, reviewer, 5)
    few = _export_queries(Field.RESOURCES_ENVIRONMENT)
    for nomination in NominationFactory.create_batch(25, campaign=campaign, industries=["0932", "3232"]):
        _score(nomination, reviewer, 6)

    assert _export_queries(Field.RESOURCES_ENVIRONMENT) == few == 2  # the campaign, the rows


def test_the_field_export_is_a_background_export_for_the_secretariat():
    exporter = registry.get_exporter("nominations.field")

    assert exporter.params == ("year", "field")
    assert exporter in registry.exporters_for(UserFactory(roles=["secretariat"], is_staff=True))
    assert exporter not in registry.exporters_for(UserFactory(roles=["applicant"]))
    assert exporter not in registry.exporters_for(UserFactory(roles=["expert"]))
    NominationFactory(campaign=CampaignFactory())
    assert exporter.count({"year": 2020, "field": Field.RESOURCES_ENVIRONMENT}) == 1
    assert exporter.count({"year": 2020, "field": Field.MATERIALS}) == 0
    assert exporter.count({"year": 2019}) == 0


def test_a_year_without_a_campaign_gives_an_empty_sheet():
    book = _read(exports.field_export({"year": 2019}))

    assert _rows(book.worksheets[0]) == [exports.FIELD_HEADERS]


def test_the_published_list_workbook_has_the_list_in_order_with_a_chinese_name():
    campaign = CampaignFactory()
    second = NominationFactory(
        campaign=campaign,
        name="矿区重金属污染土壤修复技术",
        status=NominationStatus.SELECTED,
        shortlist_rank=2,
        list_position=2,
        industries=["7726"],
    )
    first = NominationFactory(
        campaign=campaign,
        name="=智能化选矿装备",
        field=Field.EQUIPMENT,
        status=NominationStatus.SELECTED,
        shortlist_rank=1,
        list_position=1,
        unit=UnitFactory(name="长沙矿冶研究院有限责任公司"),
        trl=8,
    )
    NominationFactory(campaign=campaign, name="未入选技术", status=NominationStatus.NOT_SELECTED)
    Publication.objects.create(campaign=campaign, published_on=campaign.publication_date, size=2)

    response = exports.published_workbook_response(campaign)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''2020" in response["Content-Disposition"]
    assert exports.published_filename(campaign) == "2020年“科创中国”先导技术榜单.xlsx"
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = _rows(ws)
    assert rows[0] == exports.PUBLISHED_HEADERS
    assert [r[:5] for r in rows[1:]] == [
        [1, "=智能化选矿装备", "装备制造", "长沙矿冶研究院有限责任公司", "长沙矿冶研究院有限责任公司"],
        [2, "矿区重金属污染土壤修复技术", "资源环境", second.unit.name, second.unit.name],
    ]
    assert rows[1][6] == "8级" and rows[2][5].startswith("7726 ")
    assert all(cell.data_type != "f" for cell in ws[2])
    assert first.pk != second.pk


def test_the_exports_page_offers_the_field_export_with_a_year(staff_client):
    from alliance.models import ExportJob

    page = staff_client.get("/exports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'name="nominations-field-year"' in page

    staff_client.post("/exports/start/", {"exporter": "nominations.field", "nominations-field-year": "2020"})

    assert ExportJob.objects.get(exporter="nominations.field").params == {"year": 2020}
