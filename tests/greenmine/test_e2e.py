"""An expert scores a category on the page, sees the live subtotal, submits; staff download the exports."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from greenmine import reference, selectors, services
from greenmine.exports import SEED_COLUMNS
from greenmine.models import ExpertAssignment
from tests.conftest import login
from tests.factories import UserFactory
from tests.greenmine import factories as gm


def _prefill_other_categories(assignment):
    """Full points outside category one, so the table is complete once category one is filled."""
    items = [
        {"number": i.number, "score": i.points, "record": f"查看第{i.number}项资料"}
        for i in selectors.applicable_indicators(assignment.assessment)
        if i.category.number != 1
    ]
    services.scores_save(assignment, items, by=assignment.expert)


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_expert_fills_category_sees_subtotal_submits_and_staff_download_exports(
    browser, page, live_server, artifacts_dir
):
    reference.load()
    staff = UserFactory(username="gm_staff", roles=["secretariat"], is_staff=True, name="秘书处小张")
    alice = gm.expert("gm_alice", "李专家")
    assessment = gm.assessment(staff, mine_name="青山石灰石矿")
    (assignment,) = gm.assign(assessment, staff, alice)
    gm.pass_prerequisites(assessment, staff)
    _prefill_other_categories(assignment)
    gm.evidence_for_all(assessment, staff)

    # The expert, on a tablet-sized screen.
    page.set_viewport_size({"width": 820, "height": 1180})
    login(page, live_server, "gm_alice")
    page.goto(f"{live_server.url}/greenmine/{assessment.pk}/score/")
    subtotal = page.locator("#subtotal-1")
    assert subtotal.inner_text() == "0 / 12"
    page.screenshot(path=str(artifacts_dir / "greenmine-scoring-top.png"))

    page.fill("[name='n1-f-admin_living']", "1")  # −0.5
    page.fill("[name='n1-record']", "管理区与生活区分区不明显")
    page.fill("[name='n2-record']", "配套设施齐全")
    page.fill("[name='n3-f-finding']", "1")  # −0.2
    page.fill("[name='n3-record']", "一处标牌褪色")
    for number in (4, 5, 6):
        page.fill(f"[name='n{number}-record']", "现场查看符合要求")
    page.check("[name='n7-na']")
    page.fill("[name='n7-reason']", "矿区位于戈壁，无绿化植物配置条件")

    # 1.5 + 2 + 0.8 + 2 + 2 + 2 = 10.3 of 11 applicable points → 10.3 ÷ 11 × 12 = 11.24
    assert subtotal.inner_text() == "11.24 / 12"
    assert page.locator("#score-1").inner_text() == "1.5 / 2"
    assert page.locator("#grand-total").inner_text() == "99.24"
    page.screenshot(path=str(artifacts_dir / "greenmine-scoring-tablet.png"), full_page=False)

    page.click("#submit-scores")
    page.wait_for_load_state("networkidle")
    # Submitting locks the sheet: the draft is saved and the expert confirms on the next page.
    assert page.locator("#confirm").is_visible()
    assert ExpertAssignment.objects.get(pk=assignment.pk).status == "draft"
    page.screenshot(path=str(artifacts_dir / "greenmine-submit-confirm.png"))
    page.click("#confirm button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert ExpertAssignment.objects.get(pk=assignment.pk).status == "submitted"
    assert page.locator("fieldset.plain[disabled]").count() == 1

    # Staff download the filled table and the report from the result page.
    staff_context = browser.new_context(locale="zh-CN", accept_downloads=True)
    staff_page = staff_context.new_page()
    login(staff_page, live_server, "gm_staff")
    staff_page.goto(f"{live_server.url}/greenmine/{assessment.pk}/result/")
    assert staff_page.locator("#total").inner_text() == "99.24"
    staff_page.screenshot(path=str(artifacts_dir / "greenmine-result.png"), full_page=True)
    with staff_page.expect_download() as xlsx_download:
        staff_page.click("#download-xlsx")
    with staff_page.expect_download() as pdf_download:
        staff_page.click("#download-pdf")

    with open(xlsx_download.value.path(), "rb") as fh:
        workbook = load_workbook(io.BytesIO(fh.read()))
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert xlsx_download.value.suggested_filename == f"绿色矿山评分表-青山石灰石矿-{assessment.pk}.xlsx"
    assert list(rows[0]) == SEED_COLUMNS
    assert rows[1][2] == "1 功能分区" and rows[1][9] == 1.5
    assert rows[1][8] == "李专家：管理区与生活区分区不明显"
    assert rows[7][9] == "不涉及"
    with open(pdf_download.value.path(), "rb") as fh:
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(fh.read())).pages)
    assert "青山石灰石矿" in text
    assert "99.24" in text
    assert "矿区环境" in text and "李专家" in text
    staff_context.close()
