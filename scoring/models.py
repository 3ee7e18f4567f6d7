from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionQuerySet(models.QuerySet):
    def latest_for_year(self, year: int):
        return self.filter(year=year).order_by("-version").first()


class Edition(models.Model):
    """One version of a year's indicator catalogue, loaded from its YAML file.

    The file's text is kept verbatim so that a computed index can always be traced to the
    exact catalogue it used. A corrected file becomes a new version; a version in use by a
    cycle is never changed.
    """

    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    title = models.CharField(_("title"), max_length=255)
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
            models.UniqueConstraint(fields=["year", "checksum"], name="edition_year_checksum_unique"),
        ]

    def __str__(self) -> str:
        return _("IID %(year)s catalogue, version %(version)s") % {"year": self.year, "version": self.version}
