"""The detailed materials as files (附件 2: 详细材料可另附, 不超过 10000 字 / 5000 字).

A unit uploads the detailed material of its technical level or of its benefits as a .docx or a
.pdf in place of the text box.  The file is judged on its content (alliance.uploads.check_upload),
its text is extracted and its characters counted as the boxes are (checks.char_count: a Chinese
character is one): past the limit it is refused with the limit and the count, and a PDF with no
text to extract (a scan) is refused because it cannot be counted.  One file per nomination and
kind: a new upload replaces the old.  Uploads and removals follow the draft's rules
(nomination_update): the nominating unit or the secretariat, a draft, before the deadline.
"""

import io
import zipfile
from xml.etree import ElementTree

from django.db import transaction
from django.utils.translation import gettext as _

from alliance import audit, uploads
from alliance.exceptions import BusinessRuleError

from ..enums import NominationStatus
from ..models import ATTACHMENT_LIMITS, AttachmentKind, Nomination, NominationAttachment
from .campaigns import check_recommendation_open
from .checks import _require_unit_user, char_count

ATTACHMENT_TYPES = ("docx", "pdf")
# The text of 10,000 characters with any formatting fits well within this; more is a bomb, not a text.
DOCUMENT_XML_MAX = 64 * 1024 * 1024
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"


def check_kind(kind):
    if kind not in AttachmentKind.values:
        raise BusinessRuleError(
            _("Choose the material: %(kinds)s.") % {"kinds": "、".join(str(label) for label in AttachmentKind.labels)},
            field="kind",
        )
    return AttachmentKind(kind)


def _locked_draft(nomination, user):
    """The nomination, locked, once the same checks as nomination_update have passed."""
    nomination = Nomination.objects.select_for_update().select_related("campaign").get(pk=nomination.pk)
    _require_unit_user(user, nomination, staff_too=True)
    if nomination.status != NominationStatus.DRAFT:
        raise BusinessRuleError(_("Only a draft can be changed; this nomination has been submitted."))
    check_recommendation_open(nomination.campaign)
    return nomination


# ---- the text of a file ---------------------------------------------------------------------------


def _docx_text(data, *, field):
    """The paragraphs of word/document.xml (tables and text boxes too), one line each."""
    unreadable = BusinessRuleError(_("The document cannot be read; it may be damaged."), field=field)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            if package.getinfo("word/document.xml").file_size > DOCUMENT_XML_MAX:
                raise BusinessRuleError(_("The document unpacks to too much data."), field=field)
            xml = package.read("word/document.xml")
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, ValueError, NotImplementedError):
        raise unreadable from None
    if b"<!DOCTYPE" in xml[:4096].upper() or b"<!ENTITY" in xml.upper():
        raise unreadable  # a document part never declares entities (an entity-expansion bomb)
    try:
        root = ElementTree.fromstring(xml)
    except ElementTree.ParseError:
        raise unreadable from None
    # A text box is stored twice (the drawing and its VML fallback): the fallback is not counted.
    skipped = {id(node) for fallback in root.iter(MC_FALLBACK) for node in fallback.iter()}
    lines = []
    for paragraph in root.iter(f"{W}p"):
        if id(paragraph) in skipped:
            continue
        parts = []
        for node in paragraph.iter():
            if id(node) in skipped or node is paragraph:
                continue
            if node.tag == f"{W}p":
                break  # a paragraph nested in a text box is a paragraph of its own
            if node.tag == f"{W}t":
                parts.append(node.text or "")
            elif node.tag == f"{W}tab":
                parts.append("\t")
            elif node.tag in (f"{W}br", f"{W}cr"):
                parts.append("\n")
        lines.append("".join(parts))
    return "\n".join(lines)


def _pdf_text(data, *, field):
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except (PyPdfError, ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError, OSError):
        raise BusinessRuleError(_("The PDF cannot be read; it may be damaged."), field=field) from None


def attachment_text(upload, *, field="file"):
    """The text of a checked .docx or .pdf upload, as extracted for counting."""
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    if data.startswith(b"%PDF-"):
        return _pdf_text(data, field=field)
    return _docx_text(data, field=field)


def count_attachment(upload, kind, *, field="file"):
    """The upload's characters; refused past the kind's limit or when a PDF has no text to count."""
    text = attachment_text(upload, field=field)
    count = char_count(text)
    if count == 0:
        if upload.name.lower().endswith(".pdf"):
            message = _(
                "No text can be extracted from this PDF (a scan or an image), so its characters cannot be "
                "counted; upload the .docx or a PDF saved from it."
            )
        else:
            message = _("The document has no text.")
        raise BusinessRuleError(message, field=field)
    limit = ATTACHMENT_LIMITS[kind]
    if count > limit:
        raise BusinessRuleError(
            _("The attachment of %(material)s has at most %(limit)s characters; “%(name)s” has %(count)s.")
            % {"material": AttachmentKind(kind).label, "limit": limit, "name": upload.name, "count": count},
            field=field,
            code="limit",
        )
    return count


# ---- the services -----------------------------------------------------------------------------------


@transaction.atomic
def attachment_upload(nomination, *, kind, upload, user):
    """Attach the detailed material of `kind` to a draft, replacing the one there (附件 2: 详细材料可另附).

    Refused (nothing saved) unless the user may change the draft (nomination_update's checks: the
    nominating unit or the secretariat, a draft, before the recommendation deadline), unless the
    file is a sound .docx or .pdf within the upload size, past the kind's character limit
    (10,000 for the technical level, 5,000 for the benefits) or when a PDF has no text to count.
    Side effects: the file stored, the row (the old one and its file removed), an audit entry.
    """
    nomination = _locked_draft(nomination, user)
    kind = check_kind(kind)
    name = uploads.check_upload(upload, ATTACHMENT_TYPES, field=kind.value)
    upload.name = name
    characters = count_attachment(upload, kind, field=kind.value)
    old = NominationAttachment.objects.filter(nomination=nomination, kind=kind).first()
    replaced = ""
    if old is not None:
        replaced = old.original_name
        _delete(old)
    attachment = NominationAttachment(
        nomination=nomination,
        kind=kind,
        original_name=name[:255],
        size=upload.size,
        characters=characters,
        uploaded_by=user,
    )
    attachment.file.save(name, upload, save=False)
    try:
        attachment.save()
        audit.record(
            "nominations.attachment.uploaded",
            nomination,
            actor=user,
            kind=kind.value,
            file=name,
            characters=characters,
            replaced=replaced,
        )
    except Exception:
        attachment.file.storage.delete(attachment.file.name)  # nothing saved: not the file either
        raise
    return attachment


def _delete(attachment):
    stored, storage = attachment.file.name, attachment.file.storage
    attachment.delete()
    if stored:
        transaction.on_commit(lambda: storage.delete(stored))


@transaction.atomic
def attachment_remove(nomination, *, kind, user):
    """Remove the draft's attachment of `kind`; the text box is then what counts.

    The same checks as an upload.  Side effects: the row deleted, its file deleted once the
    transaction commits, an audit entry.  Returns the removed file's name.
    """
    nomination = _locked_draft(nomination, user)
    kind = check_kind(kind)
    attachment = NominationAttachment.objects.filter(nomination=nomination, kind=kind).first()
    if attachment is None:
        raise BusinessRuleError(_("There is no attachment to remove."), field=kind.value)
    name = attachment.original_name
    _delete(attachment)
    audit.record("nominations.attachment.removed", nomination, actor=user, kind=kind.value, file=name)
    return name
