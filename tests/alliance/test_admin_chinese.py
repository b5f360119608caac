"""The admin in zh-hans is Chinese: every registered model's changelist, add page and a change page of a
real object, read as a superuser with a Chinese browser, show no English word outside a short allow-list
(codes, units, file formats and the fixtures' own usernames and e-mails)."""

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse
from lxml import html as lxml_html
from rest_framework.authtoken.models import Token

from alliance import audit
from alliance.models import AuditEntry, ExportJob, ImportJob, Organisation
from alliance.roles import Role
from greenmine import demo
from greenmine import services as gm_services
from greenmine.models import Assessment, PrerequisiteCheck, ProvinceRule
from specialists import documents, services
from specialists.enums import SpecialistStatus as S
from specialists.lifecycle import lifecycle_run
from specialists.models import Committee, CommitteeMembership, LiaisonChangeRequest, Meeting, Motion, StatusChange
from tests.awards.factories import programme_rows as award_programme_rows
from tests.factories import UserFactory
from tests.liaisons.factories import programme_rows as liaison_programme_rows
from tests.nominations.factories import programme_rows as nomination_programme_rows
from tests.specialists.factories import ActivityFactory, SpecialistFactory

pytestmark = pytest.mark.django_db

ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}

# Words that are the same in a Chinese office: file formats, protocols, key names, units, and this test's data.
ALLOWED = {
    *("pdf", "xlsx", "api", "url", "id", "ip", "sha", "gb", "ldap", "kb"),  # formats, standards, protocols
    *("excel", "https"),  # a brand name (导出（Excel）) and the scheme a web address starts with
    *("http", "get", "post", "accept", "mozilla"),  # a login's request headers (django-axes), as received
    *("command", "control", "mac"),  # key names in Django's "hold down Control, or Command on a Mac"
    "unknown",  # django-axes' "<unknown>" path of a login made without a request (force_login)
    *("yyyy", "mm", "dd", "hh"),
    # fixtures: the accounts the test creates
    *("root", "alice", "bob", "recorder", "gm_expert", "staff_secretariat", "voter", "lianluo", "tuijian", "chuping"),
    # the awards fixtures' accounts (pinyin: 领导, 申报, 函审, 回避, 撤回, 撤销, 评委)
    *("lingdao", "shenbao", "hanshen", "huibi", "chehui", "chexiao", "pingwei"),
}
# Visible text is what a user reads: not scripts, styles, nor the values typed into inputs; codes are
# codes (a column or field named "code", a <code> example); <bdi> holds the password hash's parts.
INVISIBLE = ("script", "style", "template", "textarea", "noscript", "code", "bdi")
CODES = "//*[contains(concat(' ', normalize-space(@class), ' '), ' field-code ')]"
EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(\.[\w-]+)+\b")
FILE_NAME = re.compile(r"\S+\.(pdf|xlsx|docx|jpg|png)\b", re.IGNORECASE)
WORD = re.compile(r"[A-Za-z][A-Za-z_]+")


def parse(content):
    return lxml_html.fromstring(content.decode() if isinstance(content, bytes) else content)


def visible_text(content):
    tree = parse(content)
    for element in [*tree.iter(*INVISIBLE), *tree.xpath(CODES)]:
        if element.getparent() is not None:
            element.drop_tree()
    parts = list(tree.itertext())
    # Buttons are read too: <input type="submit" value="...">, and placeholders and tooltips.
    parts += tree.xpath("//input[@type='submit' or @type='button']/@value")
    parts += tree.xpath("//*/@placeholder | //*/@title")
    return " ".join(parts)


def english_words(content):
    text = FILE_NAME.sub(" ", EMAIL.sub(" ", visible_text(content)))
    return sorted({w for w in WORD.findall(text) if w.lower() not in ALLOWED})


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True, name="系统管理员")


