"""Exports limited by date range and person, read in Chinese and local time, downloaded under Chinese names."""

import datetime as dt
import io
from urllib.parse import quote

import pytest
import time_machine
from openpyxl import load_workbook

from alliance import audit, exports
from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry, ExportJob, ExportStatus
from greenmine.exports import SEED_COLUMNS
from specialists import services
from tests.factories import UserFactory
from tests.greenmine import factories as gm
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db

LEDGER = "specialists-ledger"  # the ledger form's prefix on the exports page


@pytest.fixture
def service(db):
    return UserFactory(username="svc", roles=["service_centre"], is_staff=True)


def _credit(specialist, on, by, points=1):
    return services.activity_record(specialist, rule="books", quantity=points, occurred_on=on, actor=by)


def _rows(response):
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    return list(sheet.iter_rows(min_row=2, values_only=True))


def _start(client, exporter, capture, **fields):
    with capture(execute=True):
        return client.post("/exports/start/", {"exporter": exporter, **fields}, follow=True)


@pytest.mark.parametrize("who", ["account", "name"])
def test_ledger_export_limited_to_a_date_range_and_one_specialist(
    client, service, django_capture_on_commit_callbacks, who
):
    wang, li = SpecialistFactory(name="王专员"), SpecialistFactory(name="李专员")
    for on in (dt.date(2024, 1, 20), dt.date(2024, 2, 10), dt.date(2024, 2, 29), dt.date(2024, 3, 1)):
        _credit(wang, on, service)
    _credit(li, dt.date(2024, 2, 15), service)
    client.force_login(service)

    person = wang.user.username if who == "account" else "王专员"
    response = _start(
        client,
        "specialists.ledger",
        django_capture_on_commit_callbacks,
        **{f"{LEDGER}-date_from": "2024-02-01", f"{LEDGER}-date_to": "2024-02-29", f"{LEDGER}-specialist": person},
    )

    job = ExportJob.objects.get()
    assert job.params == {"date_from": "2024-02-01", "date_to": "2024-02-29", "specialist": wang.pk}
    assert job.status == ExportStatus.DONE and job.rows_total == 2
    rows = _rows(client.get(f"/exports/{job.pk}/download/"))
    assert [(r[2], r[3]) for r in rows] == [("王专员", dt.datetime(2024, 2, 10)), ("王专员", dt.datetime(2024, 2, 29))]
    page = response.content.decode()  # the job's page names its limits
    assert "开始日期" in page and "2024-02-01" in page and "结束日期" in page and "2024-02-29" in page
    assert f"王专员（{wang.user.username}）" in page


def test_the_exports_page_offers_the_limits_only_where_the_export_understands_them(client, service):
    client.force_login(service)

    html = client.get("/exports/").content.decode()

    assert f'name="{LEDGER}-date_from"' in html and 'type="date"' in html
    assert f'name="{LEDGER}-specialist"' in html
    assert "specialists-roster-date_from" not in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"date_from": "2024-13-01"}, "开始日期格式应为“年-月-日”"),
        ({"date_to": "明天"}, "结束日期格式应为“年-月-日”"),
        ({"date_from": "2024-03-01", "date_to": "2024-02-01"}, "开始日期晚于结束日期"),
        ({"specialist": "查无此人"}, "没有姓名或用户名为“查无此人”的专员"),
    ],
)
def test_bad_limits_are_refused_in_chinese_and_nothing_starts(
    client, service, django_capture_on_commit_callbacks, fields, message
):
    client.force_login(service)

    response = _start(
        client,
        "specialists.ledger",
        django_capture_on_commit_callbacks,
        **{f"{LEDGER}-{k}": v for k, v in fields.items()},
    )

    assert response.redirect_chain[-1][0] == "/exports/"
    assert message in response.content.decode()
    assert not ExportJob.objects.exists()
    assert not AuditEntry.objects.filter(action="export.requested").exists()


def test_two_specialists_of_the_same_name_must_be_told_apart_by_account(
    client, service, django_capture_on_commit_callbacks
):
    SpecialistFactory(name="张伟"), SpecialistFactory(name="张伟")
    client.force_login(service)

    response = _start(
        client, "specialists.ledger", django_capture_on_commit_callbacks, **{f"{LEDGER}-specialist": "张伟"}
    )

    assert "有多名专员姓名为“张伟”，请改填用户名" in response.content.decode()
    assert not ExportJob.objects.exists()


def test_an_export_refuses_limits_it_does_not_understand(service):
    with pytest.raises(BusinessRuleError):
        exports.export_start(user=service, key="specialists.roster", params={"specialist": 1})
    assert not ExportJob.objects.exists()


