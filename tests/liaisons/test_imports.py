"""The registration-form import: all or nothing, every problem named by row and column, no unit twice,
and importing the same file again changes nothing."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import Workbook, load_workbook

from alliance import imports as registry
from alliance.exceptions import NotPermitted
from alliance.models import AuditEntry, Organisation
from liaisons import imports
from liaisons.models import Handover, Liaison, ResumeEntry
from tests.factories import OrganisationFactory, UserFactory
from tests.liaisons.factories import LiaisonFactory

pytestmark = pytest.mark.django_db


def row(n=1, **overrides):
    values = {
        "单位全称": f"陕西导入煤业{n:05d}有限公司",
        "单位性质": "省企",
        "通讯地址": "西安市和平路1号",
        "邮编": "710001",
        "姓名": f"联络员{n:05d}",
        "性别": "女",
        "民族": "汉族",
        "出生日期": dt.date(1988, 3, 12),
        "政治面貌": "中共党员",
        "学历": "大学本科",
        "职称": "工程师",
        "职务": "综合办公室主任",
        "电子邮箱": f"l{n:05d}@example.com",
        "办公电话": "029-87671711",
        "手机": f"139{n:08d}",
        "微信号": f"wx{n}",
        "联络员邮编": "710001",
        "个人简历": "2010.07-2015.03 某某矿业公司 技术员\n2015.04-至今 陕西导入煤业 综合办公室主任",
        "推荐意见": "同意推荐",
        "推荐日期": dt.date(2024, 5, 6),
        "备案情况": "",
        "备案日期": None,
    }
    values.update(overrides)
    return values


def workbook(rows, headers=None):
    wb = Workbook()
    ws = wb.active
    headers = headers or imports.HEADERS
    ws.append(headers)
    for values in rows:
        ws.append([values.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


@pytest.fixture
def office():
    return UserFactory(roles=["secretariat"], is_staff=True)


def test_template_has_the_forms_chinese_headers_and_the_instructions_sheet():
    out = io.BytesIO()
    from alliance.xlsx import write_workbook

    write_workbook(out, imports.template_sheets())
    wb = load_workbook(io.BytesIO(out.getvalue()))

    form, guide = wb.worksheets
    assert [c.value for c in form[1]] == imports.HEADERS
    assert imports.HEADERS[:5] == ["单位全称", "单位性质", "通讯地址", "邮编", "姓名"]
    assert guide.title == "填表说明"
    guide_text = " ".join(str(c.value) for r in guide.iter_rows() for c in r if c.value)
    assert "工商部门注册的名称" in guide_text
    assert "县(区)企" in guide_text and "soe_county" in guide_text


def test_good_file_imports_every_unit_and_liaison(office):
    result = imports.import_workbook(workbook([row(1), row(2, 单位性质="soe_central")]), actor=office)

    assert result == {"units": 2, "liaisons": 2}
    unit = Organisation.objects.get(name="陕西导入煤业00001有限公司")
    assert (unit.nature, unit.address, unit.postcode) == ("soe_provincial", "西安市和平路1号", "710001")
    assert Organisation.objects.get(name="陕西导入煤业00002有限公司").nature == "soe_central"
    liaison = Liaison.objects.get(organisation=unit)
    assert (liaison.name, liaison.gender, liaison.mobile, liaison.email, liaison.is_active) == (
        "联络员00001",
        "female",
        "13900000001",
        "l00001@example.com",
        True,
    )
    assert liaison.birth_date == dt.date(1988, 3, 12)
    assert liaison.recommended_on == dt.date(2024, 5, 6)
    assert [(e.start, e.end, e.description) for e in ResumeEntry.objects.filter(liaison=liaison)] == [
        (dt.date(2010, 7, 1), dt.date(2015, 3, 1), "某某矿业公司 技术员"),
        (dt.date(2015, 4, 1), None, "陕西导入煤业 综合办公室主任"),
    ]
    actions = sorted(AuditEntry.objects.filter(action__startswith="liaisons.").values_list("action", flat=True))
    assert (
        actions
        == ["liaisons.liaison.registered"] * 2 + ["liaisons.membership.set"] * 2 + ["liaisons.unit.registered"] * 2
    )
    assert list(unit.memberships.values_list("association", "level")) == [("association", "member")]


def test_numbers_typed_as_numbers_are_read_as_text(office):
    imports.import_workbook(workbook([row(1, 手机=13900000001, 邮编=710001)]), actor=office)

    liaison = Liaison.objects.get()
    assert liaison.mobile == "13900000001"
    assert liaison.organisation.postcode == "710001"


@pytest.mark.parametrize(
    ("overrides", "header", "message"),
    [
        ({"手机": "1234"}, "手机", "11-digit mobile"),
        ({"单位性质": "国营"}, "单位性质", "Unknown unit nature"),
        ({"姓名": None}, "姓名", "Required"),
        ({"电子邮箱": '=HYPERLINK("http://evil.example","x")'}, "电子邮箱", "formula"),
        ({"电子邮箱": "not-an-email"}, "电子邮箱", "valid email"),
        ({"出生日期": "1988-13-40"}, "出生日期", "YYYY-MM-DD"),
        ({"单位全称": None}, "单位全称", "Required"),
    ],
    ids=["bad-mobile", "unknown-nature", "missing-name", "formula", "bad-email", "bad-date", "missing-unit"],
)
def test_one_bad_row_imports_nothing_and_names_row_and_field(office, overrides, header, message):
    file = workbook([row(1), row(2), row(3, **overrides)])

    with pytest.raises(imports.ImportRejected) as caught, translation.override("en"):
        imports.import_workbook(file, actor=office)

    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(4, header)]
    assert message.lower() in caught.value.errors[0]["message"].lower()
    assert Organisation.objects.count() == 0
    assert Liaison.objects.count() == 0


def test_a_formula_is_refused_not_evaluated(office):
    file = workbook([row(1, 单位全称='=CONCAT("陕西","煤业")')])

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(file, actor=office)

    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(2, "单位全称")]
    assert not Organisation.objects.exists()


def test_every_problem_of_the_file_is_reported_at_once(office):
    file = workbook([row(1, 手机="12"), row(2), row(3, 单位性质="国营", 电子邮箱="x")])

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(file, actor=office)

    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(2, "手机"), (4, "单位性质"), (4, "电子邮箱")]


def test_the_same_unit_twice_in_a_file_is_refused(office):
    file = workbook([row(1), row(2, 单位全称="陕西导入煤业00001有限公司")])

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(file, actor=office)

    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(3, "单位全称")]
    assert "2" in caught.value.errors[0]["message"]  # names the row the unit is already on
    assert not Organisation.objects.exists()


def test_a_missing_required_column_is_named():
    file = workbook([row(1)], headers=[h for h in imports.HEADERS if h != "手机"])

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(file, actor=None)

    assert [(e["row"], e["field"]) for e in caught.value.errors] == [(1, "手机")]


def test_a_file_that_is_not_a_workbook_is_refused():
    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(io.BytesIO(b"PK\x03\x04 not really"), actor=None)

    assert caught.value.errors[0]["row"] == 0


def test_the_same_file_twice_imports_once(office):
    content = workbook([row(n) for n in range(1, 6)]).getvalue()
    first = imports.import_workbook(io.BytesIO(content), actor=office)
    before = (Organisation.objects.count(), Liaison.objects.count(), AuditEntry.objects.count())

    second = imports.import_workbook(io.BytesIO(content), actor=office)

    assert first == {"units": 5, "liaisons": 5}
    assert second == {"units": 0, "liaisons": 0}
    assert (Organisation.objects.count(), Liaison.objects.count(), AuditEntry.objects.count()) == before


def test_a_new_liaison_for_a_registered_unit_is_a_handover(office):
    current = LiaisonFactory(name="老联络员", mobile="13800000000", started_on=dt.date(2024, 1, 1))
    unit = current.organisation

    result = imports.import_workbook(workbook([row(1, 单位全称=unit.name)]), actor=office)

    assert result == {"units": 0, "liaisons": 1}
    current.refresh_from_db()
    assert current.is_active is False
    new = Liaison.objects.get(organisation=unit, is_active=True)
    assert new.name == "联络员00001"
    handover = Handover.objects.get(organisation=unit)
    assert (handover.from_liaison_id, handover.to_liaison_id) == (current.pk, new.pk)
    assert new.resume.count() == 2


def test_the_current_liaison_again_changes_nothing(office):
    current = LiaisonFactory(name="联络员00001", mobile="13900000001")

    result = imports.import_workbook(workbook([row(1, 单位全称=current.organisation.name)]), actor=office)

    assert result == {"units": 0, "liaisons": 0}
    assert Liaison.objects.get(organisation=current.organisation) == current
    assert not Handover.objects.exists()


def test_an_employer_in_the_registry_becomes_a_member_unit(office):
    employer = OrganisationFactory(name="陕西导入煤业00001有限公司")

    result = imports.import_workbook(workbook([row(1)]), actor=office)

    assert result == {"units": 1, "liaisons": 1}
    assert Liaison.objects.get().organisation == employer
    assert Organisation.objects.count() == 1


def test_only_the_office_imports():
    with pytest.raises(NotPermitted):
        imports.import_workbook(workbook([row(1)]), actor=UserFactory(roles=["liaison"]))
    assert not Organisation.objects.exists()


def test_more_than_the_cap_is_refused(office, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)

    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_workbook(workbook([row(n) for n in range(1, 6)]), actor=office)

    assert caught.value.errors[-1]["row"] == 5
    assert not Organisation.objects.exists()


def _queries(rows, office):
    file = workbook(rows)
    with CaptureQueriesContext(connection) as ctx:
        imports.import_workbook(file, actor=office)
    return len(ctx)


def test_queries_per_batch_do_not_depend_on_its_size(office):
    _queries([row(99_999)], office)  # warms the content-type cache the audit entries use
    small = _queries([row(n) for n in range(1, 51)], office)
    large = _queries([row(n) for n in range(1000, 1500)], office)

    assert small == large
    assert large <= 12


def test_background_importer_is_registered_for_the_office():
    importer = registry.get_importer(imports.KEY)

    assert importer.max_rows == 20_000
    assert importer in registry.importers_for(UserFactory(roles=["secretariat"], is_staff=True))
    assert importer not in registry.importers_for(UserFactory(roles=["service_centre"], is_staff=True))


def test_background_job_imports_the_file(office, settings):
    from alliance.models import ImportJob, JobStatus

    upload = SimpleUploadedFile("登记.xlsx", workbook([row(1), row(2)]).getvalue())
    job = registry.import_start(user=office, key=imports.KEY, upload=upload)

    registry.import_run(job)  # the worker's part (the task is sent after commit)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.DONE, (job.error, job.errors)
    assert (job.result["units"], job.result["liaisons"]) == (2, 2)
    assert Liaison.objects.count() == 2


def test_background_job_reports_bad_rows_and_writes_nothing(office):
    from alliance.models import ImportJob, JobStatus

    upload = SimpleUploadedFile("登记.xlsx", workbook([row(1), row(2, 手机="12")]).getvalue())
    job = registry.import_start(user=office, key=imports.KEY, upload=upload)

    registry.import_run(job)  # the worker's part (the task is sent after commit)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "手机")]
    assert not Organisation.objects.exists()


def test_background_job_refuses_a_formula_and_writes_nothing(office):
    from alliance.models import ImportJob, JobStatus

    upload = SimpleUploadedFile("登记.xlsx", workbook([row(1), row(2, 通讯地址="=1+1")]).getvalue())
    job = registry.import_start(user=office, key=imports.KEY, upload=upload)

    registry.import_run(job)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"]) for e in job.errors] == [(3, "通讯地址")]
    assert not Organisation.objects.exists()


# ---- the API views (liaisons/api_files.py), called directly: the URLs are wired elsewhere ----------


def _post(user, content, name="登记.xlsx"):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from liaisons.api_files import ImportView

    request = APIRequestFactory().post(
        "/api/liaisons/import/", {"file": SimpleUploadedFile(name, content)}, format="multipart"
    )
    force_authenticate(request, user=user)
    return ImportView.as_view()(request)


def test_api_import_answers_201_with_counts(office):
    response = _post(office, workbook([row(1)]).getvalue())

    assert response.status_code == 201
    assert response.data == {"units": 1, "liaisons": 1}


def test_api_import_answers_400_with_row_errors_and_writes_nothing(office):
    response = _post(office, workbook([row(1), row(2, 手机="123")]).getvalue())

    assert response.status_code == 400
    assert [(e["row"], e["field"]) for e in response.data["errors"]] == [(3, "手机")]
    assert not Organisation.objects.exists()


def test_api_import_refuses_a_file_that_is_not_xlsx(office):
    response = _post(office, b"name,mobile\n", name="登记.csv")

    assert response.status_code == 400
    assert response.data["errors"][0]["field"] == "file"


def test_api_import_is_for_staff_only():
    response = _post(UserFactory(roles=["liaison"]), workbook([row(1)]).getvalue())

    assert response.status_code == 403
    assert not Organisation.objects.exists()


def test_api_template_downloads_with_a_chinese_name(office):
    from rest_framework.test import APIRequestFactory, force_authenticate

    from liaisons.api_files import TemplateView

    request = APIRequestFactory().get("/api/liaisons/template.xlsx")
    force_authenticate(request, user=office)
    response = TemplateView.as_view()(request)

    assert response.status_code == 200
    assert "filename*=utf-8''" in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    assert [c.value for c in load_workbook(io.BytesIO(content)).worksheets[0][1]] == imports.HEADERS
