"""Uploaded files: the size limit enforced while the upload streams, and the type judged on content.

Two layers.  While the request is read, `SizeLimitUploadHandler` (first in FILE_UPLOAD_HANDLERS)
stops reading as soon as one file passes MAX_UPLOAD_BYTES, and `UploadLimitMiddleware` refuses a
request whose Content-Length already passes MAX_REQUEST_BYTES without reading it at all; either
way the answer is a 413 naming the file.  Once a file is in, `check_upload()` decides on its
content, never on its name or first bytes alone: PDFs are parsed with pypdf (no encryption, no
embedded files, no JavaScript or launch actions, nothing after the end), images are decoded with
Pillow, office files are opened as the zip packages they are, without macros.
"""

import io
import math
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from PIL import Image, UnidentifiedImageError

from .exceptions import BusinessRuleError

MIB = 1024 * 1024

# The suffixes a caller may allow, and how each is recognised.  Legacy binary office formats
# (.doc/.xls/.ppt) are not among them: their macros cannot be told apart reliably.
PDF = ("pdf",)
IMAGES = ("png", "jpg", "jpeg", "gif", "webp")
OFFICE = ("docx", "xlsx", "pptx")
EVIDENCE = PDF + IMAGES + OFFICE

IMAGE_FORMATS = {"png": "PNG", "jpg": "JPEG", "jpeg": "JPEG", "gif": "GIF", "webp": "WEBP"}
# The part that makes a zip package a Word, Excel or PowerPoint file.
OFFICE_MAIN_PARTS = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}
# Anything that can run: VBA projects (also hidden in a .docx renamed from .docm) and ActiveX.
OFFICE_ACTIVE_PARTS = ("vbaproject.bin", "vbadata.xml", "/activex/")
OFFICE_MAX_UNPACKED = 512 * MIB  # a zip bomb declares more than this
OFFICE_MAX_MEMBERS = 10_000
# PDF actions that run code or open other files.
PDF_ACTIVE_ACTIONS = {"/JavaScript", "/Launch", "/ImportData", "/Rendition", "/GoToE", "/SubmitForm"}
PDF_ACTIVE_KEYS = {"/JS", "/JavaScript", "/EmbeddedFile", "/EmbeddedFiles", "/RichMedia"}


def size_label(size):
    """20 MiB → "20 MB", the way the limit is stated to users."""
    if size >= MIB:
        return f"{size / MIB:g} MB" if size % MIB == 0 else f"{size / MIB:.1f} MB"
    return f"{math.ceil(size / 1024)} KB"


# ---- the type, judged on content -------------------------------------------------------------


def check_upload(upload, allowed=EVIDENCE, *, field="file"):
    """Refuse `upload` unless it is a sound file of one of the `allowed` suffixes; return its name.

    Raises BusinessRuleError(field=field) with the reason in the user's language.  The file is
    left at position 0.
    """
    if upload is None:
        raise BusinessRuleError(gettext("Choose a file."), field=field)
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower().lstrip(".")
    if suffix not in allowed:
        raise BusinessRuleError(
            gettext("Upload a file of one of these types: %(types)s.") % {"types": ", ".join(allowed)}, field=field
        )
    limit = settings.MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise BusinessRuleError(
            gettext("The file is larger than %(limit)s.") % {"limit": size_label(limit)}, field=field
        )
    if not upload.size:
        raise BusinessRuleError(gettext("The file is empty."), field=field)
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if suffix in PDF:
        reason = _pdf_problem(data)
    elif suffix in IMAGES:
        reason = _image_problem(data, IMAGE_FORMATS[suffix])
    else:
        reason = _office_problem(data, suffix)
    if reason:
        raise BusinessRuleError(reason, field=field)
    return name


def _not_a(suffix):
    return gettext("The file's content is not a .%(suffix)s file.") % {"suffix": suffix}


def _pdf_problem(data):
    # pypdf is imported where a PDF is checked: at module level it was ~10 MB and 0.4 s of every
    # process (web, worker, manage.py), most of which never sees an upload.
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    if not data.startswith(b"%PDF-"):
        return _not_a("pdf")
    eof = data.rfind(b"%%EOF")
    if eof < 0 or data[eof + 5 :].strip(b"\r\n\t \x00"):
        # A polyglot: a PDF with something else (an executable, an archive) glued after it.
        return gettext("The PDF has data after its end; save it again as a plain PDF.")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return gettext("The PDF is encrypted or password-protected; upload an unprotected copy.")
        if len(reader.pages) == 0:
            return _not_a("pdf")
        if _pdf_has_active_content(reader):
            return gettext("The PDF contains attached files, scripts or actions; upload a plain PDF.")
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, OSError):
        return gettext("The PDF cannot be read; it may be damaged.")
    return None


