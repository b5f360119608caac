"""The report PDF as printed and signed: whole header labels, the evaluating body, the date,
one signature line per expert, a seal box, and one CJK font family embedded."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from greenmine import demo, exports, services
from greenmine.models import Assessment
from tests.factories import UserFactory
from tests.greenmine import factories as gm


def _text(pdf):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _font_families(path):
    """Embedded fonts by `pdffonts` (poppler), subset prefix and style dropped: {"Noto-Sans-CJK-SC"}."""
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    names = [line.split()[0] for line in lines[2:] if line.strip()]
    return {re.sub(r"-(Bold|Regular|Medium|Light)$", "", name.split("+", 1)[-1]) for name in names}


@pytest.fixture
def demo_assessment(db):
    UserFactory(username="admin", is_superuser=True, is_staff=True, roles=["secretariat"])
    demo.seed(io.StringIO())
    return Assessment.objects.get(mine_name=demo.MINE)


@pytest.fixture
def completed_assessment(staff_user):
    assessment = gm.assessment(staff_user, mine_name="示范萤石矿")
    gm.pass_prerequisites(assessment, staff_user)
    first, second = gm.expert("gm_wang", "王建国"), gm.expert("gm_li", "李秀英")
    assignments = gm.assign(assessment, staff_user, first, second)
    gm.evidence_for_all(assessment, staff_user)
    for assignment in assignments:
        gm.full_scores(assignment)
        services.assignment_submit(assignment, by=assignment.expert)
    services.assessment_complete(assessment, by=staff_user)
    # Completed at 17:30 UTC on 1 March: already 2 March in Beijing.
    Assessment.objects.filter(pk=assessment.pk).update(
        completed_at=datetime.datetime(2026, 3, 1, 17, 30, tzinfo=datetime.UTC)
    )
    assessment.refresh_from_db()
    return assessment


def test_report_names_organisation_date_signatures_and_seal(completed_assessment, settings):
    settings.ALLIANCE_ORGANISATION_NAME = "中关村绿色矿山产业联盟"

    text = _text(exports.pdf_download(completed_assessment).content)

    assert "评价单位：中关村绿色矿山产业联盟" in text.replace(" ", "")
    assert text.count("2026年3月2日") >= 2  # in the header and next to the seal, in Beijing time
    assert "2026年3月1日" not in text
    for name in ("王建国", "李秀英"):
        # the expert's row: name, state, submission time, then the blank to sign
        assert re.search(name + r"\s+已提交\s+[\d\- :]+\s+签名：", text), text
    assert text.count("签名：") == 2  # one line per assigned expert, no more
    assert "（盖章）" in text


def test_report_while_open_leaves_the_date_to_be_filled_in(demo_assessment):
    text = _text(exports.pdf_download(demo_assessment).content)

    assert re.search(r"评价日期\s*评分尚未完成", text)  # the header: no date yet
    assert re.search(r"评价日期：\s*年\s*月\s*日", text)  # beside the seal: blanks to date by hand
    assert text.count("签名：") == 1  # one signature line: the demo has one expert


def test_report_header_labels_and_values_stay_whole(demo_assessment):
    text = _text(exports.pdf_download(demo_assessment).content)

    for word in ("评价指标版本", "主要开采方式", "露天开采", "行业类别", "评价单位", "评价日期"):
        assert word in text, word  # a word broken across two lines is extracted with a newline inside


def test_report_embeds_one_cjk_font_family_and_page_one_is_saved(demo_assessment, tmp_path, artifacts_dir):
    path = tmp_path / "report.pdf"
    path.write_bytes(exports.pdf_download(demo_assessment).content)

    assert _font_families(path) == {"Noto-Sans-CJK-SC"}

    # poppler-utils is a system dependency (scripts/sysdeps.sh): pdffonts above, pdftoppm here.
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(path), str(tmp_path / "page1")],
        check=True,
    )
    shutil.copyfile(tmp_path / "page1.png", artifacts_dir / "greenmine-report-page1.png")
