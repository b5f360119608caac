"""Finding 8: uploads are judged on their content and refused while they stream when too large."""

import io
import time
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook
from PIL import Image
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from alliance.exceptions import BusinessRuleError
from alliance.uploads import check_upload
from greenmine.models import Evidence, ExpertScore
from tests.greenmine import factories as gm

MIB = 1024 * 1024
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48 + b"PE\x00\x00" + b"\x90" * 512


# ---- files built the way their programs write them ---------------------------------------------


def _pdf(*, attachment=None, javascript=None, password=None):
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    if attachment:
        writer.add_attachment("setup.exe", attachment)
    if javascript:
        writer.add_open_action(JavaScript(javascript))
    if password:
        writer.encrypt(password)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _image(fmt):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 120, 60)).save(buffer, format=fmt)
    return buffer.getvalue()


def _office(main_part, *, extra=(), content_type="application/vnd.openxmlformats-officedocument.main+xml"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr(
            "[Content_Types].xml",
            f'<?xml version="1.0"?><Types><Override PartName="/{main_part}" ContentType="{content_type}"/></Types>',
        )
        package.writestr(main_part, "<document/>")
        for name in extra:
            package.writestr(name, b"\xd0\xcf\x11\xe0 vba")
    return buffer.getvalue()


def _xlsx():
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


def _refusal(name, content, allowed=None):
    upload = SimpleUploadedFile(name, content)
    with pytest.raises(BusinessRuleError) as caught:
        check_upload(upload) if allowed is None else check_upload(upload, allowed)
    assert caught.value.field == "file"
    return caught.value.message


# ---- content checks ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("证明.pdf", _pdf()),
        ("现场.png", _image("PNG")),
        ("现场.jpg", _image("JPEG")),
        ("现场.gif", _image("GIF")),
        ("现场.webp", _image("WEBP")),
        ("报告.docx", _office("word/document.xml")),
        ("台账.xlsx", _xlsx()),
        ("汇报.pptx", _office("ppt/presentation.xml")),
    ],
)
def test_sound_files_are_accepted(name, content):
    upload = SimpleUploadedFile(name, content)

    assert check_upload(upload) == name
    assert upload.tell() == 0  # left ready to be saved


def test_pdf_polyglot_with_an_embedded_executable_is_refused():
    assert _refusal("证明.pdf", _pdf(attachment=EXE)) == "该 PDF 含有附件、脚本或自动动作，请上传普通 PDF。"


def test_pdf_with_an_executable_appended_after_its_end_is_refused():
    assert _refusal("证明.pdf", _pdf() + EXE) == "该 PDF 文件结尾之后还附有其他数据，请重新另存为普通 PDF。"


def test_pdf_header_followed_by_junk_is_refused():
    message = _refusal("证明.pdf", b"%PDF-1.4\n" + EXE + b"\n%%EOF\n")

    assert message == "无法读取该 PDF，文件可能已损坏。"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_pdf(javascript="app.alert('hi');"), "该 PDF 含有附件、脚本或自动动作，请上传普通 PDF。"),
        (_pdf(password="secret"), "该 PDF 已加密或设有密码，请上传未加密的文件。"),
        (EXE, "文件内容不是 .pdf 文件。"),
    ],
    ids=["javascript", "encrypted", "executable-named-pdf"],
)
def test_active_encrypted_or_fake_pdfs_are_refused(content, message):
    assert _refusal("证明.pdf", content) == message


def test_image_whose_content_is_another_format_is_refused():
    assert _refusal("现场.png", _image("JPEG")) == "文件内容不是 .png 文件。"


def test_truncated_image_is_refused():
    assert _refusal("现场.png", _image("PNG")[:60]) == "无法读取该图片，文件可能已损坏。"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            _office("word/document.xml", extra=["word/vbaProject.bin"]),
            "该文档含有宏或 ActiveX 控件，请去除后另存为 .docx 文件。",
        ),
        (
            _office("word/document.xml", content_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "该文档含有宏或 ActiveX 控件，请去除后另存为 .docx 文件。",
        ),
        (_office("xl/workbook.xml"), "文件内容不是 .docx 文件。"),
        (b"PK\x03\x04" + EXE, "文件内容不是 .docx 文件。"),
    ],
    ids=["vba-project", "docm-renamed", "workbook-named-docx", "zip-header-only"],
)
def test_macro_enabled_or_fake_office_files_are_refused(content, message):
    assert _refusal("报告.docx", content) == message


def test_other_types_are_refused_with_the_allowed_list():
    assert _refusal("tool.exe", EXE).startswith("请上传以下类型的文件：pdf, png")
    assert _refusal("旧报告.doc", b"\xd0\xcf\x11\xe0" + EXE).startswith("请上传以下类型的文件")


def test_callers_choose_the_allowed_types():
    workbook = SimpleUploadedFile("活动.xlsx", _xlsx())

    assert check_upload(workbook, allowed=("xlsx",)) == "活动.xlsx"
    assert _refusal("证明.pdf", _pdf(), allowed=("xlsx",)) == "请上传以下类型的文件：xlsx。"


# ---- through the green-mine evidence API and scoring page ----------------------------------------


@pytest.fixture
def alice(db):
    return gm.expert("alice", "李专家")


@pytest.fixture
def scoring_assessment(staff_user, alice):
    assessment = gm.assessment(staff_user)
    gm.assign(assessment, staff_user, alice)
    gm.pass_prerequisites(assessment, staff_user)
    return assessment


