"""What left the system: every export and every national hand-off package, traceable and reproducible."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """One exported file: who made it, when, from which filters and catalogue edition, and its checksum."""

    class Format(models.TextChoices):
        XLSX = "xlsx", "XLSX"
        CSV = "csv", "CSV"
        PDF = "pdf", "PDF"
        HANDOFF = "handoff", _("National hand-off package")

    cycle = models.ForeignKey(
        "registry.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="exports"
    )
    edition = models.ForeignKey(
        "scoring.Edition", verbose_name=_("catalogue edition"), on_delete=models.PROTECT, related_name="+"
    )
    # None when the file was made from the command line.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    filename = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    checksum = models.CharField(_("SHA-256 checksum"), max_length=64)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    claimed_iid = models.DecimalField(_("self-assessed IID"), max_digits=5, decimal_places=2, null=True)
    verified_iid = models.DecimalField(_("verified IID"), max_digits=5, decimal_places=2, null=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(format__in=["xlsx", "csv", "pdf", "handoff"]), name="exportlog_format_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.checksum[:12]})"


def handoff_upload_to(package, filename: str) -> str:
    # Private storage, served only by a permission-checking view.
    return f"handoff/{package.cycle_id}/{package.pk or 'new'}/{filename}"


class HandoffPackage(models.Model):
    """The national hand-off package of a cycle: a workbook and a ZIP of evidence, built in the background."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    cycle = models.ForeignKey(
        "registry.Cycle", verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="handoff_packages"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED, editable=False
    )
    # Work done out of work to do (evidence files written, plus the workbook), for the progress bar.
    done_steps = models.PositiveIntegerField(_("steps done"), default=0)
    total_steps = models.PositiveIntegerField(_("steps in all"), default=0)
    message = models.TextField(_("message"), blank=True)
    workbook = models.FileField(_("workbook"), upload_to=handoff_upload_to, blank=True, max_length=255)
    archive = models.FileField(_("evidence archive"), upload_to=handoff_upload_to, blank=True, max_length=255)
    workbook_checksum = models.CharField(_("workbook SHA-256"), max_length=64, blank=True)
    archive_checksum = models.CharField(_("archive SHA-256"), max_length=64, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("hand-off package")
        verbose_name_plural = _("hand-off packages")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["queued", "running", "done", "failed"]), name="handoff_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(done_steps__lte=models.F("total_steps")) | Q(total_steps=0),
                name="handoff_progress_within_total",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cycle} #{self.pk}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_steps:
            return 0
        return min(100, self.done_steps * 100 // self.total_steps)


class OfficialResultQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OfficialResultQuerySet":
        """A region's Bappeda staff see their region's results; nobody else sees any."""
        if not user.is_authenticated or not user.is_bappeda or user.region_id is None:
            return self.none()
        return self.filter(region_id=user.region_id)


class OfficialResult(models.Model):
    """The IID Kemendagri published for a region and year: a recorded figure, never computed here."""

    region = models.ForeignKey(
        "agencies.Region", verbose_name=_("region"), on_delete=models.PROTECT, related_name="official_results"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    claimed_iid = models.DecimalField(
        _("self-assessed IID"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    validated_iid = models.DecimalField(
        _("validated IID"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    predicate = models.CharField(_("predicate"), max_length=60, blank=True)
    innovation_count = models.PositiveIntegerField(_("number of innovations"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("Rank or other remarks."))
    source = models.CharField(
        _("decree or source"), max_length=300, blank=True, help_text=_("Where the figure was published.")
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("entered by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfficialResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("official result")
        verbose_name_plural = _("official results")
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="officialresult_one_per_region_year"),
            models.CheckConstraint(
                condition=Q(claimed_iid__isnull=False) | Q(validated_iid__isnull=False),
                name="officialresult_has_a_figure",
            ),
            models.CheckConstraint(
                condition=Q(claimed_iid__isnull=True) | Q(claimed_iid__gte=0, claimed_iid__lte=100),
                name="officialresult_claimed_within_0_100",
            ),
            models.CheckConstraint(
                condition=Q(validated_iid__isnull=True) | Q(validated_iid__gte=0, validated_iid__lte=100),
                name="officialresult_validated_within_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}"

    @property
    def iid(self):
        """The figure that stands for the year: the validated one where published, else the claimed one."""
        return self.validated_iid if self.validated_iid is not None else self.claimed_iid


class EntryScore(models.Model):
    """An entry's kematangan as the engine computed it at the entry's `inputs_version`: what the dashboard reads.

    Written only by `reports.scores`, which recomputes an entry whose version (or its cycle's edition) moved
    on before reading it, so the dashboard's figures stay those of `scoring.collect.cycle_index`. The status,
    stage and urusan that decide whether the entry counts are read from the entry itself, never stored here.
    """

    innovation = models.OneToOneField(
        "registry.Innovation",
        verbose_name=_("innovation"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="stored_score",
    )
    inputs_version = models.PositiveIntegerField(_("computed at version"))
    edition = models.ForeignKey(
        "scoring.Edition", verbose_name=_("catalogue edition"), on_delete=models.CASCADE, related_name="+"
    )
    claimed = models.DecimalField(_("claimed kematangan"), max_digits=16, decimal_places=6)
    verified = models.DecimalField(_("verified kematangan"), max_digits=16, decimal_places=6)
    # The rows whose completion raises the claimed kematangan most, best first (the engine's order):
    # [[row id, chosen level or None, current score], ...], at most `reports.scores.GAIN_ROWS_KEPT`.
    gain_rows = models.JSONField(_("rows to complete"), default=list)
    # The first of them: how much it adds, and the rank of its row id, for the dashboard to pick the entries
    # whose rows can be among the region's best gains without reading every entry's list.
    best_gain = models.DecimalField(max_digits=16, decimal_places=6, null=True)
    best_gain_row = models.PositiveSmallIntegerField(null=True)
    computed_at = models.DateTimeField(_("computed"), auto_now=True)

    class Meta:
        verbose_name = _("stored entry score")
        verbose_name_plural = _("stored entry scores")

    def __str__(self) -> str:
        return f"{self.innovation_id}: {self.claimed} / {self.verified}"


class EntryVariableScore(models.Model):
    """An entry's row scores summed over one SID variable of its edition, claimed and verified (`EntryScore`)."""

    innovation = models.ForeignKey(
        "registry.Innovation", verbose_name=_("innovation"), on_delete=models.CASCADE, related_name="+"
    )
    variable = models.CharField(_("variable"), max_length=200)
    claimed = models.DecimalField(_("claimed"), max_digits=16, decimal_places=6)
    verified = models.DecimalField(_("verified"), max_digits=16, decimal_places=6)

    class Meta:
        verbose_name = _("stored variable score")
        verbose_name_plural = _("stored variable scores")
        constraints = [
            models.UniqueConstraint(fields=["innovation", "variable"], name="entry_variable_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.innovation_id} {self.variable}"