def test_audit_export_reads_chinese_actions_readable_facts_and_local_times(client, django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"], is_staff=True, name="秘书处小周")
    wang = SpecialistFactory(name="王专员")
    with time_machine.travel(dt.datetime(2026, 1, 1, 20, 30, tzinfo=dt.UTC), tick=False):
        audit.record("specialist.status", wang, actor=staff, **{"from": "general", "to": "exited"}, note="本人申请")
    client.force_login(staff)

    _start(client, "alliance.audit", django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    rows = _rows(client.get(f"/exports/{job.pk}/download/"))
    status_row = next(r for r in rows if r[4] == str(wang))
    when, action, kind, _pk, _obj, actor, facts = status_row
    assert when == dt.datetime(2026, 1, 2, 4, 30)  # 北京时间, not UTC
    assert action == "特别专员状态变更"
    assert actor == f"秘书处小周（{staff.username}）"
    assert "{" not in facts and "'" not in facts
    assert "原状态：" in facts and "本人申请" in facts
    assert "general" not in facts and "exited" not in facts  # the statuses by their Chinese names
    for row in rows:
        assert "{" not in (row[6] or "")
        assert "." not in row[1]  # every action the project records has a label


def test_audit_export_limited_to_local_days(client, django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    # 2026-01-01 17:00 UTC is already 2 January in Beijing.
    for moment in (dt.datetime(2025, 12, 31, 12, tzinfo=dt.UTC), dt.datetime(2026, 1, 1, 17, tzinfo=dt.UTC)):
        with time_machine.travel(moment, tick=False):
            audit.record("worker.ping", actor=staff)
    client.force_login(staff)

    _start(client, "alliance.audit", django_capture_on_commit_callbacks, **{"alliance-audit-date_from": "2026-01-02"})

    job = ExportJob.objects.get()
    rows = _rows(client.get(f"/exports/{job.pk}/download/"))
    assert [r[0].date() for r in rows if r[1] == "后台任务检查"] == [dt.date(2026, 1, 2)]


@pytest.mark.parametrize(
    ("exporter", "role", "filename"),
    [
        ("specialists.ledger", "service_centre", "积分台账.xlsx"),
        ("specialists.roster", "service_centre", "特别专员名册.xlsx"),
        ("alliance.audit", "secretariat", "审计日志.xlsx"),
    ],
)
def test_downloads_carry_chinese_file_names_per_rfc_6266(
    client, django_capture_on_commit_callbacks, exporter, role, filename
):
    client.force_login(UserFactory(roles=[role], is_staff=True))

    _start(client, exporter, django_capture_on_commit_callbacks)

    job = ExportJob.objects.get()
    disposition = client.get(f"/exports/{job.pk}/download/")["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition == f"attachment; filename*=utf-8''{quote(filename)}"


@pytest.fixture
def scored(staff_user):
    alice = gm.expert("alice", "李专家")
    assessment = gm.assessment(staff_user)
    (assignment,) = gm.assign(assessment, staff_user, alice)
    gm.pass_prerequisites(assessment, staff_user)
    gm.full_scores(assignment, n7="na")
    return assessment


def test_green_mine_score_sheet_gives_the_not_applicable_reason_and_a_chinese_name(staff_client, scored):
    response = staff_client.get(f"/api/greenmine/assessments/{scored.pk}/export.xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == SEED_COLUMNS
    row = next(r for r in rows[1:] if r[2].startswith("7 "))
    assert row[9] == "不涉及"
    assert "李专家：不涉及：本矿不涉及" in row[8]  # 检查记录 says why it does not apply
    name = quote(f"绿色矿山评分表-示范石灰石矿-{scored.pk}.xlsx")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"


def test_green_mine_report_download_has_a_chinese_name(staff_client, scored):
    response = staff_client.get(f"/api/greenmine/assessments/{scored.pk}/report.pdf")

    name = quote(f"绿色矿山评价报告-示范石灰石矿-{scored.pk}.pdf")
    assert response["Content-Disposition"] == f"attachment; filename*=utf-8''{name}"


def test_audit_export_names_each_rule_once_whatever_the_number_of_entries():
    """describe() looks a rule up by its code; in an export each distinct rule is read once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alliance.exporters import audit_log
    from alliance.xlsx import write_workbook

    def queries_for(n):
        AuditEntry.objects.all().delete()
        for i in range(n):
            AuditEntry.objects.create(action="specialist.activity", object_repr=f"#{i}", data={"rule": "books"})
        with CaptureQueriesContext(connection) as ctx:
            rows = write_workbook(io.BytesIO(), audit_log({}))
        return rows, len(ctx.captured_queries)

    few, many = queries_for(2), queries_for(20)

    assert (few[0], many[0]) == (2, 20)
    assert few[1] == many[1]
