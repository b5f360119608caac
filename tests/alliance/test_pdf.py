import io

import pytest
from pypdf import PdfReader

from alliance import pdf


def _fonts(reader):
    names = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            names.add(str(font["/BaseFont"]))
            for descendant in font.get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                # An embedded font carries its program in FontFile/FontFile2/FontFile3.
                if any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    names.add("embedded:" + str(descriptor["/FontName"]))
    return names


def test_render_pdf_chinese_text_is_extractable_with_embedded_cjk_font():
    content = pdf.render_pdf(
        "alliance/pdf_sample.html",
        {"title": "绿色矿山科技特别专员聘书", "body": "兹聘请张三同志为一般特别专员。", "rows": [("参与知识竞赛", 3)]},
    )

    reader = PdfReader(io.BytesIO(content))
    text = reader.pages[0].extract_text()
    assert "绿色矿山科技特别专员聘书" in text
    assert "兹聘请张三同志为一般特别专员" in text
    assert "参与知识竞赛" in text
    embedded = [n for n in _fonts(reader) if n.startswith("embedded:")]
    assert any(("CJK" in n) or ("WenQuanYi" in n) or ("ZenHei" in n) for n in embedded), embedded


@pytest.mark.parametrize(
    "url",
    ["file:///etc/passwd", "http://example.com/logo.png", "https://127.0.0.1/x.css", "data:text/css,body{}"],
)
def test_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(pdf.RefusedURL):
        pdf.safe_url_fetcher(url)


def test_fetcher_refuses_path_escaping_static_folder():
    base = pdf.static_base_url()

    with pytest.raises(pdf.RefusedURL):
        pdf.safe_url_fetcher(base + "../manage.py")


def test_fetcher_serves_project_static_file():
    result = pdf.safe_url_fetcher(pdf.static_base_url() + "css/pdf.css")

    assert b"Noto Sans CJK SC" in result.read()


def test_rendered_pdf_does_not_include_local_file_outside_static(tmp_path):
    secret = tmp_path / "evil.css"
    secret.write_text('body::after { content: "LEAKED-SECRET-MARKER"; }', encoding="utf-8")
    html = f'<html><head><link rel="stylesheet" href="{secret.as_uri()}"></head><body><p>正文</p></body></html>'

    content = pdf.render_html_to_pdf(html)

    text = PdfReader(io.BytesIO(content)).pages[0].extract_text()
    assert "正文" in text
    assert "LEAKED-SECRET-MARKER" not in text


def test_weasyprint_is_imported_only_when_a_pdf_is_rendered():
    """Importing it costs about half a second; every process start (web, worker, manage.py) paid it."""
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup();"
        "from django.core.management import call_command; call_command('check');"
        "from django.urls import get_resolver; get_resolver().url_patterns;"
        "import alliance.pdf, specialists.documents, greenmine.exports;"
        "sys.exit('weasyprint' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
