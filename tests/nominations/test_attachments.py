"""The detailed materials as files (附件 2: 详细材料可另附, 不超过 10000 字 / 5000 字).

The files are built here: a minimal .docx with zipfile, a PDF with Chinese text rendered by
WeasyPrint (alliance.pdf), an image renamed .pdf.  Alice nominates for her unit, Bob for another;
Erin is an expert of 资源环境 (the nomination's field), Frank of 电子信息.  The edit page's Chinese
comes from /work/notes/po/i.po (merged by the lead).
"""

import io
import zipfile
from xml.sax.saxutils import escape

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image
from pypdf import PdfReader

from alliance.audit import ACTION_LABELS
from alliance.exceptions import BusinessRuleError, NotPermitted
from alliance.models import AuditEntry
from alliance.pdf import render_html_to_pdf
from nominations import documents, services
from nominations.enums import NominationStatus
from nominations.models import Nomination, NominationAttachment
from tests.nominations.factories import FORM, closed_recommendation

pytestmark = pytest.mark.django_db

HAN = "矿山固废协同处置与生态修复技术详细材料"  # 19 characters, repeated to the length wanted
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def chinese_text(n):
    return (HAN * (n // len(HAN) + 1))[:n]


def docx_bytes(*paragraphs):
    """A minimal Word document: the content types, the package relation and word/document.xml."""
    body = "".join(f"<w:p><w:r><w:t>{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/word/document.xml" ContentType="{DOCX}.main+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>",
        )
    return buffer.getvalue()


def docx(n, name="详细材料.docx"):
    return SimpleUploadedFile(name, docx_bytes(chinese_text(n)), content_type=DOCX)


def pdf_with(html):
    """A PDF of `html` without the page numbers pdf.css puts at the foot (they would be counted)."""
    style = "<style>@page { @bottom-center { content: none !important } }</style>"
    return render_html_to_pdf(f"<html><head>{style}</head><body>{html}</body></html>")


# ---- people and data ------------------------------------------------------------------------------


@pytest.fixture
def draft(campaign, alice):
    return services.nomination_create(campaign, user=alice, industries=["0810"], pledge_accepted=True, **FORM)


def as_user(user):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# ---- the limits, counted on the file's text ---------------------------------------------------------


def test_a_docx_of_10000_chinese_characters_is_accepted(draft, alice):
    attachment = services.attachment_upload(draft, kind="tech_level", upload=docx(10_000), user=alice)

    assert attachment.characters == 10_000 and attachment.original_name == "详细材料.docx"
    assert attachment.size > 0 and attachment.file.name.startswith(f"nominations/{draft.pk}/tech_level/")
    entry = AuditEntry.objects.get(action="nominations.attachment.uploaded")
    assert entry.data["characters"] == 10_000 and entry.data["kind"] == "tech_level"
    assert "nominations.attachment.uploaded" in ACTION_LABELS


def test_a_docx_of_10001_characters_is_refused_with_the_limit_and_the_count(draft, alice):
    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="tech_level", upload=docx(10_001), user=alice)

    assert "10000" in refused.value.message and "10001" in refused.value.message
    assert refused.value.field == "tech_level"
    assert not NominationAttachment.objects.exists() and not AuditEntry.objects.filter(action__contains="attachment")


def test_benefits_take_5000_characters_and_refuse_5001(draft, alice):
    attachment = services.attachment_upload(draft, kind="benefits", upload=docx(5_000), user=alice)
    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="benefits", upload=docx(5_001, "更长.docx"), user=alice)

    assert attachment.characters == 5_000
    assert "5000" in refused.value.message and "5001" in refused.value.message
    assert list(NominationAttachment.objects.values_list("original_name", flat=True)) == ["详细材料.docx"]


def test_paragraphs_count_their_line_breaks_as_the_boxes_do(draft, alice):
    upload = SimpleUploadedFile("两段.docx", docx_bytes("技术概述", "国内外对比"), content_type=DOCX)

    attachment = services.attachment_upload(draft, kind="tech_level", upload=upload, user=alice)

    assert attachment.characters == services.char_count("技术概述\n国内外对比") == 10


def test_a_pdf_with_chinese_text_is_counted(draft, alice):
    text = "矿山固废协同处置技术说明"
    upload = SimpleUploadedFile("说明.pdf", pdf_with(f"<p>{text}</p>"), content_type="application/pdf")

    attachment = services.attachment_upload(draft, kind="benefits", upload=upload, user=alice)

    assert attachment.characters == len(text)


def test_a_pdf_without_text_cannot_be_counted_and_is_refused(draft, alice):
    scan = pdf_with('<div style="width:5cm;height:5cm;background:#000"></div>')
    upload = SimpleUploadedFile("扫描件.pdf", scan, content_type="application/pdf")

    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="tech_level", upload=upload, user=alice)

    assert "counted" in refused.value.message or "统计" in refused.value.message
    assert not NominationAttachment.objects.exists()


