"""The portal's own pages in zh-hans are Chinese for every role that reads them: a visitor, a
specialist, an exited specialist, a green-mine expert, a member unit's liaison and the secretariat,
each page rendered as their Chinese browser asks for it, with no English word outside the admin
crawl's allow-list.  A second test keeps the crawl whole: every page route of the portal is read by
some role here, or is listed in NOT_PAGES with the reason it is not a page."""

import datetime as dt
import io
import re

import pytest
from django.urls import URLResolver, get_resolver, resolve

from greenmine import demo as greenmine_demo
from greenmine.models import Assessment
from liaisons import demo as liaisons_demo
from liaisons.models import Liaison
from nominations import demo as nominations_demo
from nominations.models import Nomination
from specialists import demo as specialists_demo
from specialists.enums import SpecialistStatus as S
from tests.alliance.test_admin_chinese import english_words
from tests.factories import UserFactory
from tests.specialists.factories import SpecialistFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


@pytest.fixture
def people(django_capture_on_commit_callbacks):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    with django_capture_on_commit_callbacks(execute=True):
        specialists_demo.seed(stdout=io.StringIO())
        greenmine_demo.seed(stdout=io.StringIO())
    secretariat = UserFactory(username="mishu", roles=["secretariat"], is_staff=True, name="秘书处")
    UserFactory(username="root", is_superuser=True, is_staff=True)
    liaisons_demo.seed(stdout=io.StringIO())
    nominations_demo.seed(stdout=io.StringIO())
    exited = SpecialistFactory(
        user=UserFactory(username="tuichu", roles=["specialist"], name="退出专员"),
        status=S.EXITED,
        status_since=dt.date(2025, 3, 1),
        exited_on=dt.date(2025, 3, 1),
        name="退出专员",
    )
    colleague = SpecialistFactory(user=UserFactory(username="tongshi", roles=["specialist"]), status=S.GENERAL)
    return {
        "visitor": None,
        "specialist": users.get(username=specialists_demo.DEMO_USER),
        "exited specialist": exited.user,
        "expert": users.get(username=greenmine_demo.EXPERT),
        "liaison": users.get(username=liaisons_demo.LOGIN),
        "applicant": users.get(username=nominations_demo.APPLICANT_LOGIN),
        "nominations expert": users.get(username=nominations_demo.EXPERT_LOGIN),
        "secretariat": secretariat,
        "colleague": colleague.user.username,
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


def _pages(role, people):
    """(method, path, data) of every page the role reads: GETs, and the POSTs whose answer is a page
    (the transfer's confirmation step)."""
    assessment = Assessment.objects.get()
    pages = [("get", p, None) for p in ("/", "/specialists/exits/", "/no-such-page/")]
    if role == "visitor":
        return [*pages, ("get", "/accounts/login/", None)]
    pages += [("get", "/accounts/password_change/", None), ("get", "/accounts/password_change/done/", None)]
    if role in ("specialist", "exited specialist"):
        transfer = {"to": people["colleague"], "points": "1", "idempotency_key": "crawl"}
        return [*pages, ("get", "/me/points/", None), ("post", "/me/points/transfer/", transfer)]
    if role == "liaison":
        liaison = Liaison.objects.get(user=people["liaison"], is_active=True)
        fee = liaison.organisation.memberships.get().fees.first()
        return [*pages, ("get", "/liaisons/me/", None), ("get", f"/liaisons/me/fees/{fee.pk}/confirm/", None)]
    if role == "applicant":
        draft = Nomination.objects.filter(created_by=people["applicant"], status="draft").first()
        year = draft.campaign.year
        own = [f"/nominations/n/{draft.pk}/{p}" for p in ("", "edit/", "submit/")]
        return [*pages, *(("get", p, None) for p in ("/nominations/", f"/nominations/{year}/new/", *own))]
    if role == "nominations expert":
        scored = Nomination.objects.filter(field="resources_environment").exclude(status="draft").first()
        paths = ("/nominations/", f"/nominations/n/{scored.pk}/", f"/nominations/n/{scored.pk}/evaluate/")
        return [*pages, *(("get", p, None) for p in paths)]
    pages += [("get", p, None) for p in ("/greenmine/", f"/greenmine/{assessment.pk}/score/")]
    if role == "expert":
        return [*pages, *(("get", f"/greenmine/{assessment.pk}/{p}/", None) for p in ("result", "submit"))]
    assignment = assessment.assignments.get()
    year = dt.date.today().year - 1
    inactive = Liaison.objects.get(name="孙文")
    campaign = Nomination.objects.values_list("campaign__year", flat=True).first()
    return [
        *pages,
        *(("get", f"/greenmine/{assessment.pk}/{p}/", None) for p in ("result", "complete", "reopen")),
        ("get", f"/greenmine/{assessment.pk}/reopen/{assignment.pk}/", None),
        *(("get", p, None) for p in ("/exports/", "/imports/", "/admin/", "/liaisons/assessment/")),
        ("get", f"/liaisons/assessment/{year}/", None),
        ("get", f"/liaisons/assessment/{year}/letters/{inactive.pk}.pdf", None),
        ("get", f"/liaisons/units/{inactive.organisation_id}/registration.pdf", None),
        *(
            ("get", p, None)
            for p in ("/nominations/", f"/nominations/{campaign}/list/", f"/nominations/{campaign}/final/")
        ),
        ("get", f"/nominations/{campaign}/ranking/?field=resources_environment", None),
    ]


ROLES = [
    "visitor",
    "specialist",
    "exited specialist",
    "expert",
    "liaison",
    "applicant",
    "nominations expert",
    "secretariat",
]


def _read(client, people, role, capture):
    if people[role] is not None:
        client.force_login(people[role])
    pages = _pages(role, people)
    if role == "secretariat":
        with capture(execute=True):
            pages += [("get", p, None) for p in _jobs(client)]
    for method, path, data in pages:
        # A refusal's landing page carries its message.
        response = getattr(client, method)(path, data, follow=True, **ZH)
        assert response.status_code in (200, 403, 404), (path, response.status_code)
        yield path, response


@pytest.mark.parametrize("role", ROLES)
def test_every_portal_page_a_role_reads_is_chinese(client, people, role, django_capture_on_commit_callbacks):
    found = {}
    for path, response in _read(client, people, role, django_capture_on_commit_callbacks):
        if response["Content-Type"].startswith("application/pdf"):
            continue  # the PDFs' text is checked by their own tests (liaisons, greenmine, specialists)
        # The language switch names each language in itself ("English"), as every multilingual site does;
        # standards are cited by their codes (GB/T, DZ/T, HJ, TD/T, GBJ).
        # Data: the account names on the page, and the demo liaisons' WeChat IDs (wx + digits).
        own = {"English", getattr(people[role], "username", ""), people["colleague"], "wx"}
        words = [w for w in english_words(response.content) if w not in own and not re.fullmatch("[A-Z]{2,4}", w)]
        if words:
            found[path] = words

    assert not found, found


# Routes that are not pages a person reads: files, JSON for scripts, and form targets that answer
# with a redirect back to the page that holds the form (their messages are on that page).
NOT_PAGES = {
    "healthz": "the load balancer's health check",
    "favicon.ico": "an icon",
    "accounts/logout/": "POST only; lands on the login page",
    "exports/start/": "POST only; lands on the export's page",
    "exports/<uuid:pk>/status.json": "JSON for the progress bar",
    "exports/<uuid:pk>/download/": "the .xlsx file",
    "exports/<uuid:pk>/retry/": "POST only; lands on the export's page",
    "imports/<uuid:pk>/status.json": "JSON for the progress bar",
    "imports/<uuid:pk>/retry/": "POST only; lands on the import's page",
    "imports/<str:importer>/template.xlsx": "the template workbook",
    "me/points/redeem/": "POST only; lands on /me/points/",
    "me/documents/request/": "POST only; lands on /me/points/",
    "me/liaison/change/": "POST only; lands on /me/points/",
    "specialists/documents/<int:pk>.pdf": "a certificate PDF",
    "specialists/exits.xlsx": "the exit list workbook",
    "greenmine/<int:pk>/evidence/<int:evidence_id>/remove/": "POST only; lands on the scoring sheet",
    "greenmine/<int:pk>/prerequisites/": "POST only; lands on the result page",
    "greenmine/<int:pk>/site-visits/": "POST only; lands on the result page",
    "liaisons/me/contact/": "POST only; lands on /liaisons/me/",
    "liaisons/me/unit/": "POST only; lands on /liaisons/me/",
    "liaisons/me/unit/change-request/": "POST only; lands on /liaisons/me/",
    "liaisons/me/articles/": "POST only; lands on /liaisons/me/",
    "liaisons/me/feedback/": "POST only; lands on /liaisons/me/",
    "liaisons/photos/<int:pk>.jpg": "a photo",
    "nominations/<int:year>/list.xlsx": "the published list workbook",
    "nominations/n/<int:pk>/form.pdf": "the recommendation form PDF",
    "nominations/n/<int:pk>/attachments/": "POST only; lands on the nomination's form",
    "nominations/n/<int:pk>/attachments/<str:kind>/remove/": "POST only; lands on the nomination's form",
    "nominations/attachments/<int:pk>/": "an attached file",
}


def _routes(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern)


def test_the_crawl_reads_every_page_of_the_portal(client, people, django_capture_on_commit_callbacks):
    portal = {r for r in _routes(get_resolver().url_patterns) if not r.startswith(("admin/", "api/", "i18n/"))}
    read = set()
    for role in ROLES:
        client.logout()
        for path, _response in _read(client, people, role, django_capture_on_commit_callbacks):
            if path != "/no-such-page/":
                read.add(resolve(path.split("?")[0]).route)

    assert portal - read - set(NOT_PAGES) == set()
    assert set(NOT_PAGES) <= portal  # no stale entries
