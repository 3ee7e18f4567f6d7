"""The compliance board's filter: the page, the downloads and the `export_index` command share it."""

from functools import cached_property

import django_filters
from django.db.models import Case, Count, F, FilteredRelation, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from agencies.filters import StableOrderingFilter, StrictFilterSet
from agencies.models import Agency, AgencyKind
from registry.models import Cycle, Innovation

# An agency without an entry for the cycle; every other state is an Innovation.Status value.
NO_ENTRY = "none"
STATE_CHOICES = [(NO_ENTRY, _("No entry")), *Innovation.Status.choices]
# The board lists the top kinds first, each followed by the kinds under it.
KIND_ORDER = [AgencyKind.PERANGKAT_DAERAH, AgencyKind.UPTD, AgencyKind.KECAMATAN, AgencyKind.KELURAHAN]


class ComplianceFilter(StrictFilterSet):
    tahun = django_filters.ChoiceFilter(
        label=_("Year"), choices=[], method="for_year", empty_label=_("Current cycle")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Agency kind"), choices=AgencyKind.choices, empty_label=_("All kinds")
    )
    kecamatan = django_filters.ModelChoiceFilter(
        label=_("Kecamatan"),
        queryset=Agency.objects.none(),
        method="in_kecamatan",
        empty_label=_("All kecamatan"),
    )
    state = django_filters.ChoiceFilter(
        label=_("State"), choices=STATE_CHOICES, method="in_state", empty_label=_("All states")
    )
    q = django_filters.CharFilter(label=_("Search"), method="search")
    ordering = StableOrderingFilter(
        # An agency has a row per entry: its entries keep their order too.
        tie_breaker=("name", "pk", "entry_pk"),
        label=_("Sort by"),
        empty_label=_("Default order"),
        fields=(
            ("name", "agency"),
            ("kind_rank", "kind"),
            ("state_rank", "state"),
            ("sort_innovation", "innovation"),
        ),
        field_labels={
            "name": _("agency"),
            "kind_rank": _("agency kind"),
            "state_rank": _("state"),
            "sort_innovation": _("innovation name"),
        },
    )

    class Meta:
        model = Agency
        fields = ["tahun", "kind", "kecamatan", "state", "q"]

    def __init__(self, data=None, *, region, **kwargs):
        self.region = region
        queryset = Agency.objects.filter(region=region, is_active=True).select_related("parent")
        # Always bound: the entries are joined in `filter_queryset`, which django-filter skips when unbound.
        super().__init__(data if data is not None else {}, queryset=queryset, **kwargs)
        self.filters["kecamatan"].queryset = Agency.objects.filter(
            region=region, kind=AgencyKind.KECAMATAN
        ).order_by("name")
        self.filters["tahun"].extra["choices"] = [
            (str(year), str(year))
            for year in Cycle.objects.filter(region=region).order_by("-year").values_list("year", flat=True)
        ]

    @cached_property
    def cycle(self) -> Cycle | None:
        """The chosen year's cycle, else the region's current one; None while the filter is invalid."""
        if not self.is_valid():
            return None
        year = self.form.cleaned_data.get("tahun")
        if year:
            return (
                Cycle.objects.select_related("edition", "region")
                .defer("edition__source_text")
                .get(region=self.region, year=int(year))
            )
        return Cycle.objects.current_for(self.region)

    def filter_queryset(self, queryset):
        if self.cycle is None:
            return queryset.none()
        return super().filter_queryset(with_entry(queryset, self.cycle))

    @property
    def cleaned(self) -> dict:
        """The filters in force as JSON-ready values (the export log keeps them to reproduce a file)."""
        values = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()):
                continue
            values[name] = (
                value.pk if isinstance(value, Agency) else list(value) if name == "ordering" else value
            )
        if self.cycle is not None:
            values["tahun"] = str(self.cycle.year)
        return values

    @property
    def shown(self) -> list[tuple[str, str]]:
        """(label, value) of each filter in force, as a person reads them (the files' summary)."""
        shown = []
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], ()) or name in ("tahun", "ordering"):
                continue
            field = self.form.fields[name]
            text = str(dict(field.choices).get(value, value)) if hasattr(field, "choices") else str(value)
            if isinstance(value, Agency):
                text = value.name
            shown.append((str(field.label), text))
        return shown

    def for_year(self, queryset, name, value):
        # The year chooses the cycle the entries are joined from (`filter_queryset`), not rows.
        return queryset

    def in_kecamatan(self, queryset, name, value):
        return queryset.filter(Q(pk=value.pk) | Q(parent=value))

    def in_state(self, queryset, name, value):
        if value == NO_ENTRY:
            return queryset.filter(entry_pk__isnull=True)
        return queryset.filter(entry_status=value)

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(code__iexact=value) | Q(entry_name__icontains=value)
        )


