"""The roster and the stipend list as .xlsx: one row per member unit, formulas neutralised, and a number
of queries that does not depend on the number of units."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from alliance import exports as registry
from alliance.xlsx import write_workbook
from liaisons import exports
from liaisons.models import Liaison, StipendBand
from tests.factories import OrganisationFactory, UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = pytest.mark.django_db


def _read(sheets):
    out = io.BytesIO()
    write_workbook(out, sheets)
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    return [[c.value for c in r] for r in ws.iter_rows()], ws


def test_roster_has_the_header_and_one_row_per_member_unit():
    LiaisonFactory(
        organisation=MemberUnitFactory(name="甲煤业有限公司", nature="soe_county"),
        name="张三",
        gender="female",
        mobile="13900000001",
        email="zs@example.com",
        birth_date=dt.date(1980, 1, 2),
    )
    old = LiaisonFactory(organisation=MemberUnitFactory(name="乙煤业有限公司"), name="李四")
    Liaison.objects.filter(pk=old.pk).update(is_active=False, ended_on=dt.date(2025, 1, 1))
    LiaisonFactory(organisation=old.organisation, name="王五")
    MemberUnitFactory(name="丙煤业有限公司")  # a member without a liaison yet
    OrganisationFactory(name="不是会员的单位")

    rows, _ws = _read([exports.roster_sheet()])

    assert rows[0] == exports.ROSTER_HEADERS
    assert sorted(r[0] for r in rows[1:]) == sorted(["丙煤业有限公司", "甲煤业有限公司", "乙煤业有限公司"])
    by_unit = {r[0]: dict(zip(rows[0], r, strict=True)) for r in rows[1:]}
    first = by_unit["甲煤业有限公司"]
    assert (first["单位性质"], first["姓名"], first["性别"], first["手机"], first["电子邮箱"]) == (
        "县(区)企",
        "张三",
        "女",
        "13900000001",
        "zs@example.com",
    )
    assert first["出生日期"].date() == dt.date(1980, 1, 2)
    assert by_unit["乙煤业有限公司"]["姓名"] == "王五"  # the current liaison, not the one handed over
    assert by_unit["丙煤业有限公司"]["姓名"] is None


def test_roster_neutralises_formula_injection():
    LiaisonFactory(
        organisation=MemberUnitFactory(name='=HYPERLINK("http://evil.example","点我")'),
        name="=1+1",
        position="@SUM(A1)",
    )

    rows, ws = _read([exports.roster_sheet()])

    assert rows[1][0] == '=HYPERLINK("http://evil.example","点我")'
    assert rows[1][4] == "=1+1"
    for cell in ws[2]:
        assert cell.data_type != "f"


def _roster_queries():
    with CaptureQueriesContext(connection) as ctx:
        _read([exports.roster_sheet()])
    return len(ctx)


def test_roster_queries_do_not_depend_on_the_number_of_units():
    LiaisonFactory.create_batch(2)
    few = _roster_queries()
    LiaisonFactory.create_batch(30)

    assert _roster_queries() == few == 1


def test_roster_is_a_background_export_for_the_office():
    exporter = registry.get_exporter("liaisons.roster")

    assert exporter in registry.exporters_for(UserFactory(roles=["secretariat"], is_staff=True))
    assert exporter not in registry.exporters_for(UserFactory(roles=["service_centre"], is_staff=True))
    assert registry.get_exporter("liaisons.stipends").params == ("year",)


def test_stipend_list_ranks_liaisons_with_their_band_and_amount():
    StipendBand.objects.all().delete()
    StipendBand.objects.create(from_rank=1, to_rank=1, title="一等", amount=Decimal("1000"), excellent=True)
    StipendBand.objects.create(from_rank=2, to_rank=None, title="二等", amount=Decimal("500"))
    busy = LiaisonFactory(organisation=MemberUnitFactory(name="甲煤业"), name="张三", started_on=dt.date(2024, 1, 1))
    from liaisons import services

    services.feedback_raise(busy, subject="意见", body="建议召开培训")
    LiaisonFactory(organisation=MemberUnitFactory(name="乙煤业"), name="李四", started_on=dt.date(2024, 1, 1))
    year = dt.date.today().year

    rows, _ws = _read([exports.assessment_sheet(year)])

    assert rows[0] == exports.ASSESSMENT_HEADERS
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [(r["名次"], r["会员单位"], r["联络员"], r["优秀联络员"]) for r in table] == [
        (1, "甲煤业", "张三", "是"),
        (2, "乙煤业", "李四", "否"),
    ]
    assert (table[0]["津贴档次"], table[0]["津贴（元）"]) == ("一等", 1000)
    assert table[1]["一年内未履职（建议更换）"] == "是"
    assert table[1]["津贴（元）"] == 0


def test_roster_api_streams_an_xlsx_with_a_chinese_name():
    from rest_framework.test import APIRequestFactory, force_authenticate

    from liaisons.api_files import RosterExportView

    LiaisonFactory(organisation=MemberUnitFactory(name="甲煤业有限公司"))
    request = APIRequestFactory().get("/api/liaisons/export.xlsx")
    force_authenticate(request, user=UserFactory(roles=["secretariat"], is_staff=True))

    response = RosterExportView.as_view()(request)

    assert response.status_code == 200
    assert response.streaming
    assert "filename*=utf-8''" in response["Content-Disposition"]
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    assert [c.value for c in ws[2]][0] == "甲煤业有限公司"


def test_roster_api_is_for_staff_only():
    from rest_framework.test import APIRequestFactory, force_authenticate

    from liaisons.api_files import RosterExportView

    request = APIRequestFactory().get("/api/liaisons/export.xlsx")
    force_authenticate(request, user=UserFactory(roles=["liaison"]))

    assert RosterExportView.as_view()(request).status_code == 403


def test_the_exports_page_offers_the_stipend_list_with_a_year(staff_client):
    from alliance.models import ExportJob

    page = staff_client.get("/exports/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "联络员年度考评及工作津贴" in page and 'name="liaisons-stipends-year"' in page

    staff_client.post("/exports/start/", {"exporter": "liaisons.stipends", "liaisons-stipends-year": "2025"})

    assert ExportJob.objects.get(exporter="liaisons.stipends").params == {"year": 2025}
