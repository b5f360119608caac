import pytest

from alliance.models import AuditEntry
from alliance.tasks import ping


@pytest.mark.integration
def test_task_runs_on_a_real_worker_through_redis(celery_worker_live):
    result = ping.delay(note="through-redis")

    assert result.get(timeout=30) == "pong"
    assert AuditEntry.objects.filter(action="worker.ping", data__note="through-redis").count() == 1


@pytest.mark.django_db
def test_task_runs_in_process_without_a_broker():
    assert ping.delay(note="eager").get() == "pong"
    assert AuditEntry.objects.filter(action="worker.ping", data__note="eager").exists()
