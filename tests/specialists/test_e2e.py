import datetime as dt

import pytest

from specialists import reference, services
from specialists.models import Redemption
from tests.conftest import login
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def zhang():
    reference.load()  # a transactional test's flush removes the migrations' reference data
    recorder = UserFactory(username="recorder", roles=["service_centre"])
    liaison = UserFactory(username="liaison-wang", name="王联络", email="wang@alliance.example")
    specialist = SpecialistFactory(name="张伟明", user__username="zhangwei", liaison=liaison)
    on = dt.date.today() - dt.timedelta(days=20)
    services.activity_record(specialist, rule="books", quantity=50, occurred_on=on, actor=recorder)
    return specialist


def test_specialist_redeems_a_gift_and_the_balance_drops(page, live_server, artifacts_dir, zhang):
    login(page, live_server, "zhangwei")
    page.goto(f"{live_server.url}/me/points/")
    assert page.locator("#balance").inner_text() == "50"

    page.locator("li[data-reward=office_gift] button[type=submit]").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("#balance").inner_text() == "30"  # 附件二: 办公礼品 20 分
    assert page.locator(".msg-success").is_visible()
    assert "办公礼品" in page.locator(".msg-success").inner_text()
    assert Redemption.objects.filter(specialist=zhang).count() == 1
    assert page.locator("#ledger-table tbody tr").count() == 2
    page.screenshot(path=str(artifacts_dir / "specialists-my-points.png"), full_page=True)


def test_my_points_fits_a_phone_screen(page, live_server, artifacts_dir, zhang):
    page.set_viewport_size({"width": 390, "height": 844})
    login(page, live_server, "zhangwei")
    page.goto(f"{live_server.url}/me/points/")

    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert page.locator("#balance").is_visible()
    assert page.locator("li[data-reward=office_gift] button[type=submit]").is_visible()
    page.screenshot(path=str(artifacts_dir / "specialists-my-points-phone.png"), full_page=True)
