import datetime
import math
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.core.validators import MinValueValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Region
from registry.evidence_checks import stored_name
from scoring.catalogue import CatalogueError
from scoring.models import Indicator


class CycleClosed(Exception):
    """An action was attempted outside the window the cycle allows for it."""


class EditionChangeRefused(Exception):
    """A cycle's catalogue edition may not become the one asked for (the message says why)."""


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
        running = Q(submission_opens__lte=today, review_closes__gte=today)
        return (
            self.filter(region=region)
            .select_related("edition")
            .defer("edition__source_text")
            .annotate(
                running=models.Case(
                    models.When(running, then=models.Value(True)),
                    default=models.Value(False),
                    output_field=models.BooleanField(),
                )
            )
            .order_by("-running", "-year")
            .first()
        )


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
    # The region's own rule: how many innovations one agency may enter for the year (issue 14).
    entries_per_agency = models.PositiveSmallIntegerField(
        _("innovations per agency at most"),
        default=1,
        validators=[MinValueValidator(1)],
        help_text=_(
            "How many innovations each agency may enter for this year. A rejected innovation does not take a place."
        ),
    )

    objects = CycleQuerySet.as_manager()

    # What Bappeda sets for a cycle (its page and the admin): the year, the catalogue, the windows, the ceiling.
    SETTINGS = (
        "year",
        "edition",
        "submission_opens",
        "submission_closes",
        "review_opens",
        "review_closes",
        "entries_per_agency",
    )

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
            models.CheckConstraint(
                condition=Q(entries_per_agency__gte=1), name="cycle_entries_per_agency_at_least_1"
            ),
        ]

    def __str__(self) -> str:
        return _("Cycle %(year)s") % {"year": self.year}

    def holds_answers(self) -> bool:
        """Whether anything points at the rows of the cycle's edition: an entry, or an SPD answer."""
        return self.innovations.exists() or Answer.objects.filter(spd_profile__cycle=self).exists()

    def edition_change_problem(self, edition) -> str | None:
        """Why the cycle's edition cannot become `edition`, or None when it can.

        Answers point at the rows of the edition (and verdicts and scores follow from them), so once the
        cycle has an entry or an SPD answer the edition may only become a revision that scores exactly
        alike: same indicator ids, weights and options. Those answers then move with it (`switch_edition`).
        """
        if edition.pk == self.edition_id or not self.holds_answers():
            return None
        difference = self.edition.revision_difference(edition)
        if difference is None:
            return None
        return _(
            "The catalogue edition cannot be changed: this cycle already has entries or SPD answers, and "
            "%(edition)s differs from the current edition in %(difference)s. Only a revision with the same "
            "indicators, options and numbers may replace it."
        ) % {"edition": edition, "difference": difference}

    def switch_edition(self, edition) -> None:
        """Make `edition` the cycle's edition and move its answers to the matching rows, in one transaction.

        Rows match by indicator code (an answer's option is its group and level, which a revision keeps).
        Raises EditionChangeRefused when `edition_change_problem` has a reason, checked again under a lock
        on the cycle row.
        """
        with transaction.atomic():
            current = Cycle.objects.select_for_update().select_related("edition").get(pk=self.pk)
            problem = current.edition_change_problem(edition)
            if problem:
                raise EditionChangeRefused(problem)
            new_rows = dict(edition.indicators.values_list("code", "pk"))
            moves = {
                old_pk: new_rows[code]
                for code, old_pk in current.edition.indicators.values_list("code", "pk")
                if code in new_rows
            }
            answers = Answer.objects.filter(Q(innovation__cycle=current) | Q(spd_profile__cycle=current))
            if moves:
                answers.filter(indicator_id__in=moves).update(
                    indicator_id=models.Case(
                        *(
                            models.When(indicator_id=old, then=models.Value(new))
                            for old, new in moves.items()
                        ),
                        output_field=models.BigIntegerField(),
                    )
                )
            Cycle.objects.filter(pk=self.pk).update(edition=edition)
        self.edition = edition

    def count_cap(self) -> int:
        """How many innovations the national index counts at most (the edition's cap in min(n, cap))."""
        return self.edition.parsed().parameters.count_cap

    def busiest_agency(self) -> tuple[Agency, int] | None:
        """The agency holding the most places (entries not rejected) in this cycle, and how many it holds."""
        row = (
            Innovation.objects.filter(cycle=self, slot__isnull=False)
            .order_by()
            .values("agency")
            .annotate(places=models.Count("pk"))
            .order_by("-places", "agency")
            .first()
        )
        if row is None:
            return None
        return Agency.objects.get(pk=row["agency"]), row["places"]

    def entries_per_agency_problem(self, ceiling: int, edition) -> str | None:
        """Why the cycle cannot allow `ceiling` innovations per agency under `edition`, or None when it can.

        Not above the edition's cap on counted innovations (more would never count), and not below what an
        agency already holds in this cycle (its entries would be over the limit).
        """
        try:
            cap = edition.parsed().parameters.count_cap
        except CatalogueError:  # an edition that does not load has no cap to hold the limit to
            cap = None
        if cap is not None and ceiling > cap:
            return _(
                "At most %(cap)s: the national index counts up to %(cap)s innovations of a region, so more "
                "per agency would never count."
            ) % {"cap": cap}
        busiest = self.busiest_agency() if self.pk else None
        if busiest and busiest[1] > ceiling:
            agency, places = busiest
            return _(
                "At least %(places)s: %(agency)s already has %(places)s innovations in this cycle that are not "
                "rejected. Lower the limit only after a reviewer rejects some of them."
            ) % {"agency": agency.name, "places": places}
        return None

    def compliance_by_kind(self) -> list[dict]:
        """Per agency kind: how many active agencies the region has and how many have complied this cycle (at
        least one entry submitted and not rejected)."""
        rows = (
            Agency.objects.filter(region_id=self.region_id, is_active=True)
            .values("kind")
            .annotate(
                total=models.Count("pk", distinct=True),
                # Complied: at least one entry submitted and not rejected; drafts and rejected entries do not
                # count. Agencies are counted, not entries: an agency with several entries complies once.
                with_entry=models.Count(
                    "pk",
                    filter=Q(innovations__cycle=self) & ~Q(innovations__status__in=NOT_COMPLYING),
                    distinct=True,
                ),
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

    def ceiling_shortfall(self, active_agencies: int, cap: int) -> "CeilingShortfall | None":
        """Whether the ceiling keeps the region below the innovations the index counts (None when it does not)."""
        return ceiling_shortfall(self.entries_per_agency, active_agencies, cap)

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


@dataclass(frozen=True)
class CeilingShortfall:
    """With `ceiling` innovations per agency and `agencies` active agencies, at most `reachable` can count,
    below the index's `cap`; a ceiling of `enough` would reach it."""

    ceiling: int
    agencies: int
    reachable: int
    cap: int
    enough: int


def ceiling_shortfall(ceiling: int, agencies: int, cap: int) -> CeilingShortfall | None:
    """The shortfall of a ceiling of entries per agency against the index's cap on counted innovations.

    None when the region's agencies may enter at least `cap` innovations between them, or it has no
    active agency (there is nothing a ceiling could change then).
    """
    reachable = ceiling * agencies
    if agencies <= 0 or reachable >= cap:
        return None
    return CeilingShortfall(ceiling, agencies, reachable, cap, enough=math.ceil(cap / agencies))


def _format_date(value: datetime.date) -> str:
    return date_format(value, "j F Y")


class InnovationQuerySet(models.QuerySet):
    def visible_to(self, user):
        agencies = Agency.objects.visible_to(user)
        return self.filter(agency__in=agencies)

    def approved(self):
        return self.filter(status=Innovation.Status.APPROVED)

    def counting_for_compliance(self):
        """Entries that make their agency complied: submitted and not rejected (drafts do not count either)."""
        return self.exclude(status__in=NOT_COMPLYING)

    def queue_columns(self):
        """What the review queue shows of each entry, with its rows that have an option and evidence.

        Meant for one page of entries at a time: the count is a subquery per entry, and an EXISTS
        rather than a join (joined, PostgreSQL hashes the whole evidence table).
        """
        filled_rows = (
            Answer.objects.filled()
            .filter(innovation=models.OuterRef("pk"))
            .order_by()
            .values("innovation")
            .annotate(rows=models.Count("pk"))
            .values("rows")
        )
        return self.values(
            "pk",
            "name",
            "status",
            "submitted_at",
            "agency__name",
            "agency__parent__name",
            "assigned_reviewer__full_name",
            filled=Coalesce(models.Subquery(filled_rows), 0),
        )

    @staticmethod
    def _complete_entry_ids(indicator_ids):
        # One pass over the answers to the given rows, grouped per entry. A per-entry EXISTS for each row
        # is quick on SQLite but PostgreSQL runs each as a scan of the whole evidence table (0.4 s, and
        # 1.3 s negated, at 10,000 entries; 0.1 s this way).
        rows = set(indicator_ids)
        return (
            Answer.objects.filled()
            .filter(indicator_id__in=rows, innovation__isnull=False)
            .order_by()
            .values("innovation")
            .annotate(rows=models.Count("pk"))
            .filter(rows=len(rows))
            .values("innovation")
        )

    def complete_by_rule(self, indicator_ids):
        """Entries whose every given row has an option and at least one evidence item, read from the answers.

        The definition `mandatory_complete` keeps: `refresh_mandatory_complete` writes what this reads.
        """
        if not indicator_ids:  # nothing is mandatory: every entry is complete
            return self.all()
        return self.filter(pk__in=self._complete_entry_ids(indicator_ids))

    def with_mandatory_evidence(self, indicator_ids):
        """Entries whose every mandatory row (`indicator_ids`, of the entries' edition) has an option and at
        least one evidence item: the kept `mandatory_complete`, an indexed column, not a pass over the answers
        (1 s at 10,000 entries on PostgreSQL)."""
        if not indicator_ids:  # nothing is mandatory: every entry is complete
            return self.all()
        return self.filter(mandatory_complete=True)

    def without_mandatory_evidence(self, indicator_ids):
        if not indicator_ids:
            return self.none()
        return self.filter(mandatory_complete=False)

    def refresh_mandatory_complete(self) -> None:
        """Write `mandatory_complete` of these entries from their answers and evidence (`complete_by_rule`).

        Called in the transaction of every write that can change it (an answer's option, evidence added or
        removed, answers copied or created in bulk); one UPDATE per catalogue edition among the entries.
        """
        editions = self.order_by().values_list("cycle__edition_id", flat=True).distinct()
        for edition_id in list(editions):
            mandatory = list(
                Indicator.objects.filter(edition_id=edition_id, part="SID", mandatory=True).values_list(
                    "pk", flat=True
                )
            )
            entries = Innovation.objects.filter(pk__in=self.filter(cycle__edition_id=edition_id).values("pk"))
            if not mandatory:
                entries.update(mandatory_complete=True)
                continue
            filled = (
                Answer.objects.filled()
                .filter(innovation=models.OuterRef("pk"), indicator_id__in=mandatory)
                .order_by()
                .values("innovation")
                .annotate(rows=models.Count("pk"))
                .values("rows")
            )
            entries.update(
                mandatory_complete=models.lookups.Exact(Coalesce(models.Subquery(filled), 0), len(mandatory))
            )

    def showcased(self):
        """Approved innovations for the public showcase, newest approval first, with how many agencies replicated each."""
        approved_at = (
            ReviewEvent.objects.filter(innovation=models.OuterRef("pk"), to_status=Innovation.Status.APPROVED)
            .order_by("-created_at")
            .values("created_at")[:1]
        )
        replicated_by = (
            Innovation.objects.filter(replicated_from=models.OuterRef("pk"))
            .order_by()
            .values("replicated_from")
            .annotate(agencies=models.Count("agency", distinct=True))
            .values("agencies")
        )
        return (
            self.approved()
            .select_related("agency__region", "cycle")
            .annotate(
                approved_at=models.Subquery(approved_at),
                replicated_by=Coalesce(models.Subquery(replicated_by), 0),
            )
            # Entries approved before events were recorded have no date; they come last, newest year first.
            .order_by(F("approved_at").desc(nulls_last=True), "-cycle__year", "-pk")
        )

    def replicable_for(self, user):
        """Approved innovations of every region but the person's own agencies', to learn from and replicate.

        Not only the person's region: the national index rewards an innovation that other regions
        replicate (SID-31), and the public showcase offers every region's approved innovations.
        """
        if not user.is_authenticated or user.region_id is None:
            return self.none()
        own = Agency.objects.visible_to(user) if user.is_innovator else Agency.objects.none()
        return self.approved().exclude(agency__in=own)

    def with_replication_counts(self):
        """How many entries replicate each innovation, and how many of them are other regions' (SID-31).

        Subqueries per listed row rather than a grouped join: grouped, counting a page's list
        sorted every approved innovation with all its columns.
        """
        replications = Innovation.objects.filter(replicated_from=models.OuterRef("pk")).order_by()
        elsewhere = replications.exclude(agency__region=models.OuterRef("agency__region"))
        return self.annotate(
            replication_count=_count_of(replications),
            other_region_replications=_count_of(elsewhere),
        )


def _count_of(rows: models.QuerySet):
    return Coalesce(
        models.Subquery(rows.values("replicated_from").annotate(count=models.Count("pk")).values("count")), 0
    )


class Innovation(models.Model):
    """An agency's innovation entered for one cycle: as many per agency as the cycle's `entries_per_agency`."""

    class Stage(models.TextChoices):
        INISIATIF = "inisiatif", _("Initiative")
        UJI_COBA = "uji_coba", _("Trial")
        PENERAPAN = "penerapan", _("Implementation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        IN_REVIEW = "in_review", _("In review")
        REVISION_REQUESTED = "revision_requested", _("Revision requested")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="innovations"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("agency"), on_delete=models.PROTECT, related_name="innovations"
    )
    name = models.CharField(_("innovation name"), max_length=255)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.PENERAPAN)
    # Written only by the workflow's transition functions.
    status = models.CharField(
        _("status"), max_length=30, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    # Profile fields of the catalogue (profile_fields); their choices come from the cycle's edition.
    initiator = models.CharField(_("initiator"), max_length=100, blank=True)
    initiator_name = models.CharField(_("initiator's name"), max_length=200, blank=True)
    digital_kind = models.CharField(_("digital or not"), max_length=50, blank=True)
    form_kind = models.CharField(_("form of innovation"), max_length=150, blank=True)
    thematic = models.CharField(_("theme"), max_length=150, blank=True)
    urusan = models.CharField(_("main government affair (urusan)"), max_length=150, blank=True)
    related_urusan = models.JSONField(_("related government affairs"), default=list, blank=True)
    trial_date = models.DateField(_("trial date"), null=True, blank=True)
    implementation_date = models.DateField(_("implementation date"), null=True, blank=True)
    has_development = models.BooleanField(_("shows development since"), default=False)
    development_note = models.TextField(_("development since implementation"), blank=True)
    design = models.TextField(_("design (rancang bangun)"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    benefits = models.TextField(_("benefits"), blank=True)
    results = models.TextField(_("results"), blank=True)
    budget_file = models.FileField(_("budget document"), upload_to="profile/%Y/", blank=True, max_length=255)
    business_profile_file = models.FileField(
        _("business profile"), upload_to="profile/%Y/", blank=True, max_length=255
    )
    replicated_from = models.ForeignKey(
        "self",
        verbose_name=_("replication of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replications",
    )
    carried_over_from = models.ForeignKey(
        "self",
        verbose_name=_("carried over from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_over_to",
    )
    assigned_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned reviewer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_entries",
    )
    # The entry's place among the agency's entries for the cycle (1 .. the cycle's entries_per_agency); None
    # once rejected, which frees the place. Written only by registry.entries.start_entry and workflow.reject;
    # the unique constraint below is what holds the ceiling when requests arrive together.
    slot = models.PositiveSmallIntegerField(_("place among the agency's entries"), null=True, editable=False)
    # Kept by the writes to the entry's answers and evidence, in their transaction (`entry_inputs_changed`):
    # every mandatory SID row has an option and evidence (`InnovationQuerySet.complete_by_rule`). Indexed: the
    # review queue's completeness filter reads it.
    mandatory_complete = models.BooleanField(
        _("mandatory evidence complete"), default=False, db_index=True, editable=False
    )
    # Raised with every write to what the index reads of the entry (answers, verdicts, evidence, status): the
    # stored kematangan of an older version is recomputed before it is read (reports.scores).
    inputs_version = models.PositiveIntegerField(_("scoring inputs version"), default=1, editable=False)
    # Optimistic lock: every save of the profile raises it, so a stale tab is told instead of overwriting.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True, editable=False)
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
            models.UniqueConstraint(
                fields=["agency", "cycle", "slot"],
                condition=Q(slot__isnull=False),
                name="innovation_one_per_agency_cycle_slot",
            ),
            models.CheckConstraint(
                condition=Q(slot__isnull=True) | Q(slot__gte=1), name="innovation_slot_at_least_1"
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "draft",
                        "submitted",
                        "in_review",
                        "revision_requested",
                        "resubmitted",
                        "approved",
                        "rejected",
                    ]
                ),
                name="innovation_status_valid",
            ),
        ]
        # The review queue's default order, so a page of it is read from the index, not sorted.
        indexes = [
            models.Index(fields=["cycle", "-submitted_at", "id"], name="innovation_queue_order"),
            # An agency's entries of a cycle (the board's per-row counts, starting an entry): without it the
            # planner walks the cycle's whole queue index for each agency (20 s for a 5,000-row export on SQLite).
            models.Index(fields=["agency", "cycle"], name="innovation_agency_cycle"),
        ]

    def __str__(self) -> str:
        return self.name


# The statuses of an entry that does not make its agency complied.
NOT_COMPLYING = (Innovation.Status.DRAFT, Innovation.Status.REJECTED)


def entry_inputs_changed(innovation_id: int | None) -> None:
    """Raise the entry's `inputs_version`: what the index stored of it is stale (reports.scores recomputes it).

    Every write to what the index reads of an entry (an answer's option, a verdict, evidence added or removed,
    the status) calls it in its own transaction, before writing the answer or evidence: the entry's row is
    then locked first, in the order the workflow's moves lock (entry, then its answers). None (an SPD row,
    which the index reads afresh every time) does nothing.
    """
    if innovation_id is not None:
        Innovation.objects.filter(pk=innovation_id).update(inputs_version=F("inputs_version") + 1)


class SpdProfile(models.Model):
    """The region's own SPD rows for a cycle, filled by Bappeda: one per cycle."""

    cycle = models.OneToOneField(
        Cycle, verbose_name=_("cycle"), on_delete=models.PROTECT, related_name="spd_profile"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("SPD profile")
        verbose_name_plural = _("SPD profiles")

    def __str__(self) -> str:
        return _("SPD profile %(year)s") % {"year": self.cycle.year}


def _filled():
    """A row is complete (filled): an option chosen and at least one evidence item."""
    return Q(level__isnull=False) & models.Exists(Evidence.objects.filter(answer=models.OuterRef("pk")))


class AnswerQuerySet(models.QuerySet):
    def filled(self):
        """Rows with an option chosen and at least one evidence item (what completeness counts)."""
        return self.filter(_filled())

    def with_evidence_counts(self):
        """Each row with `items` (its evidence items), `rejected_items` (those judged Tidak Sesuai) and
        `is_filled`, the rule of `filled` read beside them: what the overview pages show and count."""
        return self.annotate(
            items=models.Count("evidence"),
            rejected_items=models.Count("evidence", filter=Q(evidence__review=Evidence.Review.REJECTED)),
            is_filled=models.ExpressionWrapper(_filled(), output_field=models.BooleanField()),
        )

    def unjudged(self):
        """Filled rows without a reviewer's verdict: they count 0 in the verified score (D2) until judged.

        A row with an option but no evidence is not among them: it scores 0 whatever the verdict (D1),
        so there is nothing for a reviewer to decide.
        """
        return self.filled().filter(verdict="")


class Answer(models.Model):
    """The filler's chosen option for one indicator row, and the reviewer's verdict on it.

    An answer belongs either to an innovation (SID rows) or to the region's SPD profile (SPD
    rows). `level` is None while no option is chosen. The reviewer's verdict follows METHOD.md
    section 4: Sesuai keeps the chosen level, Tidak Sesuai sets the level the evidence supports.
    """

    class Verdict(models.TextChoices):
        NONE = "", _("Not reviewed yet")
        SESUAI = "sesuai", _("Sesuai")
        TIDAK_SESUAI = "tidak_sesuai", _("Tidak Sesuai")

    innovation = models.ForeignKey(
        Innovation,
        verbose_name=_("innovation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
    )
    spd_profile = models.ForeignKey(
        SpdProfile,
        verbose_name=_("SPD profile"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="answers",
    )
    indicator = models.ForeignKey(
        "scoring.Indicator", verbose_name=_("indicator"), on_delete=models.PROTECT, related_name="answers"
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    option_group = models.CharField(_("option group"), max_length=30, blank=True)
    level = models.PositiveSmallIntegerField(_("chosen level"), null=True, blank=True)
    verdict = models.CharField(
        _("verdict"), max_length=20, choices=Verdict.choices, blank=True, default="", editable=False
    )
    verified_level = models.PositiveSmallIntegerField(
        _("level supported by the evidence"), default=0, editable=False
    )
    verdict_note = models.TextField(_("reviewer's note"), blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AnswerQuerySet.as_manager()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.CheckConstraint(
                condition=Q(innovation__isnull=False, spd_profile__isnull=True)
                | Q(innovation__isnull=True, spd_profile__isnull=False),
                name="answer_belongs_to_one_owner",
            ),
            models.UniqueConstraint(
                fields=["innovation", "indicator"],
                condition=Q(innovation__isnull=False),
                name="answer_one_per_innovation_row",
            ),
            models.UniqueConstraint(
                fields=["spd_profile", "indicator"],
                condition=Q(spd_profile__isnull=False),
                name="answer_one_per_spd_row",
            ),
            models.CheckConstraint(
                condition=Q(level__lte=3) | Q(level__isnull=True), name="answer_level_0_to_3"
            ),
            models.CheckConstraint(
                condition=Q(verdict__in=["", "sesuai", "tidak_sesuai"]), name="answer_verdict_valid"
            ),
            models.CheckConstraint(
                condition=~Q(verdict="tidak_sesuai") | Q(verified_level__lte=F("level")),
                name="answer_verified_level_not_above_chosen",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.level}"


def evidence_upload_to(evidence, filename: str) -> str:
    # Private storage: the path is never served directly, only through a permission-checking view. The name
    # is made safe here too, for files saved by code (a carried-over item keeps its display name).
    return f"evidence/{evidence.answer_id}/{stored_name(filename)}"


class EvidenceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Evidence of the entries a person may see; SPD evidence for Bappeda staff of the region."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        visible = Q(answer__innovation__agency__in=Agency.objects.visible_to(user))
        if user.is_bappeda:
            visible |= Q(answer__spd_profile__cycle__region_id=user.region_id)
        return self.filter(visible)

    def public(self):
        """Evidence anyone may see: marked public by a reviewer, of an approved entry, a file or a web link."""
        web_link = Q(kind=Evidence.Kind.LINK) & (
            Q(url__istartswith="https://") | Q(url__istartswith="http://")
        )
        return self.filter(
            Q(kind=Evidence.Kind.FILE) | web_link,
            is_public=True,
            answer__innovation__status=Innovation.Status.APPROVED,
        )


class Evidence(models.Model):
    """One item of data dukung for an answer: a stored file or a link, with its document metadata."""

    class Kind(models.TextChoices):
        FILE = "file", _("File")
        LINK = "link", _("Link")

    class Review(models.TextChoices):
        """The reviewer's verdict on this one item; the row's verdict rolls these up (workflow.record_verdict)."""

        PENDING = "pending", _("Not checked yet")
        ACCEPTED = "accepted", _("Sesuai")
        REJECTED = "rejected", _("Tidak Sesuai")

    answer = models.ForeignKey(
        Answer, verbose_name=_("answer"), on_delete=models.CASCADE, related_name="evidence"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, blank=True, max_length=255)
    url = models.URLField(_("link"), blank=True, max_length=500)
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    document_number = models.CharField(_("document number"), max_length=150, blank=True)
    document_date = models.DateField(_("document date"), null=True, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    needs_recheck = models.BooleanField(_("needs re-checking"), default=False)
    # Set by a reviewer: the showcase shows an approved entry's item only when this is on.
    is_public = models.BooleanField(_("shown in the public showcase"), default=False, editable=False)
    review = models.CharField(
        _("verdict"), max_length=10, choices=Review.choices, default=Review.PENDING, editable=False
    )
    review_note = models.TextField(_("reviewer's note"), blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("added"), auto_now_add=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["answer", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="file", url="") & ~Q(file="") | Q(kind="link", file="") & ~Q(url=""),
                name="evidence_is_a_file_or_a_link",
            ),
            models.CheckConstraint(
                condition=Q(review__in=["pending", "accepted", "rejected"]), name="evidence_review_valid"
            ),
            models.CheckConstraint(
                condition=~Q(review="rejected") | ~Q(review_note=""), name="evidence_rejection_has_note"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name or self.url


class ReviewEvent(models.Model):
    """An append-only record of a workflow step: who moved an entry from which status to which, and why.

    The database holds it so: triggers (migration registry/0007) refuse every UPDATE and DELETE.
    """

    # PROTECT: an entry with a history is never deleted, so its history never goes with it.
    innovation = models.ForeignKey(
        Innovation, verbose_name=_("innovation"), on_delete=models.PROTECT, related_name="events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    from_status = models.CharField(_("from"), max_length=30, choices=Innovation.Status.choices)
    to_status = models.CharField(_("to"), max_length=30, choices=Innovation.Status.choices)
    note = models.TextField(_("note"), blank=True)
    # The entry's answers and evidence when a reviewer sent it back, to show what changed on resubmission.
    snapshot = models.JSONField(_("answers at this step"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["innovation", "created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.innovation_id}: {self.from_status} → {self.to_status}"

    @property
    def rows_counted_as_zero(self) -> list[str]:
        """The filled rows an approval counted 0 without a verdict, by the reviewer's explicit choice (else [])."""
        if self.to_status != Innovation.Status.APPROVED or not self.snapshot.get("unjudged_count_as_zero"):
            return []
        return list(self.snapshot.get("unjudged_rows") or [])


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """An in-app message to one person about an entry's status change (also sent by e-mail)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    event = models.ForeignKey(
        ReviewEvent,
        verbose_name=_("event"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
    )
    innovation = models.ForeignKey(
        Innovation,
        verbose_name=_("innovation"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.message[:60]


def _unread_key(user_id: int) -> str:
    return f"unread-notifications:{user_id}"


def unread_count(user_id: int) -> int:
    """The person's unread notifications, for the navigation bar on every page.

    Kept in the cache for REGISTRI_UNREAD_CACHE_SECONDS when the cache is shared by every process (Redis), and
    cleared by `unread_changed`; else counted each time, since a process's own memory would not hear of a
    notification another process created or marked read.
    """
    seconds = settings.REGISTRI_UNREAD_CACHE_SECONDS
    if not seconds:
        return Notification.objects.filter(recipient_id=user_id).unread().count()
    key = _unread_key(user_id)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user_id).unread().count()
        cache.set(key, count, seconds)
    return count


def unread_changed(user_ids) -> None:
    """Notifications of these people were created or read: their cached counts go once the change commits (a
    count read meanwhile, before the commit, would otherwise stay)."""
    if settings.REGISTRI_UNREAD_CACHE_SECONDS:
        keys = [_unread_key(pk) for pk in set(user_ids)]
        transaction.on_commit(partial(cache.delete_many, keys), robust=True)


class ReminderDelivery(models.Model):
    """One submission reminder sent to one address on one day: the log that keeps it to one a day.

    The row is written before the reminder leaves (its unique address and day claim the send), so two runs of
    the same day, even at the same moment, send one reminder; `emailed_at` says the mail itself went out.
    """

    address = models.EmailField(_("address"), help_text=_("Lower case."))
    sent_on = models.DateField(_("day"))
    created_at = models.DateTimeField(_("reminded"), default=timezone.now)
    cycle = models.ForeignKey(
        Cycle, verbose_name=_("cycle"), on_delete=models.CASCADE, related_name="reminder_deliveries"
    )
    # The person reminded in the app as well; empty for an agency's contact address without an account.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("agencies"), related_name="reminder_deliveries", blank=True
    )
    message = models.TextField(_("message"))
    emailed_at = models.DateTimeField(_("e-mailed"), null=True, blank=True)

    class Meta:
        verbose_name = _("reminder delivery")
        verbose_name_plural = _("reminder deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["address", "sent_on"], name="reminder_once_a_day_per_address"),
            models.CheckConstraint(condition=Q(address=Lower("address")), name="reminder_address_lower_case"),
        ]

    def __str__(self) -> str:
        return f"{self.address} {self.sent_on}"
