from django.db import models
from django.utils.translation import gettext_lazy as _


class Attribute(models.TextChoices):
    """指标属性 (说明 一（二）): constraint indicators must each get full points."""

    CONSTRAINT = "constraint", _("Constraint (约束性)")
    IMPROVEMENT = "improvement", _("Improvement (提升性)")


class Variant(models.TextChoices):
    """Category three is scored on one of two indicator sets (三、资源综合利用)."""

    GENERAL = "general", _("Non-metal, chemical, gold, metallurgy, non-ferrous, oil & gas, coal, geothermal, water")
    AGGREGATE = "aggregate", _("Sand and gravel, cement limestone, building stone")


class MiningMethod(models.TextChoices):
    """The mine's main method; indicators with alternatives (★) score only this one."""

    OPEN_PIT = "open_pit", _("Open pit (露天开采)")
    UNDERGROUND = "underground", _("Underground (地下开采)")
    OIL_GAS = "oil_gas", _("Oil & gas (石油天然气)")
    GEOTHERMAL_WATER = "geothermal_water", _("Geothermal / mineral water (地热矿泉水)")


class RuleKind(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing")
    DEDUCTION = "deduction", _("Deduction per finding")
    ADDITIVE = "additive", _("Additive sub-items")
    CHOICE = "choice", _("One of several options")
    ALTERNATIVES = "alternatives", _("Alternatives by mining method")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Checking prerequisites")
    PREREQUISITES_FAILED = "prerequisites_failed", _("Prerequisite failed: not qualified")
    SCORING = "scoring", _("Scoring")
    COMPLETED = "completed", _("Completed")


# Experts may enter scores only while the assessment is being scored.
SCORING_OPEN = frozenset({AssessmentStatus.SCORING})
# Prerequisites may be (re)recorded until the result is final.
PREREQUISITES_OPEN = frozenset(
    {AssessmentStatus.DRAFT, AssessmentStatus.PREREQUISITES_FAILED, AssessmentStatus.SCORING}
)


class AssignmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
