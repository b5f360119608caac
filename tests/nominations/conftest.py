"""The people of the nominations pages' tests: two units' applicants and two fields' experts."""

import pytest

from nominations import services
from nominations.enums import Field
from tests.nominations.factories import UnitFactory, applicant, expert, open_campaign


@pytest.fixture(autouse=True)
def _nomination_reference_data(request):
    """The data migration's rows (GB/T 4754 codes, consortia): a transactional test elsewhere in the
    session (a live server's) flushes them; load them again (idempotent) for the tests that use the
    database."""
    names = request.fixturenames
    if request.node.get_closest_marker("django_db") is None and not {"db", "transactional_db", "live_server"} & set(
        names
    ):
        return
    request.getfixturevalue("transactional_db" if {"transactional_db", "live_server"} & set(names) else "db")
    from nominations import reference
    from nominations.models import IndustryCode

    if not IndustryCode.objects.exists():
        reference.load()


@pytest.fixture
def unit():
    return UnitFactory(name="中国地质科学院矿产综合利用研究所")


@pytest.fixture
def alice(unit):
    return applicant(unit, username="alice", name="李爱丽")


@pytest.fixture
def bob():
    return applicant(UnitFactory(name="长沙矿冶研究院有限责任公司"), username="bob", name="王博")


@pytest.fixture
def campaign():
    return open_campaign()


@pytest.fixture
def erin(campaign, staff_user):
    user = expert(UnitFactory(name="北京科技大学"), username="erin", name="赵尔")
    services.expert_assign(campaign, field=Field.RESOURCES_ENVIRONMENT, username=user.username, actor=staff_user)
    return user


@pytest.fixture
def frank(campaign, staff_user):
    user = expert(UnitFactory(name="清华大学"), username="frank", name="孙方")
    services.expert_assign(campaign, field=Field.ELECTRONICS, username=user.username, actor=staff_user)
    return user
