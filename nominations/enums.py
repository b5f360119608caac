"""Fields, kinds and states of the leading-technology list nominations (seed 004)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Field(models.TextChoices):
    """一、榜单设置: the five technical fields, each handled by a consortium (学会联合体)."""

    ELECTRONICS = "electronics", _("Electronics and information (电子信息)")
    BIOMEDICINE = "biomedicine", _("Biomedicine (生物医药)")
    EQUIPMENT = "equipment", _("Equipment manufacturing (装备制造)")
    MATERIALS = "materials", _("Advanced materials (先进材料)")
    RESOURCES_ENVIRONMENT = "resources_environment", _("Resources and environment (资源环境)")


class ProjectType(models.TextChoices):
    """附件 2 技术项目类型: 应用研究/开发研究（二选一）."""

    APPLIED = "applied", _("Applied research (应用研究)")
    DEVELOPMENT = "development", _("Development research (开发研究)")


class IndustryLevel(models.TextChoices):
    """The four levels of GB/T 4754-2017's code table; the form takes groups and classes (中类和小类)."""

    SECTION = "section", _("Section (门类)")
    DIVISION = "division", _("Division (大类)")
    GROUP = "group", _("Group (中类)")
    CLASS = "class", _("Class (小类)")


CHOOSABLE_LEVELS = (IndustryLevel.GROUP, IndustryLevel.CLASS)


class NominationStatus(models.TextChoices):
    """Where a nomination stands, from the unit's draft to the published list (二、工作安排).

    A unit nominates directly (draft → submitted), or through a society's internal selection
    (draft → preselection → submitted when the society forwards it, or not_forwarded).
    """

    DRAFT = "draft", _("Draft")
    PRESELECTION = "preselection", _("Awaiting the society's selection")
    NOT_FORWARDED = "not_forwarded", _("Not forwarded by the society")
    SUBMITTED = "submitted", _("Recommended")
    SHORTLISTED = "shortlisted", _("Passed the preliminary evaluation")
    SELECTED = "selected", _("On the published list")
    NOT_SELECTED = "not_selected", _("Not selected")


# Recommended to the field's consortium: what the experts evaluate and the cap counts.
RECOMMENDED_STATES = (
    NominationStatus.SUBMITTED,
    NominationStatus.SHORTLISTED,
    NominationStatus.SELECTED,
    NominationStatus.NOT_SELECTED,
)
# Open to the preliminary evaluation and the shortlist.
EVALUABLE_STATES = (NominationStatus.SUBMITTED, NominationStatus.SHORTLISTED)


class CampaignStage(models.TextChoices):
    """二、工作安排: the four stages of a campaign, each closing on its deadline."""

    RECOMMENDATION = "recommendation", _("Recommendation")
    PRELIMINARY = "preliminary", _("Preliminary evaluation")
    FINAL_REVIEW = "final_review", _("Final review")
    PUBLICATION = "publication", _("Publication")
    CLOSED = "closed", _("Closed")


# 附件 1 二、参考标准: the six dimensions the experts score, in the seed's order.
CRITERIA = (
    ("feasibility", _("Feasibility (可行性)")),
    ("advancement", _("Advancement (先进性)")),
    ("originality", _("Originality (原创性)")),
    ("irreplaceability", _("Irreplaceability (不可替代性)")),
    ("maturity", _("Maturity (技术成熟度)")),
    ("market", _("Market prospects (市场前景)")),
)
CRITERION_CODES = tuple(code for code, _label in CRITERIA)
SCORE_MAX = 10