def test_evidence_api_refuses_the_pdf_polyglot(api_client, scoring_assessment, alice):
    api_client.force_authenticate(alice)
    upload = SimpleUploadedFile("证明.pdf", _pdf(attachment=EXE), content_type="application/pdf")

    response = api_client.post(
        f"/api/greenmine/assessments/{scoring_assessment.pk}/evidence/",
        {"number": 8, "file": upload},
        format="multipart",
    )

    assert response.status_code == 400
    assert response.json() == {"file": ["该 PDF 含有附件、脚本或自动动作，请上传普通 PDF。"]}
    assert not Evidence.objects.exists()


class StreamedBody:
    """A multipart body generated while it is read, counting what the server reads."""

    BOUNDARY = "----streamedboundary"

    def __init__(self, fields, file_field, file_name, file_size):
        head = "".join(
            f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (
            f'--{self.BOUNDARY}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{file_name}"\r\n'
            "Content-Type: application/pdf\r\n\r\n%PDF-1.4\n"
        )
        self.head = head.encode()
        self.tail = f"\r\n--{self.BOUNDARY}--\r\n".encode()
        self.filler = file_size - len(b"%PDF-1.4\n")
        self.length = len(self.head) + self.filler + len(self.tail)
        self.read_bytes = 0

    def _chunk(self, size):
        position, out = self.read_bytes, b""
        while size and position < self.length:
            if position < len(self.head):
                part = self.head[position : position + size]
            elif position < len(self.head) + self.filler:
                part = b"0" * min(size, len(self.head) + self.filler - position)
            else:
                offset = position - len(self.head) - self.filler
                part = self.tail[offset : offset + size]
            out += part
            position += len(part)
            size -= len(part)
        self.read_bytes = position
        return out

    def read(self, size=-1):
        return self._chunk(self.length - self.read_bytes if size is None or size < 0 else size)

    def readline(self, size=-1):
        return self.read(size)

    def environ(self):
        return {
            "CONTENT_TYPE": f"multipart/form-data; boundary={self.BOUNDARY}",
            "CONTENT_LENGTH": str(self.length),
            "wsgi.input": self,
        }


def _post_streamed(client, path, body):
    started = time.monotonic()
    environ = body.environ()
    response = client.generic("POST", path, content_type=environ["CONTENT_TYPE"], **environ)
    return response, time.monotonic() - started


def test_evidence_api_stops_reading_a_25_mb_upload_once_it_passes_the_limit(
    api_client, scoring_assessment, alice, settings
):
    settings.MAX_UPLOAD_BYTES = 1 * MIB
    settings.MAX_REQUEST_BYTES = 100 * MIB
    api_client.force_authenticate(alice)
    body = StreamedBody({"number": 8}, "file", "big.pdf", 25 * MIB)

    response, seconds = _post_streamed(
        api_client, f"/api/greenmine/assessments/{scoring_assessment.pk}/evidence/", body
    )

    assert response.status_code == 413
    assert response.json() == {"file": ["文件超过 1 MB。"]}
    assert body.read_bytes < 2 * MIB  # the other 23 MB were never read
    assert seconds < 5
    assert not Evidence.objects.exists()


def test_score_page_refuses_a_streamed_oversize_file_naming_it_and_saves_nothing(
    client, scoring_assessment, alice, settings
):
    settings.MAX_UPLOAD_BYTES = 1 * MIB
    settings.MAX_REQUEST_BYTES = 100 * MIB
    client.force_login(alice)
    fields = {"action": "save", "n10-passed": "yes", "n10-record": "达标"}
    body = StreamedBody(fields, "n10-file", "开采回采率证明.pdf", 25 * MIB)

    response, _seconds = _post_streamed(client, f"/greenmine/{scoring_assessment.pk}/score/", body)

    assert response.status_code == 413
    page = response.content.decode()
    assert "文件“开采回采率证明.pdf”超过 1 MB，本次提交未保存。" in page
    assert f'href="/greenmine/{scoring_assessment.pk}/score/"' in page  # back to the form
    assert body.read_bytes < 2 * MIB
    assert not Evidence.objects.exists()
    assert not ExpertScore.objects.exists()


def test_request_whose_content_length_passes_the_request_limit_is_refused_unread(
    api_client, scoring_assessment, alice, settings
):
    settings.MAX_REQUEST_BYTES = 10 * MIB
    api_client.force_authenticate(alice)
    body = StreamedBody({"number": 8}, "file", "big.pdf", 300 * MIB)

    response, _seconds = _post_streamed(
        api_client, f"/api/greenmine/assessments/{scoring_assessment.pk}/evidence/", body
    )

    assert response.status_code == 413
    assert response.json() == {"detail": "上传内容超过 10 MB，本次提交未保存。"}
    assert body.read_bytes == 0


def test_files_within_the_limit_still_upload_through_the_score_page(client, scoring_assessment, alice, settings):
    settings.MAX_UPLOAD_BYTES = 1 * MIB
    client.force_login(alice)
    upload = SimpleUploadedFile("证明.pdf", gm.PDF_BYTES, content_type="application/pdf")

    response = client.post(f"/greenmine/{scoring_assessment.pk}/score/", {"action": "save", "n8-file": upload})

    assert response.status_code == 302
    assert Evidence.objects.get().original_name == "证明.pdf"
