"""The registration form and the replacement letter as PDFs: the seed's wording, the liaison's photo,
one CJK font family embedded, and nothing fetched from outside the project's static files."""

import datetime as dt
import io
import re
import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from liaisons import documents, services
from tests.factories import UserFactory
from tests.liaisons.factories import MemberUnitFactory

pytestmark = pytest.mark.django_db


def _text(content):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def _font_families(content, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(content)
    lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()
    names = [line.split()[0] for line in lines[2:] if line.strip()]
    return {re.sub(r"-(Bold|Regular|Medium|Light)$", "", name.split("+", 1)[-1]) for name in names}


def _images(content):
    return [image for page in PdfReader(io.BytesIO(content)).pages for image in page.images]


def _photo():
    data = io.BytesIO()
    Image.new("RGB", (600, 800), (40, 90, 160)).save(data, "JPEG")
    return SimpleUploadedFile("证件照.jpg", data.getvalue(), content_type="image/jpeg")


@pytest.fixture
def office():
    return UserFactory(roles=["secretariat"], is_staff=True)


def _register(office, **extra):
    unit = MemberUnitFactory(name="陕西示范煤业有限责任公司", nature="soe_provincial", address="西安市雁塔路1号")
    return services.liaison_register(
        unit,
        actor=office,
        name="王秀英",
        gender="female",
        ethnicity="回族",
        birth_date=dt.date(1986, 4, 1),
        position="综合办公室主任",
        email="wangxy@example.com",
        office_phone="029-87671711",
        mobile="13912345678",
        recommendation="同意推荐",
        resume=[{"start": "2009-07", "end": None, "description": "陕西示范煤业 综合办公室"}],
        **extra,
    )


def test_registration_form_has_the_seeds_layout_and_the_liaison(office, tmp_path):
    liaison = _register(office)

    content = documents.registration_pdf(liaison)

    assert len(PdfReader(io.BytesIO(content)).pages) == 1
    text = re.sub(r"\s+", "", _text(content))  # letter-spaced headings and the vertical 个人简历
    for label in ("会员单位联络员登记", "单位全称", "单位性质", "通讯地址", "政治面貌", "联系方式", "个人简历"):
        assert label in text, label
    for value in ("陕西示范煤业有限责任公司", "王秀英", "省企", "13912345678", "wangxy@example.com", "至今"):
        assert value in text, value
    assert "（单位盖章）" in text and "（盖章）" in text
    assert f"No{liaison.pk:06d}" in text
    assert _font_families(content, tmp_path) == {"Noto-Sans-CJK-SC"}


def test_registration_form_embeds_the_photo(office):
    with_photo = _register(office, photo=_photo())

    images = _images(documents.registration_pdf(with_photo))

    assert len(images) == 1
    assert images[0].image.size == (240, 320)  # the thumbnail the service made


def test_registration_form_without_a_photo_leaves_the_box(office):
    liaison = _register(office)

    content = documents.registration_pdf(liaison)

    assert _images(content) == []
    assert "（照片）" in _text(content)


def test_the_photo_url_does_not_open_other_files_to_the_pdf(office, tmp_path):
    """Only the liaison's own thumbnail is served from memory; alliance.pdf still refuses the rest."""
    from alliance import pdf

    with pytest.raises(pdf.RefusedURL):
        pdf.safe_url_fetcher(documents.PHOTO_URL)


def test_replacement_letter_cites_article_13_and_is_signed_by_both_offices(office, tmp_path):
    liaison = _register(office)

    content = documents.replacement_letter_pdf(liaison.organisation, liaison, 2025, on=dt.date(2026, 3, 2))

    text = _text(content).replace("\n", "")
    assert "陕西示范煤业有限责任公司：" in text
    assert "第十三条" in text and "王秀英" in text and "2025年度" in text
    assert "陕西省煤炭工业协会办公室" in text and "陕西省煤炭学会秘书处办公室" in text
    assert "2026年3月2日" in text
    assert _font_families(content, tmp_path) == {"Noto-Sans-CJK-SC"}
