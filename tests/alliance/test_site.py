import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from alliance.models import AuditEntry, Organisation
from alliance.roles import Role
from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] in {"ok", "in-process"}


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_unreachable(client, settings, monkeypatch):
    from alliance.celery import app

    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    settings.CELERY_TASK_ALWAYS_EAGER = False

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["broker"].startswith("error")


@pytest.mark.django_db
def test_openapi_schema_is_served(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/auth/token/" in schema["paths"]
    assert "/api/users/" in schema["paths"]


@pytest.mark.django_db
def test_api_docs_page_renders(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


@pytest.mark.django_db
def test_roles_exist_as_groups_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= set(Role.values)


@pytest.mark.django_db
def test_secretariat_group_may_work_in_admin():
    secretariat = Group.objects.get(name="secretariat")

    assert secretariat.permissions.filter(codename="change_organisation").exists()
    assert secretariat.permissions.filter(codename="add_user").exists()


@pytest.mark.django_db
def test_home_page_is_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-hans">' in response.content.decode()


@pytest.mark.django_db
def test_language_switch_to_english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"}, follow=True)

    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()
    assert "Alliance portal" in response.content.decode()


@pytest.mark.django_db
def test_login_page_renders(client):
    response = client.get("/accounts/login/")

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


ADMIN_PAGES = [
    "/admin/",
    "/admin/alliance/organisation/",
    "/admin/alliance/organisation/add/",
    "/admin/alliance/auditentry/",
    "/admin/auth/user/",
    "/admin/auth/user/add/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", ADMIN_PAGES)
def test_admin_pages_render_for_secretariat(staff_client, url):
    Organisation.objects.create(name="某矿业集团")
    AuditEntry.objects.create(action="demo")

    response = staff_client.get(url)

    assert response.status_code == 200


@pytest.mark.django_db
def test_admin_user_change_page_renders(staff_client):
    user = UserFactory(roles=["expert"], organisation="中国地质大学")

    response = staff_client.get(f"/admin/auth/user/{user.pk}/change/")

    assert response.status_code == 200
    assert "中国地质大学" in response.content.decode()


@pytest.mark.django_db
def test_admin_refuses_non_staff(client):
    client.force_login(UserFactory(roles=["specialist"]))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_audit_log_is_read_only_in_admin(staff_client):
    entry = AuditEntry.objects.create(action="demo")

    assert staff_client.get("/admin/alliance/auditentry/add/").status_code == 403
    assert staff_client.post(f"/admin/alliance/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


PRODUCTION_ENV = {
    "DEBUG": "off",
    "HTTPS": "on",
    "SECRET_KEY": "x7#Qm2!pZr9@Lw4$Tn8^Vb6&Yc3*Hd5(Jf1)Kg0_Ms-Nq+Pu=Ra",
    "ALLOWED_HOSTS": "portal.example.org",
}


def _manage(*args, env):
    unset = {"DEBUG", "HTTPS", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the browser fixture sets the last
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_deploy_check_is_clean_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_without_secret_key_refuses_to_start():
    env = {**PRODUCTION_ENV, "SECRET_KEY": ""}

    result = _manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(("name", "value"), [("DEBUG", "maybe"), ("HTTPS", "yes please"), ("CONN_MAX_AGE", "ten")])
def test_bad_setting_values_raise_improperly_configured(name, value):
    result = _manage("check", env={name: value})

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert name in result.stderr


@pytest.mark.django_db
def test_home_shows_service_staff_the_specialists_workbench(client):
    client.force_login(UserFactory(roles=["service_centre"], is_staff=True))

    page = client.get("/").content.decode()

    assert "/admin/specialists/specialist/" in page
    assert "/specialists/exits/" in page


@pytest.mark.django_db
def test_home_hides_staff_cards_from_a_specialist(client):
    client.force_login(UserFactory(roles=["specialist"]))

    page = client.get("/").content.decode()

    assert "/admin/" not in page
    assert "/me/points/" in page
