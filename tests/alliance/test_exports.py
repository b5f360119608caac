import io

import pytest
from openpyxl import load_workbook

from alliance import audit, exports
from alliance.models import AuditEntry, ExportJob, ExportStatus
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def broken_exporter():
    @exports.register("tests.broken", title="Broken", filename="broken.xlsx")
    def broken(params):
        raise RuntimeError("the data source is gone")

    yield "tests.broken"
    exports._registry.pop("tests.broken")


def _download(client, job):
    response = client.get(f"/exports/{job.pk}/download/")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(b"".join(response.streaming_content))).active


def test_secretariat_exports_the_audit_log_with_progress(client, django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    for n in range(3):
        audit.record("demo.changed", staff, actor=staff, n=n)
    client.force_login(staff)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/exports/start/", {"exporter": "alliance.audit"})

    job = ExportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exports/{job.pk}/"
    assert job.status == ExportStatus.DONE
    assert job.rows_total == 4  # three entries plus the export request itself
    assert job.rows_done == 4
    status = client.get(f"/exports/{job.pk}/status.json").json()
    assert status["percent"] == 100
    assert status["download"] == f"/exports/{job.pk}/download/"
    sheet = _download(client, job)
    assert [c.value for c in sheet[1]][:2] == ["时间（北京时间）", "动作"]
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)].count("demo.changed") == 3


def test_progress_page_renders(client):
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    job = ExportJob.objects.create(exporter="alliance.audit", requested_by=staff, rows_total=10_000, rows_done=2_500)
    client.force_login(staff)

    response = client.get(f"/exports/{job.pk}/")

    assert response.status_code == 200
    assert 'data-width="25"' in response.content.decode()  # drawn by static/js/portal.js (CSP: no style=)


def test_other_users_cannot_see_or_download_an_export(client):
    owner = UserFactory(roles=["service_centre"], is_staff=True)
    job = ExportJob.objects.create(exporter="alliance.audit", requested_by=owner, status=ExportStatus.DONE)
    client.force_login(UserFactory(roles=["service_centre"], is_staff=True))

    assert client.get(f"/exports/{job.pk}/").status_code == 404
    assert client.get(f"/exports/{job.pk}/status.json").status_code == 404
    assert client.get(f"/exports/{job.pk}/download/").status_code == 404


def test_export_refused_without_its_permission(client):
    client.force_login(UserFactory(roles=["service_centre"], is_staff=True))  # the audit log is secretariat-only

    response = client.post("/exports/start/", {"exporter": "alliance.audit"}, follow=True)

    assert ExportJob.objects.count() == 0
    assert "You may not run this export." in response.content.decode()


def test_unknown_export_is_refused_with_a_message(client):
    client.force_login(UserFactory(roles=["secretariat"], is_staff=True))

    response = client.post("/exports/start/", {"exporter": "nope"}, follow=True)

    assert ExportJob.objects.count() == 0
    assert "Unknown export" in response.content.decode()


def test_failed_export_records_the_error(broken_exporter, django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"], is_staff=True)

    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_start(user=staff, key=broken_exporter)

    job.refresh_from_db()
    assert job.status == ExportStatus.FAILED
    assert job.error == "RuntimeError: the data source is gone"
    assert not job.file


def test_running_a_finished_export_again_changes_nothing(django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        job = exports.export_start(user=staff, key="alliance.audit")
    job.refresh_from_db()
    name, finished = job.file.name, job.finished_at

    exports.export_run(job)

    job.refresh_from_db()
    assert (job.file.name, job.finished_at) == (name, finished)


@pytest.mark.integration
def test_export_runs_on_a_real_worker(celery_worker_live):
    staff = UserFactory(roles=["secretariat"], is_staff=True)
    AuditEntry.objects.bulk_create(AuditEntry(action="bulk", data={"n": n}) for n in range(2500))

    job = exports.export_start(user=staff, key="alliance.audit")  # no atomic block: on_commit fires at once

    from alliance.tasks import run_export

    run_export.delay(job_id=str(job.pk)).get(timeout=60)  # the queued run and this one: idempotent
    job.refresh_from_db()
    assert job.status == ExportStatus.DONE
    assert job.rows_done == 2501


def test_specialists_ledger_export_is_registered_for_service_staff():
    service = UserFactory(roles=["service_centre"], is_staff=True)

    keys = {e.key for e in exports.exporters_for(service)}

    assert {"specialists.ledger", "specialists.roster"} <= keys
    assert "alliance.audit" not in keys
