"""The admin index as the office works: grouped by task (日常办理, 台账, 规则与设置 …), each model under its
programme, quick links to the pages outside the admin, and only what the user may see."""

import re

import pytest
from django.contrib import admin
from django.test import RequestFactory

from alliance.admin_site import GROUPS, AllianceAdminSite
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADINGS = ["快捷入口", "日常办理", "台账", "规则与设置", "用户与权限", "记录"]


def _blocks(html):
    """{block id: block html} in page order, for the quick links and each group."""
    parts = re.split(r'(?=<div class="[^"]*module" id="(?:quick-links|group-[a-z]+)")', html)
    blocks = {}
    for part in parts[1:]:
        block_id = re.match(r'<div class="[^"]*module" id="([a-z-]+)"', part).group(1)
        blocks[block_id] = part.split("</table>", 1)[0]
    return blocks


def _captions(html):
    return re.findall(r'<caption><span class="section">([^<]+)</span></caption>', html)


def _index(client, user):
    client.force_login(user)
    response = client.get("/admin/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def test_the_default_admin_site_is_the_office_site():
    assert isinstance(admin.site, AllianceAdminSite)  # every app's admin.register lands here


def test_every_registered_model_has_a_group():
    grouped = {label for _slug, _heading, labels in GROUPS for label in labels}
    registered = {model._meta.label_lower for model in admin.site._registry}

    assert registered - grouped == set()  # a new admin lands in 其他 until it is placed
    assert grouped - registered == set()


def test_superuser_index_groups_models_by_task_then_programme(client):
    html = _index(client, UserFactory(username="root", is_superuser=True, is_staff=True))

    assert _captions(html) == HEADINGS
    blocks = _blocks(html)
    assert list(blocks) == [
        "quick-links",
        "group-daily",
        "group-ledgers",
        "group-rules",
        "group-access",
        "group-records",
    ]
    expected = {
        "group-daily": [
            "/admin/specialists/specialist/",
            "/admin/specialists/redemption/",
            "/admin/greenmine/assessment/",
        ],
        "group-ledgers": [
            "/admin/specialists/ledgerentry/",
            "/admin/greenmine/expertscore/",
            "/admin/alliance/organisation/",
        ],
        "group-rules": ["/admin/specialists/pointrule/", "/admin/greenmine/indicator/"],
        "group-access": ["/admin/auth/user/", "/admin/auth/group/"],
        "group-records": [
            "/admin/alliance/auditentry/",
            "/admin/specialists/statuschange/",
            "/admin/alliance/exportjob/",
        ],
    }
    for block, urls in expected.items():
        for url in urls:
            assert f'href="{url}"' in blocks[block], (block, url)
            others = [b for b in blocks if b != block]
            assert not any(f'href="{url}"' in blocks[o] for o in others), url
    # Within a group, the programme is named above its models: 特别专员 before 绿色矿山.
    daily = blocks["group-daily"]
    names = re.findall(r'class="mini quiet programme-name">([^<]+)<', daily)
    assert len(names) == 5 and len(set(names)) == 5
    assert daily.index(names[0]) < daily.index("/admin/specialists/specialist/") < daily.index(names[1])
    assert daily.index(names[1]) < daily.index("/admin/greenmine/assessment/")


def test_quick_links_lead_to_exports_imports_results_and_public_exit_list(client):
    html = _index(client, UserFactory(username="sec", roles=["secretariat"], is_staff=True))

    links = _blocks(html)["quick-links"]
    for url, title in [
        ("/exports/", "导出"),
        ("/imports/", "导入"),
        ("/greenmine/", "绿色矿山评价结果"),
        ("/specialists/exits/", "特别专员退出名单"),
    ]:
        assert f'<a href="{url}">{title}</a>' in links, url


def test_service_centre_sees_only_the_models_it_may_view(client):
    user = UserFactory(username="centre", roles=["service_centre"], is_staff=True)

    html = _index(client, user)

    listed = set(re.findall(r'<tr class="model-[a-z]+">\s*<th scope="row" id="[a-z]+-([a-z]+)">', html))
    request = RequestFactory().get("/admin/")
    request.user = user
    may_view = {
        model._meta.model_name
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_module_permission(request) and model_admin.has_view_or_change_permission(request)
    }
    assert listed == may_view
    assert "specialist" in listed and "ledgerentry" in listed
    # green mine, roles, the audit log and lockouts are the secretariat's (alliance.roles.ADMIN_PERMISSIONS)
    assert not {"assessment", "expertscore", "indicator", "group", "auditentry", "accessattempt"} & listed
    assert "pointrule" in listed  # the rules it applies, read-only
    assert _captions(html) == HEADINGS
    assert "/greenmine/" not in _blocks(html)["quick-links"]  # green mine is the secretariat's
    assert "/specialists/exits/" in _blocks(html)["quick-links"]


def test_app_index_page_is_unchanged(client):
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    response = client.get("/admin/specialists/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200
    assert 'href="/admin/specialists/specialist/"' in response.content.decode()


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_admin_index_in_chromium_zh_cn(page, live_server, artifacts_dir):
    from tests.conftest import login

    UserFactory(username="mishu", name="秘书处小王", roles=["secretariat"], is_staff=True)

    login(page, live_server, "mishu")
    page.goto(f"{live_server.url}/admin/")

    captions = [c.strip() for c in page.locator("#content-main caption").all_inner_texts()]
    assert captions == HEADINGS
    page.click("#quick-links a[href='/greenmine/']")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/greenmine/")
    page.go_back()
    page.screenshot(path=str(artifacts_dir / "admin-index.png"), full_page=True)


def test_the_admin_greets_the_user_by_the_name_on_their_profile(client):
    html = _index(client, UserFactory(username="zhangwei", roles=["secretariat"], is_staff=True, name="张伟"))
    assert "欢迎您，<strong>张伟</strong>" in html
    assert "<strong>zhangwei</strong>" not in html


def test_an_account_without_a_name_is_greeted_by_its_username(client):
    html = _index(client, UserFactory(username="liwei", roles=["secretariat"], is_staff=True, name=""))
    assert "<strong>liwei</strong>" in html