@pytest.fixture
def world(root):
    """At least one real object of every model the admin lists, made through the services."""
    recorder = UserFactory(username="recorder", roles=[Role.SERVICE_CENTRE], is_staff=True, name="服务中心职员")
    UserFactory(username="staff_secretariat", roles=[Role.SECRETARIAT], is_staff=True, name="秘书处职员")
    voter = UserFactory(username="voter", roles=[Role.COMMITTEE], name="委员会委员")
    organisation = Organisation.objects.create(name="中国冶金矿山企业协会", nature="association", address="北京")
    alice = SpecialistFactory(name="王爱丽", user__username="alice")
    bob = SpecialistFactory(name="李博", user__username="bob", status=S.ROSTER)
    services.activity_record(alice, rule="books", quantity=300, occurred_on=dt.date(2024, 1, 2), actor=recorder)
    redemption, _created = services.redemption_create(alice, reward="office_gift", idempotency_key="g")
    services.redemption_fulfil(redemption, actor=recorder)
    services.transfer_create(alice, recipient=bob, points=10, idempotency_key="t")
    services.icebreaker_record(alice, on=dt.date(2024, 2, 1))
    activity = ActivityFactory(title="专员座谈会")
    services.attendance_record(alice, activity, actor=recorder)
    services.liaison_assign(alice, recorder, on=dt.date(2024, 1, 3), actor=recorder)
    services.contact_record(alice, staff=recorder, on=dt.date(2024, 2, 3), channel="phone")
    services.liaison_change_request_create(alice, reason="联系不上")
    request = services.document_request_create(alice, kind="appointment", address="北京市海淀区")
    services.document_request_mark_sent(request, on=dt.date(2024, 2, 5), actor=recorder)
    meeting = Meeting.objects.create(kind="committee", title="专员委员会会议", held_on=dt.date(2024, 3, 1))
    motion = Motion.objects.create(meeting=meeting, kind="exit", title="退出表决", subject=bob)
    services.vote_cast(motion, voter=voter, choice="for")
    services.excellent_nominate(alice, year=2024, reason="宣传推广", actor=recorder)
    lifecycle_run(as_of=dt.date(2024, 1, 5), actor=recorder)
    # Past the one-third cap a service would refuse: the page only has to show a membership.
    CommitteeMembership.objects.create(
        specialist=alice, committee=Committee.objects.first(), started_on=dt.date(2024, 1, 9)
    )
    services.specialist_set_status(bob, S.EXIT_PENDING, as_of=dt.date(2024, 5, 1), rule="roster_inactive_3_months")
    documents.documents_issue(alice, actor=recorder, on=dt.date(2024, 6, 1))

    demo.seed(io.StringIO())
    assessment = Assessment.objects.get()
    gm_services.site_visit_record(
        assessment,
        visited_on=dt.date(2024, 4, 1),
        visitors="张三、李四",
        location="采场东帮",
        observations="台阶整齐",
        numbers=[8],
        by=root,
    )
    ProvinceRule.objects.create(province="内蒙古", pass_line=85)

    ExportJob.objects.create(exporter="specialists.roster", requested_by=recorder, status="done", rows_total=2)
    ImportJob.objects.create(
        importer="specialists.activities",
        filename="活动.xlsx",
        fingerprint="0" * 64,
        requested_by=recorder,
        status="failed",
        errors=[{"row": 3, "column": "日期", "message": "日期有误"}],
    )
    Token.objects.create(user=recorder)
    AccessAttempt.objects.create(
        username="alice", ip_address="10.0.0.1", user_agent="Mozilla/5.0", failures_since_start=5
    )
    AccessFailureLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="Mozilla/5.0")
    AccessLog.objects.create(username="alice", ip_address="10.0.0.1", user_agent="Mozilla/5.0")
    audit.record("alliance.login.lockout_lifted", actor=root, username="alice", ip_address="10.0.0.1", failures=5)
    liaison_programme_rows(root)
    nomination_programme_rows(root)
    award_programme_rows(root)
    return {"alice": alice, "organisation": organisation}


