"""With DEBUG off, errors render the site's Chinese pages, not Django's bare English ones (issue 8)."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path

import alliance.urls


def _broken(request):
    raise RuntimeError("boom")


def _forbidden(request):
    raise PermissionDenied


# This module is the URLconf of the tests below: the site's URLs plus one view that raises.
urlpatterns = [path("broken/", _broken), path("forbidden/", _forbidden), path("", include(alliance.urls))]


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__
    settings.ALLOWED_HOSTS = ["testserver"]


def test_404_renders_the_chinese_page_in_the_site_frame(client, production):
    response = client.get("/no/such/page/")

    body = response.content.decode()
    assert response.status_code == 404
    assert "页面不存在" in body and "您访问的页面不存在，或您无权查看。" in body
    assert 'class="topbar"' in body and "返回首页" in body
    assert "Not Found" not in body


def test_500_renders_the_standalone_chinese_page_without_the_request(db, production):
    client = Client(raise_request_exception=False)

    response = client.get("/broken/")

    body = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="zh-Hans">' in body and "服务器出错了" in body
    assert "/static/css/portal.css" in body
    assert "Server Error" not in body


def test_403_renders_the_chinese_page(client, production):
    response = client.get("/forbidden/")

    body = response.content.decode()
    assert response.status_code == 403
    assert "无权访问" in body and "您的账号无权打开此页面。" in body


def test_csrf_failure_renders_the_chinese_page_in_the_site_frame(db, production):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/accounts/login/", {"username": "a", "password": "b"}, HTTP_ACCEPT_LANGUAGE="zh-hans")

    body = response.content.decode()
    assert response.status_code == 403
    assert "表单已失效" in body and "本次未保存任何内容" in body and 'class="topbar"' in body
    assert "CSRF verification failed" not in body