def _pdf_has_active_content(reader):
    """Walk every object reachable from the trailer for attachments, scripts and launch actions."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    if reader.attachments:
        return True
    seen = set()
    stack = [reader.trailer]
    while stack:
        obj = stack.pop()
        if isinstance(obj, IndirectObject):
            key = (obj.idnum, obj.generation)
            if key in seen:
                continue
            seen.add(key)
            obj = obj.get_object()
        if isinstance(obj, DictionaryObject):
            if PDF_ACTIVE_KEYS & set(obj.keys()):
                return True
            if obj.get("/S") in PDF_ACTIVE_ACTIONS or obj.get("/Type") == NameObject("/EmbeddedFile"):
                return True
            stack.extend(value for key, value in obj.items() if key not in ("/Parent", "/P"))
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


def _image_problem(data, expected_format):
    suffix = expected_format.lower()
    try:
        with warnings.catch_warnings():
            # A "decompression bomb" (a tiny file that decodes to gigapixels) is refused, not warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format != expected_format:
                    return _not_a(suffix)
                image.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()  # verify() checks the structure; decoding finds truncated pixel data
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        return _not_a(suffix)
    except (OSError, SyntaxError, ValueError, EOFError):
        return gettext("The image cannot be read; it may be damaged.")
    return None


def _office_problem(data, suffix):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            members = package.infolist()
            names = {member.filename for member in members}
            if "[Content_Types].xml" not in names or OFFICE_MAIN_PARTS[suffix] not in names:
                return _not_a(suffix)
            if len(members) > OFFICE_MAX_MEMBERS or sum(m.file_size for m in members) > OFFICE_MAX_UNPACKED:
                return gettext("The document unpacks to too much data.")
            content_types = package.read("[Content_Types].xml").lower()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        return _not_a(suffix)
    lowered = [name.lower() for name in names]
    if b"macroenabled" in content_types or any(part in name for name in lowered for part in OFFICE_ACTIVE_PARTS):
        return gettext("The document contains macros or ActiveX controls; save it without them (.%(suffix)s).") % {
            "suffix": suffix
        }
    return None


# ---- the size, while the upload streams ------------------------------------------------------


@dataclass(frozen=True)
class RefusedUpload:
    """What the upload handler refused: the form field, the file's name and the limit passed."""

    field: str | None
    name: str | None
    limit: int


class SizeLimitUploadHandler(FileUploadHandler):
    """Stops reading the request once a file passes MAX_UPLOAD_BYTES.

    Nothing more is read or stored; the refusal is left on the request for UploadLimitMiddleware,
    which answers 413.  Stopping loses the fields after the file, so the request is refused as a
    whole rather than handed to a view with half its form.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.MAX_UPLOAD_BYTES

    def new_file(self, field_name, file_name, content_type, content_length, charset=None, content_type_extra=None):
        super().new_file(field_name, file_name, content_type, content_length, charset, content_type_extra)
        if content_length is not None and content_length > self._limit():
            self._refuse()

    def receive_data_chunk(self, raw_data, start):
        if start + len(raw_data) > self._limit():
            self._refuse()
        return raw_data

    def file_complete(self, file_size):
        return None

    def _limit(self):
        return getattr(self, "limit", settings.MAX_UPLOAD_BYTES)

    def _refuse(self):
        if self.request is not None:
            self.request.refused_upload = RefusedUpload(self.field_name, self.file_name, self._limit())
        raise StopUpload(connection_reset=True)


class UploadLimitMiddleware:
    """Answers 413 for an upload that is too large, naming the file, before any view sees it.

    A request whose Content-Length passes MAX_REQUEST_BYTES is refused unread.  Otherwise a
    multipart POST is parsed here (the CSRF check would parse it a moment later anyway), with
    SizeLimitUploadHandler stopping at the first file over MAX_UPLOAD_BYTES.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.content_type == "multipart/form-data":
            refused = self._refusal(request)
            if refused is not None:
                return self._response(request, refused)
        return self.get_response(request)

    @staticmethod
    def _refusal(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return RefusedUpload(None, None, settings.MAX_REQUEST_BYTES)
        if request.method == "POST":
            request.POST  # noqa: B018 - parse now, through the size-limiting handler
        return getattr(request, "refused_upload", None)

    @staticmethod
    def _response(request, refused):
        limit = size_label(refused.limit)
        if refused.field is None:
            message = gettext("The upload is larger than %(limit)s; nothing was saved.") % {"limit": limit}
        else:
            message = gettext("The file is larger than %(limit)s.") % {"limit": limit}
        if request.path.startswith("/api/"):
            return JsonResponse({refused.field or "detail": [message] if refused.field else message}, status=413)
        if refused.name:
            message = gettext("The file “%(name)s” is larger than %(limit)s; nothing was saved.") % {
                "name": refused.name,
                "limit": limit,
            }
        return render(request, "alliance/upload_refused.html", {"message": message}, status=413)
