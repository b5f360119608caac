import pytest

from tests.conftest import login
from tests.factories import UserFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_staff_logs_in_and_opens_home_and_admin(page, live_server, artifacts_dir):
    UserFactory(username="mishu", name="秘书处小王", roles=["secretariat"], is_staff=True)

    login(page, live_server, "mishu")

    assert page.locator(".who").inner_text() == "秘书处小王"
    assert page.locator("h1").first.inner_text() == "联盟业务平台"
    page.screenshot(path=str(artifacts_dir / "home.png"), full_page=True)
    page.click("text=管理后台")
    page.wait_for_load_state("networkidle")
    assert "联盟业务管理平台" in page.locator("#site-name").inner_text()
    content = page.locator("#content").inner_text()
    assert "单位" in content and "审计日志" in content
    assert page.locator("#content a[href='/admin/alliance/organisation/']").first.is_visible()
    page.screenshot(path=str(artifacts_dir / "admin.png"), full_page=True)


def test_wrong_password_shows_an_error(page, live_server):
    UserFactory(username="mishu")

    login(page, live_server, "mishu", password="wrong")

    assert page.locator("p.error").is_visible()
    assert "/accounts/login/" in page.url
