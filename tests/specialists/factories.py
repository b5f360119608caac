import datetime as dt

import factory

from specialists.enums import SpecialistStatus
from specialists.models import Activity, Specialist
from tests.factories import UserFactory


class SpecialistFactory(factory.django.DjangoModelFactory):
    """A specialist; `status`/`status_since` set directly (tests of rules drive services instead)."""

    class Meta:
        model = Specialist

    user = factory.SubFactory(UserFactory, roles=["specialist"])
    name = factory.Sequence(lambda n: f"专员{n:03d}")
    email = factory.LazyAttribute(lambda s: f"{s.user.username}@example.com")
    status = SpecialistStatus.GENERAL
    applied_on = dt.date(2024, 1, 2)
    status_since = dt.date(2024, 1, 2)


class ActivityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Activity

    title = factory.Sequence(lambda n: f"专员活动{n}")
    held_on = dt.date(2024, 3, 1)
