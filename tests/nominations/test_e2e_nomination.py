"""A nominating unit fills in the 推荐表 in the browser: the live counter of the team introduction reaches
"300 / 300" and is marked past it, two industry codes are found with the search filter, the draft is
saved and submitted through the confirmation, and the PDF carries the technology and its codes.
Then the secretariat opens a field's ranking.  Screenshots go to test-artifacts/."""

import io
import re

import pytest
from playwright.sync_api import expect

from nominations import services
from nominations.enums import CRITERION_CODES, Field, NominationStatus
from nominations.models import Evaluation, Nomination
from tests.conftest import login
from tests.factories import UserFactory
from tests.nominations.factories import (
    NominationFactory,
    UnitFactory,
    applicant,
    closed_recommendation,
    expert,
    open_campaign,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

NAME = "矿山固废协同处置与生态修复技术"


def _no_horizontal_overflow(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _counter(page):
    return page.locator("#count-team_intro")


def _ranked_field(staff):
    """A closed campaign whose 资源环境 field has six nominations scored by three experts."""
    campaign = closed_recommendation(year=2020)
    names = ["低品位稀土资源绿色高效提取技术", "矿山尾矿制备高性能建材技术", "矿区重金属污染土壤修复技术",
             "智能化选矿装备及控制系统", "煤矸石充填开采技术", "矿井水深度处理与回用技术"]  # fmt: skip
    nominations = [NominationFactory(campaign=campaign, name=name) for name in names]
    for i in range(3):
        reviewer = expert(UnitFactory(), username=f"nm_r{i}")
        services.expert_assign(campaign, field=Field.RESOURCES_ENVIRONMENT, username=reviewer.username, actor=staff)
        for n, nomination in enumerate(nominations):
            scores = dict(zip(CRITERION_CODES, [max(0, 9 - n - i % 2)] * 6, strict=True))
            Evaluation.objects.create(nomination=nomination, expert=reviewer, total=sum(scores.values()), **scores)
    return campaign


def test_a_unit_fills_in_saves_submits_and_prints_a_nomination(browser, page, live_server, artifacts_dir):
    campaign = open_campaign()
    staff = UserFactory(username="nm_staff", name="秘书处小王", roles=["secretariat"], is_staff=True)
    applicant(UnitFactory(name="中国地质科学院矿产综合利用研究所"), username="nm_alice", name="李爱丽")

    # The applicant finds the form from the navigation.
    login(page, live_server, "nm_alice")
    page.click(".mainnav >> text=先导技术榜单")
    page.wait_for_load_state("networkidle")
    page.click(f"#new-{campaign.year}")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/nominations/{campaign.year}/new/")

    page.fill("#id_name", NAME)
    page.check("input[name=field][value=resources_environment]")
    page.check("input[name=project_type][value=development]")
    # The readiness levels' descriptions follow the project type.
    levels = page.locator("#field-trl").inner_text()
    assert "规模化生产、应用，取得经济效益" in levels and "实际系统通过任务运行的成功考验" not in levels
    page.check("#id_trl_7")
    page.fill("#id_contact", "王芳")
    page.fill("#id_phone", "010-68999129")
    page.fill("#id_address", "北京市西城区百万庄大街26号")
    page.fill("#id_email", "wangfang@example.com")

    # The live counter of the team introduction: 300 is the limit, 301 is marked.
    expect(_counter(page)).to_have_text("已输入 0 / 300 字")
    page.fill("#id_team_intro", "矿" * 299)
    page.locator("#id_team_intro").press("End")
    page.keyboard.type("山")
    expect(_counter(page)).to_have_text("已输入 300 / 300 字")
    expect(_counter(page)).not_to_have_class(re.compile("is-over"))
    page.keyboard.type("。")
    expect(_counter(page)).to_have_text("已输入 301 / 300 字")
    expect(_counter(page)).to_have_class(re.compile("is-over"))
    page.keyboard.press("Backspace")
    expect(_counter(page)).to_have_text("已输入 300 / 300 字")
    expect(_counter(page)).not_to_have_class(re.compile("is-over"))

    # Two industry codes found with the search filter.
    page.fill("#industry-search", "稀土金属矿")
    visible = page.locator("#industry-list label.nm-ind:visible")
    expect(visible).to_have_count(2)  # the filter runs on the input event: wait for it, under load too
    assert [" ".join(t.split()) for t in visible.all_inner_texts()] == ["093 稀有稀土金属矿采选", "0932 稀土金属矿采选"]
    page.check("#industry-list input[value='0932']")
    page.fill("#industry-search", "0810")
    expect(page.locator("#industry-list label.nm-ind:visible")).to_have_count(1)
    page.check("#industry-list input[value='0810']")
    chips = page.locator("#industry-chosen-list .nm-chip")
    assert [chips.nth(i).get_attribute("data-code") for i in range(chips.count())] == ["0810", "0932"]
    page.fill("#industry-search", "")

    page.fill("#id_ip", "授权发明专利5项")
    page.fill("#id_awards", "省部级科技进步一等奖1项")
    page.fill("#id_tech_level", "实现了尾矿与废石的协同处置，资源化率达到85%，达到国际先进水平。")
    page.fill("#id_benefits", "已在三座矿山应用，年新增产值约1.2亿元。")
    page.check("#id_pledge_accepted")
    page.fill("#id_recommender_opinion", "经审核，材料真实，同意推荐。")
    page.screenshot(path=str(artifacts_dir / "nomination-form.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    assert _no_horizontal_overflow(page)
    page.screenshot(path=str(artifacts_dir / "nomination-form-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Saved as a draft, then submitted through the confirmation.
    page.click("#save-draft")
    page.wait_for_load_state("networkidle")
    nomination = Nomination.objects.get()
    assert page.url.endswith(f"/nominations/n/{nomination.pk}/edit/")
    assert page.locator(".msg-success").inner_text() == f"“{NAME}”已保存为草稿。"
    expect(_counter(page)).to_have_text("已输入 300 / 300 字")
    assert nomination.status == NominationStatus.DRAFT
    page.click("#save-submit")
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/nominations/n/{nomination.pk}/submit/")
    page.click("#confirm-submit")
    page.wait_for_load_state("networkidle")
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.SUBMITTED
    assert page.url.endswith(f"/nominations/n/{nomination.pk}/")
    assert "已推荐" in page.locator(".nm-status").inner_text()

    # The PDF of the form carries the technology and its codes.
    from pypdf import PdfReader

    href = page.locator("#pdf-link").get_attribute("href")
    response = page.request.get(f"{live_server.url}{href}")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    compact = "".join(text.split())
    assert NAME in compact
    assert "0810" in compact and "0932" in compact

    # The secretariat's ranking of a field.
    _ranked_field(staff)
    office = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    office_page = office.new_page()
    office_page.set_default_timeout(15_000)
    login(office_page, live_server, "nm_staff")
    office_page.click(".mainnav >> text=先导技术榜单")
    office_page.wait_for_load_state("networkidle")
    office_page.locator("#staff-campaign-2020 a", has_text="排名与入围名单").nth(4).click()  # 资源环境
    office_page.wait_for_load_state("networkidle")
    assert office_page.url.endswith("/nominations/2020/ranking/?field=resources_environment")
    rows = office_page.locator("#ranking-table tbody tr")
    assert rows.count() == 6
    assert "低品位稀土资源绿色高效提取技术" in rows.first.inner_text()
    assert office_page.locator("#chosen-count").inner_text() == "6"
    office_page.locator("#ranking-table input[name=ids]").last.uncheck()
    assert office_page.locator("#chosen-count").inner_text() == "5"
    office_page.screenshot(path=str(artifacts_dir / "nomination-ranking.png"), full_page=True)
    office.close()
