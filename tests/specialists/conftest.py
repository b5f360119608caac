import datetime as dt

import pytest

from specialists import services
from tests.factories import UserFactory

from .factories import SpecialistFactory


@pytest.fixture
def recorder(db):
    return UserFactory(username="recorder", roles=["service_centre"], is_staff=True)


@pytest.fixture
def credit(recorder):
    """credit(specialist, points, on) records `points` book purchases (附件一: 每本 1 分)."""

    def _credit(specialist, points, on=dt.date(2024, 1, 2)):
        return services.activity_record(specialist, rule="books", quantity=points, occurred_on=on, actor=recorder)

    return _credit


@pytest.fixture
def specialist(db):
    return SpecialistFactory()
