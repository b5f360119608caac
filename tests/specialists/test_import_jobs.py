"""The activity import as a background job: checked whole, written in bulk, never recorded twice."""

import datetime as dt
import io
from decimal import Decimal
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from kombu.exceptions import OperationalError
from openpyxl import Workbook, load_workbook

from alliance.celery import app as celery_app
from alliance.models import AuditEntry, ImportJob, JobStatus
from alliance.tasks import run_import
from specialists import imports as activity_imports
from specialists import reference, services
from specialists.enums import SpecialistStatus as S
from specialists.models import LedgerEntry, PointRule, Specialist
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

HEADERS = ["用户名", "规则代码", "日期", "数量", "金额", "级别", "说明", "依据文件"]
KEY = "specialists.activities"


def _workbook(rows, headers=HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


def _file(content, name="activities.xlsx"):
    data = io.BytesIO(content)
    data.name = name
    return data


@pytest.fixture
def upload(staff_client, django_capture_on_commit_callbacks):
    """upload(bytes) posts the workbook to the admin import page, running the job as the worker would."""

    def _upload(content, client=staff_client):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(reverse("admin:specialists_ledgerentry_import"), {"file": _file(content)})

    return _upload


@pytest.fixture
def alice(db):
    return SpecialistFactory(name="王爱丽", user__username="alice")


@pytest.fixture
def bob(db):
    return SpecialistFactory(name="李博", user__username="bob", status=S.ROSTER)


def _job_from(response):
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.get(pk=response["Location"].split("/")[2])
    assert response["Location"] == f"/imports/{job.pk}/"
    return job


GOOD_ROWS = [
    ["alice", "knowledge_contest", "2024-03-01", None, None, None, "知识竞赛", "联盟〔2024〕3号"],
    ["alice", "membership_fee", "2024-03-02", None, 1000, None, None, None],
    ["bob", "recommend_member", "2024-03-03", 1, None, "standing_director", None, None],
]


def test_import_records_every_row_and_shows_the_result(staff_client, upload, alice, bob):
    response = upload(_workbook(GOOD_ROWS))

    job = _job_from(response)
    assert job.status == JobStatus.DONE
    assert (job.rows_total, job.rows_done) == (3, 3)
    assert job.result["recorded"] == 3
    assert job.result["points"] == 3 + 10 + 15
    entries = LedgerEntry.objects.filter(import_job=job).order_by("occurred_on")
    assert [(e.specialist.name, e.points, e.source_ref) for e in entries] == [
        ("王爱丽", 3, "联盟〔2024〕3号"),
        ("王爱丽", 10, ""),
        ("李博", 15, ""),
    ]
    alice.refresh_from_db()
    bob.refresh_from_db()
    assert (alice.balance, bob.balance) == (13, 15)
    page = staff_client.get(f"/imports/{job.pk}/").content.decode()
    assert "已记录 3 条活动" in page
    status = staff_client.get(f"/imports/{job.pk}/status.json").json()
    assert (status["status"], status["percent"], status["recorded"]) == ("done", 100, 3)


def test_same_file_twice_is_recorded_once_and_refused_with_the_date(staff_client, upload, alice, bob):
    content = _workbook(GOOD_ROWS)
    first = _job_from(upload(content))
    # 16:30 UTC is 00:30 the next day in Beijing: the message gives the local date.
    ImportJob.objects.filter(pk=first.pk).update(finished_at=dt.datetime(2024, 3, 1, 16, 30, tzinfo=dt.UTC))

    second = upload(content)

    page = second.content.decode()
    assert second.status_code == 400
    assert "该文件已于 2024-03-02 00:30 导入" in page
    assert f'href="/imports/{first.pk}/"' in page
    assert ImportJob.objects.count() == 1
    assert LedgerEntry.objects.filter(kind="activity").count() == 3


def test_row_already_in_the_ledger_is_reported_not_recorded(staff_client, upload, alice, recorder):
    services.activity_record(alice, rule="books", quantity=2, occurred_on=dt.date(2024, 3, 1), actor=recorder)
    rows = [
        ["alice", "books", "2024-03-01", 2, None, None, "买书", None],  # the same activity
        ["alice", "books", "2024-03-01", 3, None, None, None, None],  # another quantity: another purchase
    ]

    job = _job_from(upload(_workbook(rows)))

    assert job.status == JobStatus.DONE
    assert (job.result["recorded"], job.result["already_in_ledger"]) == (1, 1)
    assert job.result["not_recorded"] == [{"row": 2, "reason": "台账中已有此记录。"}]
    alice.refresh_from_db()
    assert alice.balance == 5
    page = staff_client.get(f"/imports/{job.pk}/").content.decode()
    assert "台账中已有此记录。" in page


def test_duplicate_rows_within_a_file_are_recorded_once(upload, alice):
    rows = [
        ["alice", "books", "2024-03-01", 2, None, None, None, "单据1"],
        ["alice", "books", "2024-03-01", 2, None, None, None, "单据2"],  # another document: recorded
        ["alice", "books", "2024-03-01", 2, None, None, None, "单据1"],
    ]

    job = _job_from(upload(_workbook(rows)))

    assert (job.result["recorded"], job.result["duplicates"]) == (2, 1)
    assert job.result["not_recorded"] == [{"row": 4, "reason": "与第 2 行重复。"}]
    alice.refresh_from_db()
    assert alice.balance == 4


def test_every_problem_is_reported_at_once_and_nothing_is_written(staff_client, upload, alice, bob):
    UserFactory(username="carol")
    SpecialistFactory(user__username="dave", status=S.EXITED)
    PointRule.objects.filter(code="book_topic").update(active=False)
    future = (services.today() + dt.timedelta(days=1)).isoformat()
    rows = [
        ["alice", "books", "2024-13-45", "abc", None, None, None, None],  # row 2: two format errors
        ["nobody", "no_such_rule", "2024-03-01", None, None, None, None, None],  # row 3
        ["carol", "book_topic", future, None, None, None, None, None],  # row 4
        ["dave", "sponsorship", "2020-01-01", 2, None, None, None, None],  # row 5
        [None, "recommend_member", "2024-03-01", None, None, "king", None, None],  # row 6
        ["bob", "books", "2024-03-01", 10**7, 5, None, None, None],  # row 7
        ["bob", "membership_fee", "2024-03-01", None, Decimal("100000000000"), None, None, None],  # row 8
        ["bob", "membership_fee", "2024-03-01", None, "100.005", None, None, None],  # row 9
        ["bob", "sponsorship", "2024-03-01", None, -5, None, None, None],  # row 10
        ["alice", "books", "2024-03-01", 1, None, None, None, None],  # row 11: fine
    ]

    job = _job_from(upload(_workbook(rows)))

    assert job.status == JobStatus.FAILED
    assert [(e["row"], e["column"], e["message"]) for e in job.errors] == [
        (2, "日期", "请按 YYYY-MM-DD 格式填写日期。"),
        (2, "数量", "请填写整数。"),
        (3, "用户名", "没有这个用户。"),
        (3, "规则代码", "未知的规则代码 no_such_rule（见模板中的“规则代码”工作表）。"),
        (4, "用户名", "不是特别专员。"),
        (4, "规则代码", "规则“推荐或组织编写系列丛书议题”已停用。"),
        (4, "日期", "日期不能晚于今天。"),
        (5, "用户名", "该专员已退出。"),
        (5, "日期", "日期早于积分规则施行日（2023-07-01）。"),
        (5, "数量", "“赞助”按金额计分，数量请留空。"),
        (5, "金额", "“赞助”按金额（元）计分，请填写金额。"),
        (6, "用户名", "必填。"),
        (
            6,
            "级别",
            "“推荐会员”需要填写级别，可选：ordinary（普通会员）、director（理事）、standing_director（常务理事）、vice_chairman（副理事长）。",
        ),
        (7, "数量", "数量必须在 1 到 10,000 之间。"),
        (7, "金额", "“推荐或购买系列丛书”不按金额计分，金额请留空。"),
        (8, "金额", "请填写不超过 9,999,999,999.99 的数字。"),
        (9, "金额", "金额最多保留两位小数（到分）。"),
        (10, "金额", "金额必须大于 0 且不超过 9,999,999,999.99 元。"),
    ]
    assert job.result == {"error_count": 18}
    assert not LedgerEntry.objects.filter(kind="activity").exists()
    page = staff_client.get(f"/imports/{job.pk}/").content.decode()
    assert "发现 18 个问题，未记录任何数据" in page
    assert page.count('class="import-error"') == 18


def test_missing_columns_are_reported(upload, alice):
    content = _workbook([["alice", "books", 1]], headers=["用户名", "规则代码", "数量"])

    job = _job_from(upload(content))

    assert job.status == JobStatus.FAILED
    assert job.errors == [{"row": 1, "column": "日期", "message": "缺少此列。"}]


def test_the_template_downloads_with_the_rule_codes_and_imports_as_is(staff_client, upload, alice):
    response = staff_client.get(f"/imports/{KEY}/template.xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('filename="activities-import-template.xlsx"')
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet, rules = wb.worksheets
    assert [c.value for c in sheet[1]] == HEADERS
    assert rules.title == "规则代码"
    listed = {row[0]: row for row in rules.iter_rows(min_row=2, values_only=True)}
    assert set(listed) == set(PointRule.objects.filter(active=True).values_list("code", flat=True))
    assert (listed["books"][1], listed["books"][3], listed["books"][5]) == ("推荐或购买系列丛书", 1, "本")
    assert "standing_director：常务理事 15" in listed["recommend_member"][6]
    # The example row, given a real username, imports.
    sheet.cell(row=2, column=1, value="alice")
    data = io.BytesIO()
    wb.save(data)
    job = _job_from(upload(data.getvalue()))
    assert job.status == JobStatus.DONE
    assert job.result["recorded"] == 1


def test_import_page_links_the_template_and_states_the_cap(staff_client):
    page = staff_client.get(reverse("admin:specialists_ledgerentry_import")).content.decode()

    assert f"/imports/{KEY}/template.xlsx" in page
    assert "每个文件最多 50,000 行" in page


def test_non_staff_cannot_upload_or_download_the_template(client, django_capture_on_commit_callbacks, alice):
    client.force_login(alice.user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"importer": KEY, "file": _file(_workbook(GOOD_ROWS))})
    admin_page = client.get(reverse("admin:specialists_ledgerentry_import"))
    template = client.get(f"/imports/{KEY}/template.xlsx")

    assert response.status_code == 403
    assert admin_page.status_code == 302
    assert template.status_code == 403
    assert not ImportJob.objects.exists()


def test_staff_cannot_see_another_persons_import(client, upload, staff_user, alice, bob):
    job = _job_from(upload(_workbook(GOOD_ROWS)))
    other = UserFactory(roles=["service_centre"], is_staff=True)
    secretary = UserFactory(roles=["secretariat"], is_staff=True)

    client.force_login(other)
    denied = [client.get(f"/imports/{job.pk}/").status_code, client.get(f"/imports/{job.pk}/status.json").status_code]
    listing = client.get("/imports/").content.decode()
    client.force_login(secretary)
    allowed = client.get(f"/imports/{job.pk}/").status_code

    assert denied == [404, 404]
    assert str(job.pk) not in listing
    assert allowed == 200


def test_site_upload_page_starts_an_import(client, django_capture_on_commit_callbacks, alice, bob):
    client.force_login(UserFactory(roles=["service_centre"]))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/imports/", {"importer": KEY, "file": _file(_workbook(GOOD_ROWS))})

    job = _job_from(response)
    assert job.status == JobStatus.DONE
    assert client.get("/imports/").status_code == 200


def test_running_a_finished_job_again_changes_nothing(upload, alice, bob):
    job = _job_from(upload(_workbook(GOOD_ROWS)))
    before = (LedgerEntry.objects.count(), AuditEntry.objects.count())

    run_import.delay(job_id=str(job.pk))

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (LedgerEntry.objects.count(), AuditEntry.objects.count()) == before


def test_a_job_interrupted_part_way_resumes_without_recording_twice(
    staff_client, upload, alice, monkeypatch, django_capture_on_commit_callbacks
):
    rows = [["alice", "books", f"2024-03-{day:02d}", 1, None, None, None, None] for day in range(1, 6)]
    monkeypatch.setattr(activity_imports, "BATCH_SIZE", 2)
    real = activity_imports._write_batch
    calls = []

    def crash_on_second_batch(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(activity_imports, "_write_batch", crash_on_second_batch)
        job = _job_from(upload(_workbook(rows)))
    assert job.status == JobStatus.FAILED
    assert "the database went away" in job.error
    assert LedgerEntry.objects.filter(import_job=job).count() == 2  # the first batch was committed

    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(f"/imports/{job.pk}/retry/")

    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert (job.result["recorded"], job.result["recorded_earlier"], job.result["recorded_now"]) == (5, 2, 3)
    assert LedgerEntry.objects.filter(import_job=job).count() == 5
    alice.refresh_from_db()
    assert alice.balance == 5


def test_bulk_written_entries_equal_what_activity_record_writes(upload, staff_user):
    by_service = SpecialistFactory(user__username="svc")
    by_import = SpecialistFactory(user__username="imp")
    activities = [
        ("knowledge_contest", dt.date(2024, 3, 1), None, None, "", "知识竞赛"),
        ("books", dt.date(2024, 3, 2), 7, None, "", ""),
        ("membership_fee", dt.date(2024, 3, 3), None, Decimal("1234.50"), "", "会费"),
        ("recommend_member", dt.date(2024, 3, 4), 2, None, "director", ""),
    ]
    for rule, on, quantity, amount, level, description in activities:
        services.activity_record(
            by_service,
            rule=rule,
            occurred_on=on,
            quantity=quantity,
            amount=amount,
            level=level,
            description=description,
            actor=staff_user,
        )
    rows = [["imp", r, on.isoformat(), q, a, lv or None, d or None, None] for r, on, q, a, lv, d in activities]

    _job_from(upload(_workbook(rows)))

    fields = ["kind", "points", "rule", "quantity", "amount", "level", "occurred_on", "description", "recorded_by"]
    fields += ["activity", "reverses", "idempotency_key", "source_document"]

    def written(specialist):
        return list(LedgerEntry.objects.filter(specialist=specialist).order_by("occurred_on").values(*fields))

    def audited(specialist):
        rows = AuditEntry.objects.filter(action="specialist.points", object_id=str(specialist.pk)).order_by("id")
        return [(a.actor_id, a.content_type_id, a.data["rule"], a.data["points"]) for a in rows]

    assert written(by_import) == written(by_service)
    assert audited(by_import) == audited(by_service)
    by_service.refresh_from_db()
    by_import.refresh_from_db()
    assert by_import.balance == by_service.balance == 3 + 7 + 12 + 20


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite's flush meets the append-only ledger trigger")
def test_broker_down_leaves_the_job_not_queued_and_retry_sends_it(client):
    reference.load()  # a transactional test starts from an emptied database
    SpecialistFactory(user__username="alice")
    SpecialistFactory(user__username="bob")
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    client.force_login(staff)
    celery_app.conf.task_always_eager = False  # a real broker, and it is down
    with mock.patch.object(run_import, "apply_async", side_effect=OperationalError("connection refused")):
        response = client.post(reverse("admin:specialists_ledgerentry_import"), {"file": _file(_workbook(GOOD_ROWS))})
    job = _job_from(response)
    page = client.get(f"/imports/{job.pk}/").content.decode()

    assert job.status == JobStatus.UNQUEUED
    assert "上传时无法连接任务队列" in page
    assert "重试导入" in page
    assert not LedgerEntry.objects.filter(kind="activity").exists()

    celery_app.conf.task_always_eager = True  # the broker is back (the worker runs in-process)
    retried = client.post(f"/imports/{job.pk}/retry/")

    job.refresh_from_db()
    assert retried.status_code == 302
    assert job.status == JobStatus.DONE
    assert LedgerEntry.objects.filter(import_job=job).count() == 3


def _big_workbook(rows, usernames, rules):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADERS)
    start = dt.date(2024, 1, 1)
    for i in range(rows):
        rule = rules[i % len(rules)]
        ws.append(
            [
                usernames[i % len(usernames)],
                rule,
                start + dt.timedelta(days=i % 300),
                1 + i % 3,
                None,
                None,
                None,
                f"R{i}",
            ]
        )
    data = io.BytesIO()
    wb.save(data)
    return data.getvalue()


@pytest.mark.slow  # about 30 s on 2 cores: reading 50,000 rows with openpyxl alone takes 4 s
def test_a_50000_row_file_imports_in_one_job(staff_user, upload):
    User = get_user_model()
    users = User.objects.bulk_create([User(username=f"bulk{n:04d}") for n in range(500)])
    Specialist.objects.bulk_create(
        Specialist(
            user=u,
            name=f"专员{u.username}",
            status=S.GENERAL,
            status_since=dt.date(2024, 1, 1),
            applied_on=dt.date(2024, 1, 1),
        )
        for u in users
    )
    rules = ["books", "knowledge_contest", "attend_training"]
    content = _big_workbook(50_000, [u.username for u in users], rules)

    job = _job_from(upload(content))

    assert job.status == JobStatus.DONE, job.errors[:5] or job.error
    assert job.rows_done == job.rows_total == 50_000
    imported = LedgerEntry.objects.filter(import_job=job)
    assert imported.count() == 50_000
    total = imported.aggregate(total=Sum("points"))["total"]
    assert total == job.result["points"]
    assert Specialist.objects.filter(user__in=users).aggregate(total=Sum("balance"))["total"] == total
