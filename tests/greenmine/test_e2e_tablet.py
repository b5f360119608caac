"""On an 820-wide tablet, an expert jumps to a category with the navigator, scores it, removes a wrongly
uploaded file and submits through the confirmation page."""

import pytest
from django.core.files.base import ContentFile

from alliance.models import AuditEntry
from greenmine import reference, selectors, services
from greenmine.models import Evidence, ExpertAssignment
from tests.conftest import login
from tests.factories import UserFactory
from tests.greenmine import factories as gm

CATEGORY = 5  # 五、生态修复与环境治理: indicators 38–42, far down a 45-indicator sheet


def _prefill_other_categories(assignment):
    items = [
        {"number": i.number, "score": i.points, "record": f"查看第{i.number}项资料"}
        for i in selectors.applicable_indicators(assignment.assessment)
        if i.category.number != CATEGORY
    ]
    services.scores_save(assignment, items, by=assignment.expert)


def _below_the_bar(page, selector):
    """The element's top is inside the viewport and not under the sticky bar."""
    bar = page.locator("#sheet-bar").bounding_box()
    box = page.locator(selector).bounding_box()
    viewport = page.viewport_size
    return bar["y"] + bar["height"] <= box["y"] < viewport["height"]


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_expert_on_a_tablet_jumps_scores_removes_a_file_and_submits(page, live_server, artifacts_dir):
    reference.load()
    staff = UserFactory(username="gm_staff", roles=["secretariat"], is_staff=True, name="秘书处小张")
    alice = gm.expert("gm_alice", "李专家")
    assessment = gm.assessment(staff, mine_name="青山石灰石矿")
    (assignment,) = gm.assign(assessment, staff, alice)
    gm.pass_prerequisites(assessment, staff)
    _prefill_other_categories(assignment)
    gm.evidence_for_all(assessment, staff)
    upload = ContentFile(gm.PDF_BYTES, name="其他矿山的复垦方案.pdf")
    upload.content_type = "application/pdf"
    wrong = services.evidence_add(assessment, number=40, upload=upload, by=alice)

    page.set_viewport_size({"width": 820, "height": 1180})
    login(page, live_server, "gm_alice")
    page.goto(f"{live_server.url}/greenmine/{assessment.pk}/score/")
    nav = page.locator(f"#nav-category-{CATEGORY}")
    assert " ".join(nav.inner_text().split()) == "五、生态修复与环境治理 已评 0 / 5"
    assert page.locator("#scored-count").inner_text() == "40"
    assert page.locator("#scored-total").inner_text() == "45"
    assert page.locator("#next-unscored").get_attribute("href") == "#indicator-38"
    note = page.locator("#category-3 .left-out").inner_text()
    assert "指标 21–24" in note and "未列入" in note

    # The navigator jumps to the category; its heading stops below the sticky bar.
    nav.click()
    page.wait_for_function("location.hash === '#category-5'")
    assert _below_the_bar(page, f"#category-{CATEGORY} h2")
    page.screenshot(path=str(artifacts_dir / "greenmine-scoring-tablet-jump.png"))

    page.check("[name='n38-passed'][value='yes']")
    page.fill("[name='n38-record']", "方案已编制并按年度执行")
    assert " ".join(nav.inner_text().split()).endswith("已评 1 / 5")
    # "下一项未评" follows the page: it now leads to 39, whose heading is not hidden either.
    page.click("#next-unscored")
    page.wait_for_function("location.hash === '#indicator-39'")
    assert _below_the_bar(page, "#indicator-39 h3")
    for number in (39, 40, 41):
        page.check(f"[name='n{number}-passed'][value='yes']")
        page.fill(f"[name='n{number}-record']", "现场查看符合要求")
    page.check("[name='n42-i-management_mechanism']")
    page.check("[name='n42-i-supervision_records']")
    page.fill("[name='n42-record']", "有环境管理机制和监督检查记录，未认证")
    assert " ".join(nav.inner_text().split()).endswith("已评 5 / 5")
    assert page.locator("#scored-count").inner_text() == "45"
    assert page.locator("#next-unscored").inner_text() == "全部已评，去提交"
    page.click("#sheet-actions button[value='save']")
    page.wait_for_load_state("networkidle")
    assert "草稿已保存。" in page.locator("body").inner_text()

    # The wrongly uploaded file is removed from indicator 40, after a confirmation naming it.
    page.locator("#indicator-40 .evidence").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts_dir / "greenmine-scoring-tablet-evidence.png"))
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    page.click(f"button[form='remove-evidence-{wrong.pk}']")
    page.wait_for_load_state("networkidle")
    assert questions == ["从指标 40 删除“其他矿山的复垦方案.pdf”？"]
    assert "已从指标 40（治理效果）删除“其他矿山的复垦方案.pdf”。" in page.locator("body").inner_text()
    assert page.url.endswith("#indicator-40")
    assert not Evidence.objects.filter(pk=wrong.pk).exists()
    assert AuditEntry.objects.filter(action="greenmine.evidence.removed", actor=alice).count() == 1
    assert page.locator("#indicator-40 .evidence li").count() == 1  # the secretariat's file stays

    # The navigator, all done, at the top of the sheet.
    page.click("#sheet-bar a[href='#sheet-nav']")
    page.wait_for_function("location.hash === '#sheet-nav'")
    assert 0 <= page.locator("#sheet-nav h2").bounding_box()["y"] < 1180
    assert "done" in nav.get_attribute("class")
    page.screenshot(path=str(artifacts_dir / "greenmine-scoring-tablet-navigator.png"))

    page.click("#submit-scores")
    page.wait_for_load_state("networkidle")
    assert page.locator("#confirm").is_visible()
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert ExpertAssignment.objects.get(pk=assignment.pk).status == "submitted"
    assert page.locator("fieldset.plain[disabled]").count() == 1
    assert page.locator("form.evidence-remove").count() == 0

    # The secretariat sends the scores back with a reason, and finds it in the audit log.
    page.context.clear_cookies()
    page.set_viewport_size({"width": 1280, "height": 900})
    login(page, live_server, "gm_staff")
    page.goto(f"{live_server.url}/greenmine/{assessment.pk}/result/")
    page.click("a.reopen")
    page.wait_for_load_state("networkidle")
    page.fill("#reason", "指标 40 的证明材料不是本矿的，请核对后重新提交")
    page.click("#confirm button[name=confirm]")
    page.wait_for_load_state("networkidle")
    assert ExpertAssignment.objects.get(pk=assignment.pk).status == "draft"
    reopened = AuditEntry.objects.get(action="greenmine.scores.reopened")
    page.goto(f"{live_server.url}/admin/alliance/auditentry/")
    assert "退回" in page.locator(f"#result_list tr:has(a[href*='/{reopened.pk}/'])").inner_text()
    page.goto(f"{live_server.url}/admin/alliance/auditentry/{reopened.pk}/change/")
    assert "指标 40 的证明材料不是本矿的，请核对后重新提交" in page.locator("#content").inner_text()
    page.screenshot(path=str(artifacts_dir / "greenmine-reopen-in-audit-log.png"))

    # The result page on a phone: 评分中 while the expert corrects, and the category table reads
    # (stacked, nothing wider than the screen).
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/greenmine/{assessment.pk}/result/")
    assert "评分中" in page.locator("#verdict").inner_text()
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 390
    page.screenshot(path=str(artifacts_dir / "greenmine-result-phone.png"), full_page=True)
