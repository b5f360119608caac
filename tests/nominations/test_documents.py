"""The 推荐表 (附件 2) as a PDF: the seed's boxes, the nomination's values with the GB/T 4754-2017 codes
and names, the field's Chinese name, the pledge and the seal boxes, one CJK font family, A4."""

import io
import os
import re
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from nominations import documents
from nominations.enums import Field, ProjectType
from tests.nominations.factories import NominationFactory, UnitFactory

pytestmark = pytest.mark.django_db


def _text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _font_families(content, tmp_path):
    path = tmp_path / "form.pdf"
    path.write_bytes(content)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    names = [line.split()[0] for line in lines[2:] if line.strip()]
    return {re.sub(r"-(Bold|Regular|Medium|Light)$", "", name.split("+", 1)[-1]) for name in names}


@pytest.fixture
def nomination():
    return NominationFactory(
        name="低品位稀土资源绿色高效提取技术",
        unit=UnitFactory(name="中国地质科学院矿产综合利用研究所"),
        field=Field.RESOURCES_ENVIRONMENT,
        project_type=ProjectType.DEVELOPMENT,
        trl=7,
        industries=["0932", "3232"],
        contact="刘洋",
        phone="010-68999603",
        email="liuyang@example.com",
        ip="授权发明专利6项",
        awards="中国有色金属工业科学技术奖一等奖1项",
        tech_level="实现了低品位稀土资源的高效浸出与分离。",
        tech_level_detail="详细的技术水平材料。" * 50,
        benefits="年新增产值约2亿元。",
        recommender_opinion="经本单位审核，材料真实，同意推荐。",
    )


def test_the_form_has_the_seeds_boxes_and_the_nominations_values(nomination, tmp_path):
    content = documents.nomination_pdf(nomination)

    reader = PdfReader(io.BytesIO(content))
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)  # A4
    text = re.sub(r"\s+", "", _text(content))
    for label in (
        "“科创中国”榜单推荐表",
        "（先导技术）",
        "技术名称",
        "所属领域",
        "重点服务行业",
        "技术项目类型",
        "技术就绪水平量值",
        "联系电话",
        "通信地址",
        "电子邮箱",
        "技术团队简介",
        "技术知识产权情况",
        "技术获奖情况",
        "技术水平介绍",
        "技术效益介绍",
        "申报单位意见",
        "真实、可靠、不涉密",
        "申报人（签字）",
        "申报单位（盖章）",
        "推荐单位意见",
        "推荐单位（盖章）",
        "年月日",
    ):
        assert label in text, label
    for value in (
        "低品位稀土资源绿色高效提取技术",
        "中国地质科学院矿产综合利用研究所",
        "0932稀土金属矿采选",
        "3232稀土金属冶炼",
        "资源环境",
        "开发研究",
        "7级（完成工业化试生产（试运行））",
        "liuyang@example.com",
        "授权发明专利6项",
        "经本单位审核，材料真实，同意推荐。",
        "附件1技术水平详细材料",
    ):
        assert value in text, value
    assert _font_families(content, tmp_path) == {"Noto-Sans-CJK-SC"}
    if os.environ.get("NOMINATIONS_PDF_OUT"):  # to look at it: pdftoppm -png -r 60 <file> <prefix>
        Path(os.environ["NOMINATIONS_PDF_OUT"]).write_bytes(content)


def test_the_form_without_detailed_materials_is_one_page(nomination):
    nomination.tech_level_detail = ""
    nomination.save()

    content = documents.nomination_pdf(nomination)

    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    assert "附件1" not in re.sub(r"\s+", "", _text(content))


def test_the_file_name_is_chinese_and_safe(nomination):
    assert documents.nomination_filename(nomination) == "先导技术推荐表-低品位稀土资源绿色高效提取技术.pdf"
    nomination.name = "../“矿山/固废”"
    assert "/" not in documents.nomination_filename(nomination).removesuffix(".pdf")
