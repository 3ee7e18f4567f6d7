import django_filters
from django import forms
from django.db.models import Q
from django.forms.utils import pretty_name
from django.urls import reverse_lazy
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

    @property
    def is_filtering(self) -> bool:
        """Whether a value narrows the list (a sort order does not): an empty list then means "nothing matches
        these filters" rather than "nothing yet", and the page offers to clear them."""
        if not self.is_bound:
            return False
        return any(
            self.data.get(name) not in django_filters.constants.EMPTY_VALUES
            for name, declared in self.filters.items()
            if not isinstance(declared, django_filters.OrderingFilter)
        )


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


class ActiveSelect(forms.NullBooleanSelect):
    """Active or not, as a filter: "All" first rather than Django's "Unknown".

    It reads the values Django's own select wrote ("unknown", "true", "false", "2", "3"), so old links keep
    working; "All" is the empty value, which keeps the address short.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("", _("All")), ("true", _("Active")), ("false", _("Inactive"))]

    def format_value(self, value):
        shown = super().format_value(value)
        return "" if shown == "unknown" else shown


def active_filter():
    return django_filters.BooleanFilter(label=_("Status"), widget=ActiveSelect)


class AgencyFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=AgencyKind.choices, empty_label=_("All kinds")
    )
    # Typed, not picked from a menu: a region may hold thousands of agencies, and a <select> of all of them
    # made the page 20 times the cheapest one. The page suggests at most PARENT_SUGGESTIONS as one types.
    parent = django_filters.CharFilter(
        label=_("Parent agency"),
        method="under_parent",
        widget=forms.TextInput(
            attrs={
                "list": "parent-options",
                "autocomplete": "off",
                "placeholder": _("Name or code"),
                # htmx (loaded by the agency list) refreshes the suggestions as one types.
                "hx-get": reverse_lazy("agency_parent_options"),
                "hx-trigger": "input changed delay:250ms",
                "hx-target": "#parent-options",
                "hx-swap": "innerHTML",
            }
        ),
    )
    is_active = active_filter()

    class Meta:
        model = Agency
        fields = ["q", "kind", "parent", "is_active"]

    def __init__(self, *args, region=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))

    def under_parent(self, queryset, name, value):
        """The agencies under a parent named by its code (what a suggestion fills in), part of its name, or its
        number (the links of the former menu)."""
        value = value.strip()
        if value.isdigit():
            return queryset.filter(Q(parent_id=int(value)) | Q(parent__code__iexact=value))
        return queryset.filter(Q(parent__code__iexact=value) | Q(parent__name__icontains=value))


PARENT_SUGGESTIONS = 20


def parent_suggestions(user, typed: str = "") -> list[tuple[str, str]]:
    """(code, name) of at most PARENT_SUGGESTIONS agencies the person sees that can be a parent, matching what
    was typed."""
    parents = Agency.objects.visible_to(user).filter(
        kind__in=[AgencyKind.PERANGKAT_DAERAH, AgencyKind.KECAMATAN]
    )
    typed = typed.strip()
    if typed:
        parents = parents.filter(Q(name__icontains=typed) | Q(code__istartswith=typed))
    return list(parents.order_by("name", "pk").values_list("code", "name")[:PARENT_SUGGESTIONS])


class PersonFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    role = django_filters.ChoiceFilter(label=_("Role"), choices=Role.choices, empty_label=_("All roles"))
    is_active = active_filter()

    class Meta:
        model = User
        fields = ["q", "role", "is_active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(full_name__icontains=value) | Q(email__icontains=value) | Q(agencies__name__icontains=value)
        ).distinct()
