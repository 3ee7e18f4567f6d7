import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, Role, User


class StrictFilterSet(django_filters.FilterSet):
    """An invalid filter value shows its error and an empty list, never the unfiltered list."""

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


class AgencyFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=AgencyKind.choices, empty_label=_("All kinds")
    )
    parent = django_filters.ModelChoiceFilter(
        label=_("Parent agency"), queryset=Agency.objects.none(), empty_label=_("All parents")
    )
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = Agency
        fields = ["q", "kind", "parent", "is_active"]

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["parent"].queryset = Agency.objects.filter(
            region=region, kind__in=[AgencyKind.PERANGKAT_DAERAH, AgencyKind.KECAMATAN]
        ).order_by("kind", "name")

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class PersonFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All roles"))
    is_active = django_filters.BooleanFilter(label=_("Active"))

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(full_name__icontains=value) | Q(email__icontains=value) | Q(agencies__name__icontains=value)
        ).distinct()
