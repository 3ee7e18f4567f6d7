"""Search of the public showcase: every region's approved innovations, by urusan, agency kind, region, year, text."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.filters import StrictFilterSet
from agencies.models import AgencyKind, Region
from registry.entries import urusan_choices
from registry.models import Cycle, Innovation


def _showcased_years() -> list[tuple[str, str]]:
    """Only the years that have something to show."""
    years = (
        Cycle.objects.filter(innovations__status=Innovation.Status.APPROVED)
        .values_list("year", flat=True)
        .distinct()
        .order_by("-year")
    )
    return [(str(year), str(year)) for year in years]


class ShowcaseFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    urusan = django_filters.ChoiceFilter(label=_("Urusan"), choices=[], empty_label=_("All affairs"))
    kind = django_filters.ChoiceFilter(
        label=_("Agency kind"),
        field_name="agency__kind",
        choices=AgencyKind.choices,
        empty_label=_("All kinds"),
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        field_name="agency__region",
        queryset=Region.objects.none(),
        empty_label=_("All regions"),
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), field_name="cycle__year", choices=[], empty_label=_("All years")
    )

    class Meta:
        model = Innovation
        fields = ["q", "urusan", "kind", "region", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["urusan"].extra["choices"] = [
            item for _group, items in urusan_choices() for item in items
        ]
        self.filters["year"].extra["choices"] = _showcased_years()
        self.filters["region"].queryset = (
            Region.objects.filter(agencies__innovations__status=Innovation.Status.APPROVED)
            .distinct()
            .order_by("name")
        )

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(name__icontains=word)
                | Q(agency__name__icontains=word)
                | Q(design__icontains=word)
                | Q(goals__icontains=word)
                | Q(benefits__icontains=word)
                | Q(results__icontains=word)
                | Q(development_note__icontains=word)
            )
        return queryset
