import datetime as dt
import io
import time

import pytest
from pypdf import PdfReader

from alliance.exceptions import BusinessRuleError
from alliance.models import AuditEntry
from specialists import documents, reference, services
from specialists.enums import DocumentKind
from specialists.enums import SpecialistStatus as S
from specialists.models import Committee, IssuedDocument
from specialists.tasks import render_certificate
from tests.factories import UserFactory

from .factories import SpecialistFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2024, 7, 1)


@pytest.fixture
def general():
    committee = Committee.objects.get(code="mining")
    return SpecialistFactory(
        name="张伟明", status=S.GENERAL, committee=committee, user__organisation="中国地质科学院矿产综合利用研究所"
    )


def _text(document):
    document.refresh_from_db()
    with document.file.open("rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return reader, "".join(page.extract_text() for page in reader.pages)


def _issue(specialist, capture):
    with capture(execute=True):
        return documents.documents_issue(specialist, actor=None, on=ON)


def test_documents_issue_renders_the_three_general_documents(general, django_capture_on_commit_callbacks):
    issued = _issue(general, django_capture_on_commit_callbacks)

    assert [d.kind for d in issued] == [DocumentKind.APPOINTMENT, DocumentKind.WORK_ID, DocumentKind.RIGHTS_LETTER]
    assert [d.number for d in issued] == [
        f"中绿盟聘〔2024〕{general.pk:05d}号",
        f"中绿盟证〔2024〕{general.pk:05d}号",
        f"中绿盟权〔2024〕{general.pk:05d}号",
    ]
    for document in issued:
        document.refresh_from_db()
        assert document.ready


@pytest.mark.parametrize(
    ("kind", "title"),
    [
        (DocumentKind.APPOINTMENT, "聘书"),
        (DocumentKind.WORK_ID, "工作证"),
        (DocumentKind.RIGHTS_LETTER, "权利和义务书"),
    ],
)
def test_document_pdf_has_name_and_chinese_title(general, django_capture_on_commit_callbacks, kind, title):
    issued = {d.kind: d for d in _issue(general, django_capture_on_commit_callbacks)}

    _reader, text = _text(issued[kind])

    compact = text.replace(" ", "").replace("\n", "")
    assert "张伟明" in compact
    assert title in compact


def test_appointment_is_one_landscape_a4_page(general, django_capture_on_commit_callbacks):
    issued = {d.kind: d for d in _issue(general, django_capture_on_commit_callbacks)}

    reader, _text_ = _text(issued[DocumentKind.APPOINTMENT])

    box = reader.pages[0].mediabox
    assert len(reader.pages) == 1
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (297, 210)


def test_work_id_is_card_sized(general, django_capture_on_commit_callbacks):
    issued = {d.kind: d for d in _issue(general, django_capture_on_commit_callbacks)}

    reader, _text_ = _text(issued[DocumentKind.WORK_ID])

    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (86, 54)


def test_rights_letter_carries_the_seed_articles(general, django_capture_on_commit_callbacks):
    issued = {d.kind: d for d in _issue(general, django_capture_on_commit_callbacks)}

    _reader, text = _text(issued[DocumentKind.RIGHTS_LETTER])

    compact = text.replace(" ", "").replace("\n", "")
    assert "第十条特别专员的义务" in compact and "第九条特别专员的权益" in compact
    assert "积极转发、推广中绿盟各项活动" in compact


def test_every_certificate_embeds_one_cjk_font_family(general, django_capture_on_commit_callbacks):
    """static/css/pdf.css lists fallbacks; the installed Noto CJK is the one that lands in the file."""
    from tests.greenmine.test_report_pdf import _font_families

    for document in _issue(general, django_capture_on_commit_callbacks):
        document.refresh_from_db()
        assert _font_families(document.file.path) == {"Noto-Sans-CJK-SC"}, document.kind


@pytest.mark.parametrize("status", [S.APPLICANT, S.PROBATION, S.ROSTER, S.EXIT_PENDING, S.EXITED, S.REJECTED])
def test_documents_issue_refused_for_non_general(status):
    specialist = SpecialistFactory(status=status)

    with pytest.raises(BusinessRuleError) as error:
        documents.documents_issue(specialist, actor=None, on=ON)

    assert error.value.field == "specialist"
    assert not IssuedDocument.objects.exists()


def test_documents_issue_twice_in_a_year_reuses_the_documents(general, django_capture_on_commit_callbacks):
    first = _issue(general, django_capture_on_commit_callbacks)

    second = _issue(general, django_capture_on_commit_callbacks)

    assert [d.pk for d in first] == [d.pk for d in second]
    assert IssuedDocument.objects.count() == 3
    assert AuditEntry.objects.filter(action="specialist.document_issued").count() == 3


def test_render_task_is_idempotent(general, django_capture_on_commit_callbacks):
    (appointment, *_rest) = _issue(general, django_capture_on_commit_callbacks)
    appointment.refresh_from_db()
    name, rendered_at = appointment.file.name, appointment.rendered_at

    result = render_certificate.delay(document_id=appointment.pk).get()

    appointment.refresh_from_db()
    assert result["rendered"] is True
    assert (appointment.file.name, appointment.rendered_at) == (name, rendered_at)
    assert IssuedDocument.objects.count() == 3


def test_render_task_with_force_replaces_the_file(general, django_capture_on_commit_callbacks):
    (appointment, *_rest) = _issue(general, django_capture_on_commit_callbacks)
    appointment.refresh_from_db()
    old = appointment.file.name

    render_certificate.delay(document_id=appointment.pk, force=True).get()

    appointment.refresh_from_db()
    assert appointment.file.name != old
    assert not appointment.file.storage.exists(old)


def test_render_task_for_a_missing_document_does_nothing():
    assert render_certificate.delay(document_id=999999).get() == {"document": 999999, "rendered": False}


def test_excellent_certificate_needs_a_passed_vote(general):
    staff = UserFactory(roles=["secretariat"])
    nomination = services.excellent_nominate(general, year=2024, reason="宣传推广突出", actor=staff)

    with pytest.raises(BusinessRuleError):
        documents.excellent_certificate_issue(nomination, actor=staff, on=ON)

    assert not IssuedDocument.objects.exists()


def test_excellent_certificate_has_name_and_title(general, django_capture_on_commit_callbacks):
    staff = UserFactory(roles=["secretariat"])
    nomination = services.excellent_nominate(general, year=2024, reason="宣传推广突出", actor=staff)
    nomination.awarded = True
    nomination.save(update_fields=["awarded"])

    with django_capture_on_commit_callbacks(execute=True):
        document = documents.excellent_certificate_issue(nomination, actor=staff, on=dt.date(2025, 1, 10))

    _reader, text = _text(document)
    compact = text.replace(" ", "").replace("\n", "")
    assert document.year == 2024
    assert "张伟明" in compact and "优秀绿色矿山科技特别专员" in compact


def test_admin_issue_certificates_action_refuses_non_general(admin_client, general):
    roster = SpecialistFactory(status=S.ROSTER, name="李四")

    response = admin_client.post(
        "/admin/specialists/specialist/",
        {"action": "issue_certificates", "_selected_action": [general.pk, roster.pk]},
        follow=True,
    )

    messages = [str(m) for m in response.context["messages"]]
    assert IssuedDocument.objects.filter(specialist=general).count() == 3
    assert not IssuedDocument.objects.filter(specialist=roster).exists()
    assert any("李四" in m for m in messages)


def test_admin_issue_excellent_certificate_action(admin_client, general):
    staff = UserFactory(roles=["secretariat"])
    awarded = services.excellent_nominate(general, year=2024, reason="宣传推广突出", actor=staff)
    awarded.awarded = True
    awarded.save(update_fields=["awarded"])
    pending = services.excellent_nominate(SpecialistFactory(status=S.GENERAL), year=2024, reason="服务", actor=staff)

    admin_client.post(
        "/admin/specialists/excellentnomination/",
        {"action": "issue_certificate", "_selected_action": [awarded.pk, pending.pk]},
    )

    assert list(IssuedDocument.objects.values_list("specialist", "kind", "year")) == [
        (general.pk, DocumentKind.EXCELLENT, 2024)
    ]


def test_admin_issued_documents_list_renders_with_download_links(
    admin_client, general, django_capture_on_commit_callbacks
):
    issued = _issue(general, django_capture_on_commit_callbacks)

    response = admin_client.get("/admin/specialists/issueddocument/")

    assert response.status_code == 200
    for document in issued:
        assert f"/specialists/documents/{document.pk}.pdf" in response.content.decode()


def test_admin_specialist_page_lists_their_documents(admin_client, general, django_capture_on_commit_callbacks):
    (appointment, *_rest) = _issue(general, django_capture_on_commit_callbacks)

    response = admin_client.get(f"/admin/specialists/specialist/{general.pk}/change/")

    assert response.status_code == 200
    assert f"/specialists/documents/{appointment.pk}.pdf" in response.content.decode()


@pytest.mark.integration
def test_issue_queues_rendering_after_commit_on_a_real_worker(celery_worker_live, monkeypatch):
    reference.load()  # transactional tests flush the migrations' reference data
    specialist = SpecialistFactory(name="张伟明", status=S.GENERAL)
    queued = []
    apply_async = render_certificate.apply_async
    monkeypatch.setattr(
        render_certificate, "apply_async", lambda *a, **kw: queued.append(kw["kwargs"]) or apply_async(*a, **kw)
    )

    issued = documents.documents_issue(specialist, actor=None, on=ON)  # commits: no surrounding transaction

    assert sorted(k["document_id"] for k in queued) == sorted(d.pk for d in issued)
    deadline = time.monotonic() + 60  # sent through alliance.dispatch: nobody waits on a result, so watch the rows
    while time.monotonic() < deadline and IssuedDocument.objects.filter(rendered_at__isnull=True).exists():
        time.sleep(0.2)
    assert all(IssuedDocument.objects.get(pk=d.pk).ready for d in issued)