def admin_pages(client, user):
    """(url, response) of the admin index, every changelist, add page (where allowed) and change page."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    yield "/admin/", client.get("/admin/", **ZH)
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        url = reverse("admin:{}_{}_changelist".format(*info))
        yield url, client.get(url, **ZH)
        if model_admin.has_add_permission(request):
            url = reverse("admin:{}_{}_add".format(*info))
            yield url, client.get(url, **ZH)
        obj = model_admin.get_queryset(request).order_by("pk").first()
        assert obj is not None, f"no {model._meta.label} to open: the world fixture should make one"
        url = reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
        yield url, client.get(url, **ZH)


def test_every_admin_page_is_chinese(client, root, world):
    client.force_login(root)
    found = {}
    for url, response in admin_pages(client, root):
        assert response.status_code == 200, url
        words = english_words(response.content)
        if words:
            found[url] = words

    assert found == {}, "\n".join(f"{url}: {' '.join(words)}" for url, words in found.items())


def _text(response):
    return " ".join(visible_text(response.content).split())


def test_the_action_button_is_djangos_and_the_language_switch_its_own(client, root, world):
    client.force_login(root)

    changelist = parse(client.get("/admin/specialists/specialist/", **ZH).content)
    page = client.get("/", **ZH).content.decode()

    assert changelist.xpath("//div[@class='actions']//button[@type='submit']/text()") == ["执行"]
    assert "切换" in page


def test_roles_are_named_in_the_user_list_the_groups_and_the_forms(client, root, world):
    client.force_login(root)
    secretariat = UserFactory._meta.model.objects.get(username="staff_secretariat")

    users = parse(client.get("/admin/auth/user/?q=staff_secretariat", **ZH).content)
    groups = _text(client.get("/admin/auth/group/", **ZH))
    form = parse(client.get(f"/admin/auth/user/{secretariat.pk}/change/", **ZH).content)
    choices = form.xpath("//select[@name='groups']/option/text()")
    permissions = form.xpath("//select[@name='user_permissions']/option/text()")

    assert users.xpath("//td[@class='field-roles']/text()") == ["秘书处"]
    assert {"秘书处", "专员综合服务中心", "特别专员", "评审专家"} <= set(groups.split())
    assert "专员综合服务中心" in choices and "service_centre" not in choices
    assert "联盟 | 审计记录 | 查看" in [" ".join(p.split()) for p in permissions]


def test_audit_log_names_actions_and_reads_its_facts(client, root, world):
    client.force_login(root)
    entry = AuditEntry.objects.get(action="specialist.points")

    changelist = _text(client.get("/admin/alliance/auditentry/", **ZH))
    change = parse(client.get(f"/admin/alliance/auditentry/{entry.pk}/change/", **ZH).content)
    facts = dict(zip(change.xpath("//dl/dt/text()"), change.xpath("//dl/dd/text()"), strict=True))

    assert "记录积分" in changelist and "specialist.points" not in changelist
    assert "保存指标评分" in changelist and "greenmine.score.saved" not in changelist
    assert facts["规则"] == "推荐或购买系列丛书" and facts["积分"] == "300"


def test_every_recorded_action_has_a_label():
    recorded = set()
    for path in Path(__file__).resolve().parents[2].glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        recorded |= set(re.findall(r"record\(\s*\"([a-z_]+\.[a-z_.]+)\"", path.read_text(encoding="utf-8")))

    assert recorded, "no audit.record call found"
    assert recorded - set(audit.ACTION_LABELS) == set()


def test_an_open_liaison_change_request_reads_open_and_can_be_handled(client, world):
    staff = UserFactory._meta.model.objects.get(username="staff_secretariat")
    client.force_login(staff)
    request = LiaisonChangeRequest.objects.get()

    index = parse(client.get("/admin/", **ZH).content)
    changelist = parse(client.get("/admin/specialists/liaisonchangerequest/", **ZH).content)
    change = parse(client.get(f"/admin/specialists/liaisonchangerequest/{request.pk}/change/", **ZH).content)

    assert index.xpath("//tr[@class='model-liaisonchangerequest']//a[@class='changelink']/text()") == ["修改"]
    assert changelist.xpath("//td[@class='field-status']/text()") == ["待处理"]  # not 查看 ("Open" as a verb)
    assert change.xpath("//input[@name='_save']"), "the secretariat can handle the request"


def test_prerequisite_checks_and_status_changes_read_in_chinese(world):
    check = PrerequisiteCheck.objects.filter(code="licences").first()
    change = StatusChange.objects.filter(to_status=S.GENERAL).first() or StatusChange.objects.first()

    assert check is not None and "licences" not in str(check)
    assert "general" not in str(change) and "probation" not in str(change)
