import uuid

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OrganisationNature(models.TextChoices):
    """Unit nature from the liaison registration form (seed 002)."""

    PUBLIC_INSTITUTION = "public_institution", _("Public institution (事业)")
    ASSOCIATION = "association", _("Association (社团)")
    SOE_CENTRAL = "soe_central", _("State-owned, central (央企)")
    SOE_PROVINCIAL = "soe_provincial", _("State-owned, provincial (省企)")
    SOE_MUNICIPAL = "soe_municipal", _("State-owned, municipal (市企)")
    SOE_COUNTY = "soe_county", _("State-owned, county/district (县(区)企)")
    COLLECTIVE = "collective", _("Collective / township (集体企业(乡镇企业))")
    JOINT_VENTURE = "joint_venture", _("Joint venture (联营企业)")
    PRIVATE = "private", _("Private (民营企业)")


class Organisation(models.Model):
    """The one registry of units every programme refers to (SPEC, Cross-cutting).

    Member units, award applicants and completing units, nominating units and the
    employers of specialists and reviewers are all rows here, so conflict-of-interest
    checks and per-unit caps compare the same thing.
    """

    name = models.CharField(_("registered full name"), max_length=200, unique=True)
    nature = models.CharField(_("nature"), max_length=32, choices=OrganisationNature.choices, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self):
        return self.name


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="profile"
    )
    name = models.CharField(_("display name"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self):
        return self.name or self.user.get_username()


class AuditEntry(models.Model):
    """One attributable change: who did what to which object, with the facts used.

    Append-only; the admin shows it read-only.
    """

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=100, db_index=True)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("kind of record"), on_delete=models.PROTECT, null=True, blank=True
    )
    object_id = models.CharField(_("record number"), max_length=64, blank=True)
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self):
        from .audit import action_label

        return f"{timezone.localtime(self.created_at):%Y-%m-%d %H:%M} {action_label(self.action)} {self.object_repr}"


class JobStatus(models.TextChoices):
    """Where a background job (export or import) stands."""

    PENDING = "pending", _("Queued")
    # The broker could not be reached when the job was sent: nothing will run it until it is retried.
    UNQUEUED = "unqueued", _("Not queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


ExportStatus = JobStatus


class ExportJob(models.Model):
    """A long `.xlsx` export run by a Celery worker, with its progress (SPEC, Cross-cutting: Exports)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    exporter = models.CharField(_("export"), max_length=100)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("times sent to the worker"), default=0)
    queued_at = models.DateTimeField(_("last sent to the worker"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows to write"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows written"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("export")
        verbose_name_plural = _("exports")

    def __str__(self):
        return f"{self.title} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def title(self):
        from .exports import _registry, autodiscover

        if self.exporter not in _registry:
            autodiscover()
        exporter = _registry.get(self.exporter)
        return exporter.title if exporter else self.exporter

    @property
    def percent(self):
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


def import_path(job, filename):
    return f"imports/{job.pk}/{filename}"


class ImportJob(models.Model):
    """An uploaded workbook imported by a Celery worker, with its progress and every error found.

    `fingerprint` is the SHA-256 of the file's bytes: a file already imported is refused.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    importer = models.CharField(_("import"), max_length=100)
    file = models.FileField(_("file"), upload_to=import_path)
    filename = models.CharField(_("file name"), max_length=255)
    fingerprint = models.CharField(_("fingerprint (SHA-256)"), max_length=64, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("times sent to the worker"), default=0)
    queued_at = models.DateTimeField(_("last sent to the worker"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    # Every problem found, as [{"row": 12, "column": "日期", "message": "..."}]; nothing is written then.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    # What was done: counts of rows recorded and rows reported as already in the ledger, etc.
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        constraints = [
            # One successful import per file and importer; failed ones may be retried with the same file.
            models.UniqueConstraint(
                fields=["importer", "fingerprint"],
                condition=models.Q(status="done"),
                name="import_once_per_file",
            )
        ]

    def __str__(self):
        return f"{self.title} {self.filename} {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"

    @property
    def title(self):
        from alliance.exceptions import BusinessRuleError

        from .imports import get_importer

        try:
            return get_importer(self.importer).title
        except BusinessRuleError:
            return self.importer

    @property
    def percent(self):
        if self.status == JobStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)
