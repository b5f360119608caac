"""Green-mine test data, built through the services so every rule applies."""

import io

from django.core.files.base import ContentFile
from pypdf import PdfWriter

from greenmine import selectors, services
from greenmine.models import Evidence, Indicator
from tests.factories import UserFactory


def _one_page_pdf():
    """A real (blank, one-page) PDF: uploads are parsed, so a bare "%PDF" header is refused."""
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


PDF_BYTES = _one_page_pdf()


def expert(username, name=None):
    return UserFactory(username=username, roles=["expert"], name=name or f"专家{username}")


def assessment(staff, *, mine_name="示范石灰石矿", variant="general", mining_method="open_pit", **kwargs):
    return services.assessment_create(
        mine_name=mine_name, variant=variant, mining_method=mining_method, created_by=staff, **kwargs
    )


def pass_prerequisites(assessment, by, failed=()):
    items = [
        {"code": p["code"], "passed": p["code"] not in failed, "record": f"查验{p['name']}"}
        for p in selectors.prerequisite_items(assessment)
    ]
    return services.prerequisites_record(assessment, items, by=by)


def assign(assessment, staff, *users):
    return [services.expert_assign(assessment, username=u.username, assigned_by=staff) for u in users]


def full_scores(assignment, **overrides):
    """Full points on every applicable indicator, except overrides {"n<number>": score or "na"}."""
    items = []
    for indicator in selectors.applicable_indicators(assignment.assessment):
        value = overrides.get(f"n{indicator.number}", indicator.points)
        if value == "na":
            items.append({"number": indicator.number, "not_applicable": True, "reason": "本矿不涉及", "record": ""})
        else:
            items.append({"number": indicator.number, "score": value, "record": f"查看第{indicator.number}项资料"})
    return services.scores_save(assignment, items, by=assignment.expert)


def evidence_for_all(assessment, by, *, except_numbers=()):
    for indicator in Indicator.objects.filter(version_id=assessment.catalogue_id).exclude(number__in=except_numbers):
        item = Evidence(
            assessment=assessment, indicator=indicator, original_name="证明.pdf", size=len(PDF_BYTES), uploaded_by=by
        )
        item.file.save("proof.pdf", ContentFile(PDF_BYTES), save=False)
        item.save()
    selectors.result_changed(assessment)  # written here without the service, so bumped as it would
