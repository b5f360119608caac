"""A liaison updates their details and submits an article; the office adopts it in the admin; the liaison
sees 已采用.  Then the office opens the year's assessment.  Screenshots go to test-artifacts/."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from liaisons import reference, services
from liaisons.enums import Association, GatheringKind
from liaisons.models import Article, Feedback, Membership
from tests.conftest import login
from tests.factories import UserFactory
from tests.liaisons.factories import LiaisonFactory, MemberUnitFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _last_year_duties(staff, liaisons, year):
    """A year of duties for the assessment: the first liaisons do much, the last one nothing."""
    meeting = services.gathering_create(
        kind=GatheringKind.MEETING, title=f"{year}年度联络员工作会议", held_on=dt.date(year, 3, 15), actor=staff
    )
    training = services.gathering_create(
        kind=GatheringKind.TRAINING, title="会员服务业务培训", held_on=dt.date(year, 6, 20), actor=staff
    )
    for n, liaison in enumerate(liaisons[:-1]):
        services.attendance_record(meeting, [liaison], actor=staff)
        if n % 2 == 0:
            services.attendance_record(training, [liaison], actor=staff)
        for i in range(3 - n % 3):
            article = services.article_submit(liaison, title=f"稿件{n}-{i}", on=dt.date(year, 4, 1 + i))
            services.article_decide(article, adopted=i == 0, actor=staff)
        membership = Membership.objects.get(organisation=liaison.organisation, association=Association.ASSOCIATION)
        services.fee_record(
            membership, year=year, paid_on=dt.date(year, 5 + n % 3, 20), amount=Decimal("5000.00"), actor=staff
        )


def _no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_liaison_updates_details_submits_an_article_and_sees_it_adopted(browser, page, live_server, artifacts_dir):
    reference.load()
    staff = UserFactory(username="lz_staff", name="协会办公室小李", roles=["secretariat"], is_staff=True)
    unit = MemberUnitFactory(name="秦岭煤业有限责任公司", address="西安市雁塔区科技路10号", postcode="710065")
    alice = LiaisonFactory(
        organisation=unit,
        name="李爱丽",
        user=UserFactory(username="lz_alice", name="李爱丽", roles=["liaison"]),
        ethnicity="汉族",
        position="办公室副主任",
        title="工程师",
        office_phone="029-88886666",
        mobile="13912345678",
        email="lial@qinling.example.com",
    )
    year = timezone.localdate().year - 1
    others = [
        LiaisonFactory(organisation=MemberUnitFactory(name=name), name=person)
        for name, person in [
            ("渭北矿业集团有限责任公司", "王博"),
            ("陕西黄陵煤炭工业有限公司", "赵晨"),
            ("榆林神木能源股份有限公司", "孙立"),
        ]
    ]
    _last_year_duties(staff, [alice, *others], year)
    membership = Membership.objects.get(organisation=unit, association=Association.ASSOCIATION)
    services.fee_record(membership, year=year + 1, paid_on=None, amount=Decimal("5000.00"), actor=staff)
    question = services.feedback_raise(alice, subject="关于会费票据的问题", body="请协会开具电子票据。")
    services.feedback_answer(question, answer="已安排财务开具，请留意邮箱。", actor=staff)
    Feedback.objects.filter(pk=question.pk).update(raised_on=dt.date(year, 9, 1))

    # The liaison opens their page from the navigation.
    login(page, live_server, "lz_alice")
    page.click(".mainnav >> text=联络员")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith("/liaisons/me/")
    assert page.locator("#unit-name").inner_text() == "秦岭煤业有限责任公司"

    # Their contact details.
    page.fill("#id_contact-office_phone", "029-87654321")
    page.fill("#id_contact-wechat", "qinling_lal")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".msg-success").inner_text() == "联系方式已更新。"
    assert page.locator("#reg-office-phone").inner_text() == "029-87654321"
    assert page.locator("#reg-wechat").inner_text() == "qinling_lal"

    # A bad mobile is refused with the input kept.
    page.fill("#id_contact-mobile", "0291234")
    page.click("#contact-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_contact-mobile").input_value() == "0291234"
    assert "11位手机号码" in page.locator("#contact-form .errorlist").inner_text()
    page.goto(f"{live_server.url}/liaisons/me/")

    # An article.
    page.fill("#id_article-title", "秦岭煤业获评国家级绿色矿山")
    page.fill("#id_article-url", "https://www.example.com/news/2026/1.html")
    page.click("#article-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    article = Article.objects.get(title="秦岭煤业获评国家级绿色矿山")
    row = page.locator(f"#article-{article.pk}")
    assert row.locator(".li-status").inner_text() == "待定"
    page.screenshot(path=str(artifacts_dir / "liaison-page.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_load_state("networkidle")
    assert _no_horizontal_overflow(page)
    # Each link of the site's menu on one line (not "联\n络\n员" squeezed beside the account name).
    heights = [link.bounding_box()["height"] for link in page.locator(".mainnav a").all()]
    assert heights and max(heights) < 2 * min(heights), heights
    page.screenshot(path=str(artifacts_dir / "liaison-page-phone.png"), full_page=True)

    # The office adopts it in the admin.
    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    office_page = office.new_page()
    office_page.set_default_timeout(15_000)
    login(office_page, live_server, "lz_staff")
    office_page.goto(f"{live_server.url}/admin/liaisons/article/")
    office_page.check(f"input[name=_selected_action][value='{article.pk}']")
    office_page.select_option("select[name=action]", "mark_adopted")
    office_page.click("button[name=index]")
    office_page.wait_for_load_state("networkidle")
    article.refresh_from_db()
    assert article.status == "adopted"

    # The office's assessment of last year, from the portal's navigation.
    office_page.goto(f"{live_server.url}/")
    office_page.click(".mainnav >> text=联络员考评")
    office_page.wait_for_load_state("networkidle")
    assert office_page.url.endswith(f"/liaisons/assessment/{year}/")
    assert office_page.locator("h1").inner_text() == f"{year}年度联络员考评"
    ranking = office_page.locator("#ranking-table tbody tr")
    assert ranking.count() == 3
    assert "优秀联络员" in ranking.first.inner_text()
    inactive = office_page.locator("#inactive-table tbody tr")
    assert inactive.count() == 1 and "孙立" in inactive.inner_text()
    office_page.screenshot(path=str(artifacts_dir / "assessment-page.png"), full_page=True)
    office.close()

    # The liaison sees the decision.
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/liaisons/me/")
    assert page.locator(f"#article-{article.pk} .li-status").inner_text() == "已采用"
