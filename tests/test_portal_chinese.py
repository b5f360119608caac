"""The portal's own pages in zh-hans are Chinese for every role that reads them: a visitor, a
specialist, an exited specialist, a green-mine expert and the secretariat, each page rendered as
their Chinese browser asks for it, with no English word outside the admin crawl's allow-list."""

import datetime as dt
import io
import re

import pytest

from greenmine import demo as greenmine_demo
from greenmine.models import Assessment
from specialists import demo as specialists_demo
from specialists.enums import SpecialistStatus as S
from tests.alliance.test_admin_chinese import english_words
from tests.factories import UserFactory
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def people(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        specialists_demo.seed(stdout=io.StringIO())
        greenmine_demo.seed(stdout=io.StringIO())
    exited = SpecialistFactory(
        user=UserFactory(username="tuichu", roles=["specialist"], name="退出专员"),
        status=S.EXITED,
        status_since=dt.date(2025, 3, 1),
        exited_on=dt.date(2025, 3, 1),
        name="退出专员",
    )
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    return {
        "visitor": None,
        "specialist": users.get(username=specialists_demo.DEMO_USER),
        "exited specialist": exited.user,
        "expert": users.get(username=greenmine_demo.EXPERT),
        "secretariat": UserFactory(username="mishu", roles=["secretariat"], is_staff=True, name="秘书处"),
    }


def _jobs(client):
    """An export and an import (of the template workbook, whose sample rows name no real specialist,
    so its page lists problems) started by the secretariat, as the worker would run them."""
    from django.urls import reverse

    from alliance.models import ExportJob, ImportJob

    template = client.get("/imports/specialists.activities/template.xlsx").getvalue()
    upload = io.BytesIO(template)
    upload.name = "活动积分.xlsx"
    client.post(reverse("admin:specialists_ledgerentry_import"), {"file": upload})
    client.post("/exports/start/", {"exporter": "specialists.ledger"})
    return [f"/exports/{ExportJob.objects.get().pk}/", f"/imports/{ImportJob.objects.get().pk}/"]


def _pages(role):
    assessment = Assessment.objects.get()
    pages = ["/", "/specialists/exits/", "/no-such-page/"]
    if role == "visitor":
        return [*pages, "/accounts/login/"]
    pages.append("/accounts/password_change/")
    if role in ("specialist", "exited specialist"):
        return [*pages, "/me/points/"]
    pages += ["/greenmine/", f"/greenmine/{assessment.pk}/score/"]
    if role == "expert":
        return [*pages, f"/greenmine/{assessment.pk}/result/", f"/greenmine/{assessment.pk}/submit/"]
    assignment = assessment.assignments.get()
    return [
        *pages,
        f"/greenmine/{assessment.pk}/result/",
        f"/greenmine/{assessment.pk}/complete/",
        f"/greenmine/{assessment.pk}/reopen/{assignment.pk}/",
        "/exports/",
        "/imports/",
        "/admin/",
    ]


@pytest.mark.parametrize("role", ["visitor", "specialist", "exited specialist", "expert", "secretariat"])
def test_every_portal_page_a_role_reads_is_chinese(client, people, role, django_capture_on_commit_callbacks):
    if people[role] is not None:
        client.force_login(people[role])
    pages = _pages(role)
    if role == "secretariat":
        with django_capture_on_commit_callbacks(execute=True):
            pages += _jobs(client)
    found = {}
    for path in pages:
        response = client.get(path, follow=True, **ZH)  # a refusal's landing page carries its message
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        # The language switch names each language in itself ("English"), as every multilingual site does;
        # standards are cited by their codes (GB/T, DZ/T, HJ, TD/T, GBJ).
        # and the admin greets a user by their account name.
        own = {"English", getattr(people[role], "username", "")}
        words = [w for w in english_words(response.content) if w not in own and not re.fullmatch("[A-Z]{2,4}", w)]
        if words:
            found[path] = words

    assert not found, found
