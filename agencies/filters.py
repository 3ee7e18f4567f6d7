import django_filters
from django.db.models import Q
from django.forms.utils import pretty_name
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, AgencyKind, Role, User


class StrictFilterSet(django_filters.FilterSet):
    """An invalid filter value shows its error and an empty list, never the unfiltered list."""

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs


class StableOrderingFilter(django_filters.OrderingFilter):
    """A sort menu whose labels follow the reader's language, and whose chosen order keeps a unique
    tie-breaker so that pages never repeat or skip a row.

    django-filter builds its "(descending)" labels once, at import, in whatever language is active
    then (and has no Indonesian catalogue); these stay lazy until the menu is shown.
    """

    descending_fmt = _("{} (descending)")

    def __init__(self, *args, tie_breaker=("pk",), **kwargs):
        self.tie_breaker = tuple(tie_breaker)
        super().__init__(*args, **kwargs)

    def build_choices(self, fields, labels):
        choices = []
        for field, param in fields.items():
            label = labels.get(field, pretty_name(param))
            descending = labels.get(f"-{param}", format_lazy(self.descending_fmt, label))
            choices += [(param, label), (f"-{param}", descending)]
        return choices

    def filter(self, qs, value):
        if value in django_filters.constants.EMPTY_VALUES:
            return qs
        chosen = [
            self.get_ordering_value(param)
            for param in value
            if param not in django_filters.constants.EMPTY_VALUES
        ]
        return qs.order_by(*chosen, *self.tie_breaker)


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
