"""The 推荐表 (seed 004, 附件 2 “科创中国”榜单推荐表（先导技术）) as a PDF for the paper copy.

The table follows the seed's layout row by row: 技术基本情况 (name, field, key industries with their
GB/T 4754-2017 codes and names, project type, readiness level with the level's description),
技术完成团队基本情况 (contact, telephone, address, email, team), 知识产权, 获奖情况, 技术水平介绍,
技术效益介绍, the applicant's opinion with the truthfulness and non-confidentiality pledge and the
signature, seal and date lines, and the recommending unit's opinion with its seal box.  The detailed
materials (附件 2: 详细材料可另附) written in the form follow the table on pages of their own; those
uploaded as files are named in their box (见附件：<name>（n 字）).  One CJK font, A4.
"""

from django.core.exceptions import SuspiciousFileOperation
from django.utils import timezone
from django.utils.text import get_valid_filename

from alliance import pdf

from . import reference
from .enums import Field, ProjectType
from .models import FieldConsortium

# The fields and types as the seed prints them (the enums' labels carry English for the pages).
FIELD_NAMES = {
    Field.ELECTRONICS: "电子信息",
    Field.BIOMEDICINE: "生物医药",
    Field.EQUIPMENT: "装备制造",
    Field.MATERIALS: "先进材料",
    Field.RESOURCES_ENVIRONMENT: "资源环境",
}
PROJECT_TYPE_NAMES = {ProjectType.APPLIED: "应用研究", ProjectType.DEVELOPMENT: "开发研究"}


def field_name(field):
    return FIELD_NAMES.get(field, str(field))


def trl_text(nomination):
    """“7级（在实际环境中的系统样机试验）”: the level and its description on the type's scale."""
    description = reference.trl_description(nomination.trl, nomination.project_type)
    return f"{nomination.trl}级（{description}）" if description else f"{nomination.trl}级"


def industries_of(nomination):
    """The key industries served, in the standard's order: [(code, name)]."""
    return list(nomination.industries.order_by("position").values_list("code", "name"))


def attachments_of(nomination):
    """The detailed materials uploaded as files, by kind: the boxes say 见附件：<name>（n 字）."""
    return {attachment.kind: attachment for attachment in nomination.attachments.all()}


def nomination_context(nomination):
    consortium = FieldConsortium.objects.filter(field=nomination.field).first()
    return {
        "nomination": nomination,
        "campaign": nomination.campaign,
        "unit": nomination.unit,
        "recommender": nomination.recommender,
        "fields": [(value, name, value == nomination.field) for value, name in FIELD_NAMES.items()],
        "field_name": field_name(nomination.field),
        "consortium": consortium,
        "industries": industries_of(nomination),
        "types": [(value, name, value == nomination.project_type) for value, name in PROJECT_TYPE_NAMES.items()],
        "trl": trl_text(nomination),
        "pledged_on": timezone.localtime(nomination.pledge_accepted_at).date()
        if nomination.pledge_accepted_at
        else None,
        "number": f"{nomination.campaign.year}-{nomination.pk:05d}",
        "attachments": attachments_of(nomination),
    }


def nomination_pdf(nomination) -> bytes:
    """The nomination's 推荐表 as PDF bytes (for the unit's signature and seal, and the recommender's)."""
    return pdf.render_pdf("nominations/pdf/nomination.html", nomination_context(nomination))


def nomination_filename(nomination) -> str:
    """A Chinese download name (sent as RFC 6266 filename*), e.g. 先导技术推荐表-某某技术.pdf."""
    try:
        name = get_valid_filename(nomination.name)
    except SuspiciousFileOperation:  # nothing usable left of the name (only quotes, say)
        name = str(nomination.pk)
    return f"先导技术推荐表-{name}.pdf"
