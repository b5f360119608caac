import datetime as dt

import pytest

from specialists import reference
from specialists.enums import SpecialistStatus as S
from specialists.models import LifecycleRun, Specialist
from specialists.tasks import run_lifecycle

from .factories import SpecialistFactory


@pytest.mark.integration
def test_nightly_task_runs_on_a_real_worker(celery_worker_live):
    reference.load()
    specialist = SpecialistFactory(status=S.GENERAL, status_since=dt.date(2024, 1, 1))

    result = run_lifecycle.apply_async(kwargs={"as_of": "2024-07-01"}).get(timeout=30)

    assert result["changed"] == 1
    assert Specialist.objects.get(pk=specialist.pk).status == S.ROSTER
    assert LifecycleRun.objects.get().source == "schedule"


@pytest.mark.django_db
def test_nightly_task_without_a_date_runs_for_today_in_shanghai(time_machine):
    time_machine.move_to(dt.datetime(2024, 7, 1, 17, 0, tzinfo=dt.UTC))  # 01:00 on 2 July in Shanghai
    SpecialistFactory(status=S.GENERAL, status_since=dt.date(2024, 1, 2))

    result = run_lifecycle.delay().get()

    assert result["as_of"] == "2024-07-02"
    assert result["changed"] == 1