def with_entry(agencies, cycle):
    """Agencies with their entries for the cycle as `entry_*` columns: one row per entry, one row for an agency
    without any. Each row also carries the agency's totals: `agency_entries` and `agency_counting` (submitted,
    not rejected: what makes the agency complied)."""
    kind_rank = Case(*[When(kind=kind, then=Value(position)) for position, kind in enumerate(KIND_ORDER)])
    # Sorting by state follows the workflow, "no entry" first; NULLs would sort differently per database.
    state_rank = Case(
        *[
            When(entry__status=status, then=Value(position))
            for position, status in enumerate(Innovation.Status, 1)
        ],
        default=Value(0),
    )
    return (
        agencies.annotate(entry=FilteredRelation("innovations", condition=Q(innovations__cycle=cycle)))
        .annotate(
            entry_pk=F("entry__pk"),
            entry_name=F("entry__name"),
            entry_status=F("entry__status"),
            entry_stage=F("entry__stage"),
            entry_urusan=F("entry__urusan"),
            kind_rank=kind_rank,
            state_rank=state_rank,
            sort_innovation=Coalesce("entry__name", Value("")),
            agency_entries=_count_per_agency(Innovation.objects.filter(cycle=cycle)),
            agency_counting=_count_per_agency(
                Innovation.objects.filter(cycle=cycle).counting_for_compliance()
            ),
        )
        .order_by("kind_rank", F("parent__name").asc(nulls_first=True), "name", "pk", "entry_pk")
    )


def _count_per_agency(entries):
    # A subquery per listed row: the page's query count stays the same whatever its rows.
    return Coalesce(
        Subquery(
            entries.filter(agency=OuterRef("pk"))
            .order_by()
            .values("agency")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        0,
    )


def filters_in_words(filters: dict, agency_names: dict[int, str] | None = None) -> list[tuple[str, str]]:
    """The filters an export log row keeps (`ComplianceFilter.cleaned`) as a person reads them, (label, value)
    in the board's order: "Year: 2024", "Kecamatan: Kecamatan Bacukiki". `agency_names` maps the kecamatan
    ids to their names; a filter this version no longer knows is shown as it was stored."""
    declared = ComplianceFilter.base_filters
    order = list(declared)
    words = []
    for name in sorted(filters, key=lambda key: order.index(key) if key in declared else len(order)):
        value = filters[name]
        if name not in declared:
            words.append((name, str(value)))
            continue
        declared_filter = declared[name]
        if name == "kecamatan":
            text = (agency_names or {}).get(_as_pk(value), str(value))
        elif name == "ordering":
            labels = dict(declared_filter.extra["choices"])
            values = value if isinstance(value, list | tuple) else [value]
            text = ", ".join(str(labels.get(item, item)) for item in values)
        else:
            text = str(dict(declared_filter.extra.get("choices") or ()).get(value, value))
        words.append((str(declared_filter.label), text))
    return words


def kecamatan_ids(filters: dict) -> set[int]:
    """The kecamatan an export log row was filtered by, for `filters_in_words`."""
    pk = _as_pk(filters.get("kecamatan"))
    return {pk} if pk is not None else set()


def _as_pk(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
