"""Demo data: one assessment of a demo mine, an expert with some scores (idempotent)."""

import io
import secrets

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from pypdf import PdfWriter

from alliance.services import user_create

from . import selectors, services
from .models import Assessment

MINE = "演示·青山萤石矿"  # fluorite: a non-metal mine, so the general variant of category three
EXPERT = "gm_expert"


def _demo_pdf():
    """A real one-page PDF: evidence is parsed on upload (alliance.uploads), a stub is refused."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


DEMO_PDF = _demo_pdf()


@transaction.atomic
def seed(stdout):
    User = get_user_model()
    expert = User.objects.filter(username=EXPERT).first()
    if expert is None:
        password = secrets.token_urlsafe(10)
        expert = user_create(username=EXPERT, password=password, name="绿色矿山评价专家（演示）", roles=["expert"])
        stdout.write(f"green-mine expert demo: {EXPERT} / {password}")
    else:
        stdout.write(f"green-mine expert demo: {EXPERT} exists already (password printed when made)")
    if Assessment.objects.filter(mine_name=MINE).exists():
        return
    staff = User.objects.filter(is_superuser=True).order_by("pk").first()
    assessment = services.assessment_create(
        mine_name=MINE, variant="general", mining_method="open_pit", province="", created_by=staff
    )
    (assignment,) = [services.expert_assign(assessment, username=EXPERT, assigned_by=staff)]
    items = [
        {"code": p["code"], "passed": True, "record": f"已查验：{p['name']}"}
        for p in selectors.prerequisite_items(assessment)
    ]
    services.prerequisites_record(assessment, items, by=staff or expert)
    scores = [
        {"number": 1, "score": "1.5", "record": "管理区、生活区分区不明显"},
        {"number": 2, "score": "2", "record": "配套设施齐全，运行正常"},
        {"number": 3, "score": "0.8", "record": "一处线路示意图牌褪色"},
        {"number": 7, "not_applicable": True, "reason": "矿区位于戈壁，无绿化植物配置条件"},
        {"number": 8, "score": "5", "record": "自上而下分台阶开采，符合开采设计"},
    ]
    services.scores_save(assignment, scores, by=expert)
    for number in (1, 2, 3, 8):
        upload = SimpleUploadedFile(f"indicator-{number}.pdf", DEMO_PDF, content_type="application/pdf")
        services.evidence_add(assessment, number=number, upload=upload, by=expert)
    stdout.write(f"green-mine demo: assessment “{MINE}” with expert {EXPERT} (category one partly scored)")
