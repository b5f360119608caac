"""Green-mine evaluation (seed 003): the indicator catalogue and assessments of mines."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .enums import AssessmentStatus, AssignmentStatus, Attribute, MiningMethod, Variant

DEFAULT_PASS_LINE = Decimal("80")  # 说明 一（四）: 总得分原则上不低于 80 分


class CatalogueVersion(models.Model):
    """One version of the 49-indicator table, loaded from `greenmine/data/catalogue-<version>.yaml`."""

    code = models.CharField(_("version"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=False)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["-code"]
        verbose_name = _("catalogue version")
        verbose_name_plural = _("catalogue versions")

    def __str__(self):
        return f"{self.title} ({self.code})"


class Category(models.Model):
    """一级指标: six per version, with their points (12/20/18/20/18/12)."""

    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue version"), on_delete=models.CASCADE, related_name="categories"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    label = models.CharField(_("label in the table"), max_length=200, blank=True)
    points = models.DecimalField(pgettext_lazy("green-mine", "points"), max_digits=5, decimal_places=2)

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="gm_category_unique_number")]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self):
        return f"{self.number} {self.name}"


class Prerequisite(models.Model):
    """先决条件: veto items; one failure means not qualified and no scoring."""

    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue version"), on_delete=models.CASCADE, related_name="prerequisites"
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    requirement = models.TextField(_("requirement"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["version", "order"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="gm_prerequisite_unique_code")]
        verbose_name = _("prerequisite")
        verbose_name_plural = _("prerequisites")

    def __str__(self):
        return self.name


class Indicator(models.Model):
    """三级指标: one row of the table, with its scoring rule as data (see the catalogue file)."""

    version = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue version"), on_delete=models.CASCADE, related_name="indicators"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.CASCADE, related_name="indicators"
    )
    subcategory = models.CharField(_("second-level indicator"), max_length=100)
    name = models.CharField(_("name"), max_length=100)
    points = models.DecimalField(pgettext_lazy("green-mine", "points"), max_digits=5, decimal_places=2)
    scoring_text = models.TextField(_("scoring text"))
    method = models.CharField(_("assessment method"), max_length=60)
    basis = models.TextField(_("basis or standard"), blank=True)
    attribute = models.CharField(_("attribute"), max_length=20, choices=Attribute.choices)
    variant = models.CharField(_("variant"), max_length=20, choices=Variant.choices, blank=True)
    rule = models.JSONField(_("scoring rule"))

    class Meta:
        ordering = ["version", "number"]
        constraints = [models.UniqueConstraint(fields=["version", "number"], name="gm_indicator_unique_number")]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self):
        return f"{self.number} {self.name}"

    @property
    def is_constraint(self):
        return self.attribute == Attribute.CONSTRAINT


class ProvinceRule(models.Model):
    """说明: provinces may raise the pass line and add veto items (否决项)."""

    province = models.CharField(_("province"), max_length=40, unique=True)
    pass_line = models.DecimalField(
        _("pass line"), max_digits=5, decimal_places=2, default=DEFAULT_PASS_LINE, validators=[MinValueValidator(0)]
    )
    extra_prerequisites = models.JSONField(
        _("extra veto items"),
        default=list,
        blank=True,
        help_text=_('A list of {"code": ..., "name": ..., "requirement": ...} added to the national prerequisites.'),
    )

    class Meta:
        ordering = ["province"]
        verbose_name = _("province rule")
        verbose_name_plural = _("province rules")

    def __str__(self):
        return self.province


class Assessment(models.Model):
    """The evaluation of one mine against one catalogue version."""

    catalogue = models.ForeignKey(
        CatalogueVersion, verbose_name=_("catalogue version"), on_delete=models.PROTECT, related_name="assessments"
    )
    mine_name = models.CharField(_("mine"), max_length=200)
    organisation = models.ForeignKey(
        "alliance.Organisation",
        verbose_name=_("mining company"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = models.CharField(_("province"), max_length=40, blank=True)
    variant = models.CharField(_("variant"), max_length=20, choices=Variant.choices)
    mining_method = models.CharField(_("main mining method"), max_length=20, choices=MiningMethod.choices)
    pass_line = models.DecimalField(_("pass line"), max_digits=5, decimal_places=2, default=DEFAULT_PASS_LINE)
    # Veto items the province adds, copied at creation so a later rule change does not alter it.
    extra_prerequisites = models.JSONField(_("extra veto items"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=30, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    result = models.JSONField(_("final result"), null=True, blank=True, editable=False)
    # Bumped by every service that changes what the result shows (scores, evidence, prerequisites,
    # experts, status): the key of the cached result (selectors.cached_result_payload).
    result_version = models.PositiveIntegerField(_("result version"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    experts = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("experts"),
        through="ExpertAssignment",
        through_fields=("assessment", "expert"),
        related_name="greenmine_assessments",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return self.mine_name


class PrerequisiteCheck(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="prerequisite_checks"
    )
    code = models.SlugField(_("code"), max_length=40)
    passed = models.BooleanField(_("passed"))
    record = models.TextField(_("inspection record"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("checked by"), on_delete=models.PROTECT, related_name="+"
    )
    checked_at = models.DateTimeField(_("checked at"), auto_now=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "code"], name="gm_prereq_check_unique")]
        verbose_name = _("prerequisite check")
        verbose_name_plural = _("prerequisite checks")

    def __str__(self):
        return f"{self.assessment} · {self.name}"

    @property
    def name(self):
        """The prerequisite's name: the catalogue's, or the province's extra veto item's; else the code."""
        prerequisite = Prerequisite.objects.filter(version_id=self.assessment.catalogue_id, code=self.code).first()
        if prerequisite is not None:
            return prerequisite.name
        extra = {p.get("code"): p.get("name") for p in self.assessment.extra_prerequisites or []}
        return extra.get(self.code) or self.code


class ExpertAssignment(models.Model):
    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="assignments"
    )
    expert = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("expert"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.DRAFT
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [models.UniqueConstraint(fields=["assessment", "expert"], name="gm_assignment_unique")]
        verbose_name = _("expert assignment")
        verbose_name_plural = _("expert assignments")

    def __str__(self):
        return f"{self.assessment} · {self.expert}"

    @property
    def is_submitted(self):
        return self.status == AssignmentStatus.SUBMITTED


class ExpertScore(models.Model):
    """One expert's score of one indicator, with the inputs it was computed from."""

    assignment = models.ForeignKey(
        ExpertAssignment, verbose_name=_("expert assignment"), on_delete=models.CASCADE, related_name="scores"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    score = models.DecimalField(_("score"), max_digits=5, decimal_places=2, null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    reason = models.TextField(_("reason it does not apply"), blank=True)
    record = models.TextField(_("inspection record"), blank=True)
    inputs = models.JSONField(_("scoring inputs"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["assignment", "indicator__number"]
        constraints = [models.UniqueConstraint(fields=["assignment", "indicator"], name="gm_score_unique")]
        verbose_name = _("expert score")
        verbose_name_plural = _("expert scores")

    def __str__(self):
        return f"{self.assignment} · {self.indicator.number}"


def evidence_path(instance, filename):
    return f"greenmine/{instance.assessment_id}/{instance.indicator.number}/{filename}"


class Evidence(models.Model):
    """支撑材料: a score above 0 needs at least one file (说明 二（二）)."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="evidence"
    )
    indicator = models.ForeignKey(Indicator, verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="+")
    file = models.FileField(pgettext_lazy("green-mine", "file"), upload_to=evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("file type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "indicator__number", "id"]
        verbose_name = pgettext_lazy("green-mine", "evidence")
        verbose_name_plural = pgettext_lazy("green-mine", "evidence")

    def __str__(self):
        return self.original_name


class SiteVisit(models.Model):
    """说明 二（五）: which staff went to which site and saw what."""

    assessment = models.ForeignKey(
        Assessment, verbose_name=_("assessment"), on_delete=models.CASCADE, related_name="site_visits"
    )
    visited_on = models.DateField(_("date"))
    visitors = models.CharField(_("who"), max_length=300)
    location = models.CharField(_("where"), max_length=300)
    observations = models.TextField(_("what was seen"))
    indicators = models.ManyToManyField(Indicator, blank=True, related_name="+", verbose_name=_("indicators"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        ordering = ["assessment", "visited_on", "id"]
        verbose_name = _("site visit")
        verbose_name_plural = _("site visits")

    def __str__(self):
        return f"{self.visited_on} {self.location}"
