import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region


class CycleClosed(Exception):
    """An action was attempted outside the window the cycle allows for it."""


class CycleQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser and user.region_id is None:
            return self.all()
        return self.filter(region_id=user.region_id)

    def current_for(self, region, today: datetime.date | None = None):
        """The cycle whose windows include today, else the latest one."""
        today = today or timezone.localdate()
        cycles = (
            self.filter(region=region)
            .select_related("edition")
            .defer("edition__source_text")
            .order_by("-year")
        )
        running = cycles.filter(submission_opens__lte=today, review_closes__gte=today).first()
        return running or cycles.first()


class Cycle(models.Model):
    """A region's measurement year: its catalogue edition and its submission and review windows."""

    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="cycles"
    )
    year = models.PositiveSmallIntegerField(_("measurement year"))
    edition = models.ForeignKey(
        "scoring.Edition",
        verbose_name=_("catalogue edition"),
        on_delete=models.PROTECT,
        related_name="cycles",
    )
    submission_opens = models.DateField(_("submissions open"))
    submission_closes = models.DateField(_("submissions close"))
    review_opens = models.DateField(_("review opens"))
    review_closes = models.DateField(_("review closes"))

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("cycle")
        verbose_name_plural = _("cycles")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="cycle_one_per_region_year"),
            models.CheckConstraint(
                condition=Q(submission_opens__lte=F("submission_closes")),
                name="cycle_submission_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(review_opens__lte=F("review_closes")), name="cycle_review_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(
                    review_opens__gte=F("submission_opens"), review_closes__gte=F("submission_closes")
                ),
                name="cycle_review_follows_submission",
            ),
        ]

    def __str__(self) -> str:
        return _("Cycle %(year)s") % {"year": self.year}

    def submission_is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.submission_opens <= today <= self.submission_closes

    def review_is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_opens <= today <= self.review_closes

    def ensure_submission_open(self, today: datetime.date | None = None) -> None:
        today = today or timezone.localdate()
        if today < self.submission_opens:
            raise CycleClosed(
                _("Submissions for %(year)s open on %(date)s.")
                % {"year": self.year, "date": _format_date(self.submission_opens)}
            )
        if today > self.submission_closes:
            raise CycleClosed(
                _("Submissions for %(year)s closed on %(date)s.")
                % {"year": self.year, "date": _format_date(self.submission_closes)}
            )

    def ensure_review_open(self, today: datetime.date | None = None) -> None:
        today = today or timezone.localdate()
        if today < self.review_opens:
            raise CycleClosed(
                _("Review for %(year)s opens on %(date)s.")
                % {"year": self.year, "date": _format_date(self.review_opens)}
            )
        if today > self.review_closes:
            raise CycleClosed(
                _("Review for %(year)s closed on %(date)s.")
                % {"year": self.year, "date": _format_date(self.review_closes)}
            )


def _format_date(value: datetime.date) -> str:
    from django.utils.formats import date_format

    return date_format(value, "j F Y")


class InnovationQuerySet(models.QuerySet):
    def visible_to(self, user):
        agencies = Agency.objects.visible_to(user)
        return self.filter(agency__in=agencies)


class Innovation(models.Model):
    """An agency's innovation entered for one cycle: one agency, one innovation per year."""

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="innovations"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="innovations"
    )
    name = models.CharField(_("innovation name"), max_length=255)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = InnovationQuerySet.as_manager()

    class Meta:
        verbose_name = _("innovation")
        verbose_name_plural = _("innovations")
        ordering = ["-cycle__year", "agency__name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "cycle"], name="innovation_one_per_agency_cycle")
        ]

    def __str__(self) -> str:
        return self.name


def compliance_by_kind(cycle: Cycle) -> list[dict]:
    """Per agency kind: how many active agencies the region has and how many entered an innovation."""
    rows = (
        Agency.objects.filter(region_id=cycle.region_id, is_active=True)
        .values("kind")
        .annotate(
            total=models.Count("pk", distinct=True),
            with_entry=models.Count("innovations", filter=Q(innovations__cycle=cycle), distinct=True),
        )
        .order_by("kind")
    )
    return [
        {
            "kind": Agency.Kind(row["kind"]).label,
            "total": row["total"],
            "with_entry": row["with_entry"],
            "missing": row["total"] - row["with_entry"],
        }
        for row in rows
    ]
