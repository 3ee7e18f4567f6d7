import functools

from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from scoring import catalogue


def _active_language_is_english() -> bool:
    return (translation.get_language() or "").split("-")[0] == "en"


class EditionQuerySet(models.QuerySet):
    def latest_for_year(self, year: int):
        return self.filter(year=year).order_by("-version").first()

    def national(self):
        """Shipped editions and those loaded from the command line or by a superuser without a region."""
        return self.filter(region__isnull=True)

    def for_region(self, region_id):
        """What a region may use and see: the national editions and its own uploads."""
        return self.filter(Q(region__isnull=True) | Q(region_id=region_id))

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser and user.region_id is None:
            return self.all()
        return self.for_region(user.region_id)


class Edition(models.Model):
    """One version of a year's indicator catalogue, loaded from its YAML file.

    The file's text is kept verbatim so that a computed index can always be traced to the
    exact catalogue it used, and its indicators and options are rows that answers point to.
    A corrected file becomes a new version; a version in use by a cycle is never changed.

    An edition without a region is national (shipped with the application, or loaded by the operator);
    one uploaded by a region's administrator belongs to that region and only its people see it.
    """

    region = models.ForeignKey(
        "agencies.Region",
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="editions",
        help_text=_("Empty for a national edition, which every region sees."),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
    # The file's English subject (`meta.subject_en`), shown in the English interface where the file gives one.
    title_en = models.CharField(_("title in English"), max_length=255, blank=True, editable=False)
    source_text = models.TextField(_("catalogue file"))
    checksum = models.CharField(_("SHA-256"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded"), auto_now_add=True)

    objects = EditionQuerySet.as_manager()

    class Meta:
        verbose_name = _("catalogue edition")
        verbose_name_plural = _("catalogue editions")
        ordering = ["-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["year", "version"], name="edition_year_version_unique"),
            # The same file is one national edition, and at most one edition of each region: two regions
            # uploading the same corrected file each get their own (neither sees the other's).
            models.UniqueConstraint(
                fields=["year", "checksum"],
                condition=Q(region__isnull=True),
                name="edition_year_checksum_unique_national",
            ),
            models.UniqueConstraint(
                fields=["year", "checksum", "region"],
                condition=Q(region__isnull=False),
                name="edition_year_checksum_unique_in_region",
            ),
        ]

    def __str__(self) -> str:
        return _("IID %(year)s catalogue, version %(version)s") % {"year": self.year, "version": self.version}

    @property
    def display_title(self) -> str:
        """The title in the active language: the catalogue's own (Indonesian) unless English is active and given."""
        if self.title_en and _active_language_is_english():
            return self.title_en
        return self.title

    @property
    def is_in_use(self) -> bool:
        return self.cycles.exists()

    def parsed(self) -> catalogue.Edition:
        """The edition as the pure engine reads it (parsed once per process and file)."""
        return _parse_source(self.checksum, self.source_text)

    def revision_difference(self, other: "Edition") -> str | None:
        """None when `other` scores exactly like this edition, else what differs first (for a message).

        A revision may correct names, labels and guidance; it keeps the year, the indicator ids, each
        row's weight and options (group, level, score), the profile choices and every parameter of the
        index, so answers given under one mean the same under the other.
        """
        if other.pk == self.pk:
            return None
        if other.year != self.year:
            return _("the year")
        mine, theirs = _scoring_rows(self), _scoring_rows(other)
        if list(mine) != list(theirs):
            return _("the list of indicators")
        for code, row in mine.items():
            if theirs[code] != row:
                return _("indicator %(code)s (its weight or its options)") % {"code": code}
        try:
            same_parameters = _scoring_parameters(self) == _scoring_parameters(other)
        except catalogue.CatalogueError:
            same_parameters = False
        if not same_parameters:
            return _("the scoring parameters or the profile choices")
        return None


def _scoring_rows(edition: Edition) -> dict[str, tuple]:
    """Per indicator code, in catalogue order, everything of a row that an answer or a score depends on."""
    rows = {}
    for indicator in edition.indicators.order_by("position").prefetch_related("options"):
        options = sorted((option.group, option.level, option.score) for option in indicator.options.all())
        rows[indicator.code] = (
            indicator.part,
            indicator.number,
            indicator.sub,
            indicator.bobot,
            indicator.mandatory,
            tuple(options),
        )
    return rows


def _scoring_parameters(edition: Edition) -> tuple:
    parsed = edition.parsed()
    parameters = parsed.parameters
    return (
        parameters.levels,
        parameters.divisor_floor,
        parameters.count_cap,
        parameters.per_innovation_factor,
        parameters.spd_max,
        parameters.sid_per_innovation_max,
        parameters.jumlah_inovasi_max,
        parameters.total_max,
        tuple((band.min, band.max) for band in parameters.predicates),
        (parameters.spread_rule.urusan, parameters.spread_rule.threshold),
        tuple((field.name, field.values) for field in parsed.profile_fields),
    )


@functools.lru_cache(maxsize=16)
def _parse_source(checksum: str, source_text: str) -> catalogue.Edition:
    return catalogue.load_edition(source_text)


class Indicator(models.Model):
    """One scoring row of an edition (an indicator, or an SPD sub-row a/b)."""

    class Part(models.TextChoices):
        SPD = "SPD", _("Regional government (SPD)")
        SID = "SID", _("Innovation (SID)")

    edition = models.ForeignKey(
        Edition, verbose_name=_("edition"), on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField(_("code"), max_length=20)
    part = models.CharField(_("part"), max_length=3, choices=Part.choices)
    number = models.PositiveSmallIntegerField(_("number"))
    sub = models.CharField(_("sub-row"), max_length=2, blank=True)
    form_no = models.PositiveSmallIntegerField(_("number on the form"), null=True, blank=True)
    variable = models.CharField(_("variable"), max_length=100)
    name = models.CharField(_("name"), max_length=255)
    bobot = models.DecimalField(_("weight"), max_digits=6, decimal_places=2)
    mandatory = models.BooleanField(_("mandatory"), default=False)
    evidence_kinds = models.JSONField(_("evidence kinds"), default=list)
    evidence_description = models.TextField(_("evidence needed"), blank=True)
    evidence_description_en = models.TextField(
        _("evidence needed (English)"),
        blank=True,
        help_text=_("The English wording of the evidence guidance, where the catalogue file gives one."),
    )
    confidence = models.CharField(_("confidence"), max_length=20)
    strength = models.CharField(_("strength"), max_length=20, blank=True)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["edition", "position"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="indicator_code_unique_in_edition"),
            models.CheckConstraint(condition=Q(part__in=["SPD", "SID"]), name="indicator_part_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_inferred(self) -> bool:
        return self.confidence != "confirmed"

    @property
    def evidence_guidance(self) -> str:
        """The evidence guidance in the active language.

        `evidence_description` is the catalogue's own text (Indonesian from revision 2 of 2024); the English
        wording is shown only in the English interface and only where the file gives one.
        """
        if self.evidence_description_en and _active_language_is_english():
            return self.evidence_description_en
        return self.evidence_description


class IndicatorOption(models.Model):
    """An answer a filler can choose for an indicator, in an option group where the indicator has them."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="options"
    )
    group = models.CharField(_("option group"), max_length=30, blank=True)
    level = models.PositiveSmallIntegerField(_("level"))
    score = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    label = models.CharField(_("label"), max_length=255)
    position = models.PositiveSmallIntegerField(_("position"))

    class Meta:
        verbose_name = _("indicator option")
        verbose_name_plural = _("indicator options")
        ordering = ["indicator", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "group", "level"], name="option_level_unique_in_group"
            ),
            models.CheckConstraint(condition=Q(level__lte=3), name="option_level_at_most_3"),
        ]

    def __str__(self) -> str:
        return self.label