def test_an_image_renamed_pdf_is_refused_by_its_content(draft, alice):
    png = io.BytesIO()
    Image.new("RGB", (20, 20), "red").save(png, "PNG")
    upload = SimpleUploadedFile("材料.pdf", png.getvalue(), content_type="application/pdf")

    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="tech_level", upload=upload, user=alice)

    assert ".pdf" in refused.value.message and refused.value.field == "tech_level"
    assert not NominationAttachment.objects.exists()


def test_another_type_is_refused(draft, alice):
    upload = SimpleUploadedFile("材料.txt", chinese_text(10).encode(), content_type="text/plain")

    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="tech_level", upload=upload, user=alice)

    assert "docx, pdf" in refused.value.message


def test_a_file_over_the_size_limit_is_refused(draft, alice, settings):
    settings.MAX_UPLOAD_BYTES = 500
    upload = docx(10_000)
    assert upload.size > 500

    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="tech_level", upload=upload, user=alice)

    assert "KB" in refused.value.message
    assert not NominationAttachment.objects.exists()


def test_a_new_upload_replaces_the_old_one(draft, alice, django_capture_on_commit_callbacks):
    first = services.attachment_upload(draft, kind="tech_level", upload=docx(100, "初稿.docx"), user=alice)
    first_file = first.file.name

    with pytest.raises(BusinessRuleError):
        services.attachment_upload(draft, kind="tech_level", upload=docx(10_001, "超长.docx"), user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.attachment_upload(draft, kind="tech_level", upload=docx(200, "定稿.docx"), user=alice)

    rows = list(NominationAttachment.objects.filter(nomination=draft))
    assert [(row.original_name, row.characters) for row in rows] == [("定稿.docx", 200)]
    assert rows[0].pk == second.pk
    assert not first.file.storage.exists(first_file)


def test_an_unknown_kind_is_refused(draft, alice):
    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(draft, kind="awards", upload=docx(10), user=alice)
    assert refused.value.field == "kind"


# ---- who, and until when --------------------------------------------------------------------------------


def test_after_the_deadline_an_upload_and_a_removal_are_refused(alice, unit):
    campaign = closed_recommendation()
    nomination = Nomination.objects.create(
        campaign=campaign, unit=unit, recommender=unit, created_by=alice, name="某技术", field="materials",
        project_type="applied", trl=5,
    )  # fmt: skip

    with pytest.raises(BusinessRuleError) as refused:
        services.attachment_upload(nomination, kind="tech_level", upload=docx(10), user=alice)

    assert "deadline" in refused.value.message or "截止" in refused.value.message
    assert not NominationAttachment.objects.exists()
    with pytest.raises(BusinessRuleError):
        services.attachment_remove(nomination, kind="tech_level", user=alice)


def test_another_unit_and_a_submitted_nomination_are_refused(draft, alice, bob):
    with pytest.raises(NotPermitted):
        services.attachment_upload(draft, kind="tech_level", upload=docx(10), user=bob)
    services.nomination_submit(draft, user=alice)
    with pytest.raises(BusinessRuleError):
        services.attachment_upload(draft, kind="tech_level", upload=docx(10), user=alice)
    assert not NominationAttachment.objects.exists()


def test_staff_may_attach_to_a_draft(draft, staff_user):
    attachment = services.attachment_upload(draft, kind="benefits", upload=docx(10), user=staff_user)
    assert attachment.uploaded_by == staff_user


def test_removal_takes_the_file_away(draft, alice, django_capture_on_commit_callbacks):
    attachment = services.attachment_upload(draft, kind="benefits", upload=docx(10), user=alice)
    stored = attachment.file.name

    with django_capture_on_commit_callbacks(execute=True):
        name = services.attachment_remove(draft, kind="benefits", user=alice)

    assert name == "详细材料.docx" and not NominationAttachment.objects.exists()
    assert not attachment.file.storage.exists(stored)
    assert AuditEntry.objects.filter(action="nominations.attachment.removed").exists()
    with pytest.raises(BusinessRuleError):
        services.attachment_remove(draft, kind="benefits", user=alice)


def test_submit_accepts_an_attachment_in_place_of_the_detail_text(draft, alice):
    assert draft.tech_level_detail == "" and draft.benefits_detail == ""
    services.attachment_upload(draft, kind="tech_level", upload=docx(9_000), user=alice)
    services.attachment_upload(draft, kind="benefits", upload=docx(4_000), user=alice)

    submitted = services.nomination_submit(draft, user=alice)

    assert submitted.status == NominationStatus.SUBMITTED


# ---- the download ---------------------------------------------------------------------------------------


@pytest.fixture
def attached(draft, alice):
    """A submitted nomination with its technical level's material as a file."""
    attachment = services.attachment_upload(draft, kind="tech_level", upload=docx(50), user=alice)
    services.nomination_submit(draft, user=alice)
    return attachment


@pytest.mark.parametrize(
    ("who", "status"),
    [("alice", 200), ("bob", 404), ("staff_user", 200), ("erin", 200), ("frank", 404)],
)
def test_the_download_is_for_the_unit_staff_and_the_fields_experts(request, attached, who, status):
    user = request.getfixturevalue(who)

    response = as_user(user).get(f"/nominations/attachments/{attached.pk}/")

    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == DOCX
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"PK")


