"""Finding 8: a Content-Security-Policy that the pages, the admin and the API docs work under."""

import pytest

from alliance.models import ExportJob
from greenmine import reference
from tests.conftest import login
from tests.factories import UserFactory
from tests.greenmine import factories as gm

DIRECTIVES = [
    "default-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


def _policy(response):
    return {part.strip() for part in response["Content-Security-Policy"].split(";")}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/login/", "/admin/", "/admin/alliance/organisation/", "/greenmine/", "/exports/", "/api/docs/"],
)
def test_policy_header_is_sent_on_pages_admin_and_api_docs(staff_client, path):
    response = staff_client.get(path)

    assert response.status_code == 200
    policy = _policy(response)
    for directive in DIRECTIVES:
        assert any(part == directive or part.startswith(directive + " ") for part in policy), directive
    assert not any("unsafe-inline" in part for part in policy if part.startswith("script-src"))
    assert not any("unsafe-inline" in part for part in policy if part.startswith("style-src"))


@pytest.mark.django_db
def test_api_docs_load_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs/").content.decode()
    script = client.get("/api/docs/?script=")

    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn." not in page and "<style" not in page
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()


@pytest.mark.django_db
def test_templates_carry_no_inline_handlers_or_style_attributes(staff_client):
    page = staff_client.get("/").content.decode()

    assert "onchange=" not in page and "style=" not in page
    assert "data-autosubmit" in page


# ---- in Chromium: no violation reported on the main pages -------------------------------------


def _watch_csp(page):
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}") if "Content Security Policy" in message.text else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: script error {error}"))
    return violations


def _visit(page, url, ready=None):
    page.goto(url)
    page.wait_for_load_state("networkidle")
    if ready:
        page.wait_for_selector(ready)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_main_pages_raise_no_csp_violation_in_chromium(browser, live_server, artifacts_dir):
    reference.load()
    staff = UserFactory(username="csp_staff", roles=["secretariat"], is_staff=True, is_superuser=True)
    expert = gm.expert("csp_expert", "李专家")
    assessment = gm.assessment(staff, mine_name="青山石灰石矿")
    gm.assign(assessment, staff, expert)
    gm.pass_prerequisites(assessment, staff)
    job = ExportJob.objects.create(exporter="alliance.audit", requested_by=staff, rows_total=10, rows_done=4)
    base = live_server.url

    expert_context = browser.new_context(locale="zh-CN")
    page = expert_context.new_page()
    violations = _watch_csp(page)
    _visit(page, f"{base}/")
    _visit(page, f"{base}/accounts/login/")
    login(page, live_server, "csp_expert")
    _visit(page, f"{base}/greenmine/{assessment.pk}/score/", ready="#subtotal-1")
    page.fill("[name='n3-f-finding']", "1")  # the live subtotal (static/greenmine/scoring.js) runs
    assert page.locator("#subtotal-1").inner_text() != "0 / 12"
    expert_context.close()

    staff_context = browser.new_context(locale="zh-CN")
    page = staff_context.new_page()
    violations += _watch_csp(page)
    login(page, live_server, "csp_staff")
    _visit(page, f"{base}/greenmine/")
    _visit(page, f"{base}/greenmine/{assessment.pk}/result/")
    _visit(page, f"{base}/exports/")
    _visit(page, f"{base}/exports/{job.pk}/")
    _visit(page, f"{base}/admin/")
    _visit(page, f"{base}/admin/alliance/organisation/")
    _visit(page, f"{base}/admin/alliance/organisation/add/")
    _visit(page, f"{base}/admin/axes/accessattempt/")
    _visit(page, f"{base}/api/docs/", ready=".swagger-ui .opblock")
    page.screenshot(path=str(artifacts_dir / "api-docs-under-csp.png"))
    _visit(page, f"{base}/api/redoc/", ready="#redoc-container .api-content")
    # The language switch submits itself (static/js/portal.js, not an onchange attribute).
    _visit(page, f"{base}/")
    with page.expect_navigation():
        page.select_option("#lang-select", "en")
    assert page.locator("html").get_attribute("lang") == "en"
    staff_context.close()

    assert violations == []