def test_an_anonymous_visitor_is_sent_to_the_login(attached):
    response = Client().get(f"/nominations/attachments/{attached.pk}/")

    assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_unknown_attachment_is_404(alice):
    assert as_user(alice).get("/nominations/attachments/999999/").status_code == 404


# ---- the edit page ----------------------------------------------------------------------------------------


def test_the_edit_page_uploads_shows_and_removes_an_attachment(draft, alice):
    client = as_user(alice)

    page = client.get(f"/nominations/n/{draft.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    uploaded = client.post(f"/nominations/n/{draft.pk}/attachments/", {"kind": "tech_level", "file": docx(1234)})
    shown = client.get(f"/nominations/n/{draft.pk}/edit/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert 'id="attach-tech_level"' in page and 'id="attach-benefits"' in page
    assert "或上传附件（.docx/.pdf，≤ 10,000 字）" in page and "或上传附件（.docx/.pdf，≤ 5,000 字）" in page
    assert 'enctype="multipart/form-data"' in page
    assert uploaded.status_code == 302 and uploaded["Location"].endswith(f"/n/{draft.pk}/edit/#section-level")
    attachment = NominationAttachment.objects.get()
    assert f"/nominations/attachments/{attachment.pk}/" in shown and "详细材料.docx" in shown and "1234 字" in shown
    removed = client.post(f"/nominations/n/{draft.pk}/attachments/tech_level/remove/")
    assert removed.status_code == 302 and not NominationAttachment.objects.exists()


def test_a_refused_upload_on_the_page_says_why_and_saves_nothing(draft, alice):
    client = as_user(alice)

    response = client.post(
        f"/nominations/n/{draft.pk}/attachments/", {"kind": "benefits", "file": docx(5_001)}, follow=True
    )

    assert "5001" in response.content.decode()
    assert not NominationAttachment.objects.exists()


def test_another_units_applicant_cannot_upload_on_the_page(draft, bob):
    response = as_user(bob).post(f"/nominations/n/{draft.pk}/attachments/", {"kind": "benefits", "file": docx(5)})

    assert response.status_code == 404 and not NominationAttachment.objects.exists()


# ---- the API ------------------------------------------------------------------------------------------------


def test_the_api_uploads_and_deletes_an_attachment(api_client, draft, alice):
    api_client.force_authenticate(alice)
    url = f"/api/nominations/nominations/{draft.pk}/attachments/"

    created = api_client.post(url, {"kind": "tech_level", "file": docx(10_000)}, format="multipart")
    refused = api_client.post(url, {"kind": "benefits", "file": docx(5_001)}, format="multipart")
    deleted = api_client.delete(f"{url}tech_level/")
    again = api_client.delete(f"{url}tech_level/")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["kind"] == "tech_level" and body["name"] == "详细材料.docx" and body["characters"] == 10_000
    assert set(body) == {"id", "kind", "name", "size", "characters"}
    assert refused.status_code == 400 and "5001" in str(refused.json())
    assert deleted.status_code == 204 and again.status_code == 400
    assert not NominationAttachment.objects.exists()


def test_the_api_hides_another_units_nomination(api_client, draft, bob):
    api_client.force_authenticate(bob)

    response = api_client.post(
        f"/api/nominations/nominations/{draft.pk}/attachments/", {"kind": "tech_level", "file": docx(5)}
    )

    assert response.status_code == 404


# ---- the 推荐表 --------------------------------------------------------------------------------------------


def test_the_form_pdf_names_the_attachment_in_its_box(draft, alice):
    services.attachment_upload(draft, kind="benefits", upload=docx(4_321, "效益分析.docx"), user=alice)

    content = documents.nomination_pdf(draft)

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "见附件：效益分析.docx（4321 字）" in text


def test_a_file_over_the_size_limit_is_stopped_while_it_uploads(draft, alice, settings):
    settings.MAX_UPLOAD_BYTES = 500

    response = as_user(alice).post(
        f"/nominations/n/{draft.pk}/attachments/", {"kind": "tech_level", "file": docx(10_000)}
    )

    assert response.status_code == 413 and "详细材料.docx" in response.content.decode()
    assert not NominationAttachment.objects.exists()
