import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.filters import StableOrderingFilter, StrictFilterSet
from agencies.models import Agency, AgencyKind, Region, User
from registry.entries import urusan_choices
from registry.models import Innovation


class ReviewQueueFilter(StrictFilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Innovation.Status.choices, empty_label=_("All statuses")
    )
    kind = django_filters.ChoiceFilter(
        label=_("Agency kind"),
        field_name="agency__kind",
        choices=AgencyKind.choices,
        empty_label=_("All kinds"),
    )
    # Plain choice lists, read once per page: the queue's filter form and its assignment menu share them.
    kecamatan = django_filters.ChoiceFilter(
        label=_("Kecamatan"), choices=[], method="in_kecamatan", empty_label=_("All kecamatan")
    )
    urusan = django_filters.ChoiceFilter(label=_("Urusan"), choices=[], empty_label=_("All affairs"))
    completeness = django_filters.ChoiceFilter(
        label=_("Mandatory evidence"),
        choices=[("complete", _("complete")), ("incomplete", _("incomplete"))],
        method="by_completeness",
        empty_label=_("Any"),
    )
    reviewer = django_filters.ChoiceFilter(
        label=_("Assigned reviewer"),
        field_name="assigned_reviewer",
        choices=[],
        null_label=_("Not assigned"),
        empty_label=_("All reviewers"),
    )
    ordering = StableOrderingFilter(
        label=_("Sort by"),
        empty_label=_("Default order"),
        fields=(
            ("submitted_at", "submitted"),
            ("updated_at", "updated"),
            ("name", "name"),
            ("agency__name", "agency"),
        ),
        field_labels={
            "submitted_at": _("submission date"),
            "updated_at": _("last change"),
            "name": _("innovation name"),
            "agency__name": _("agency"),
        },
    )

    class Meta:
        model = Innovation
        fields = ["q", "status", "kind", "kecamatan", "urusan", "completeness", "reviewer"]

    def __init__(self, *args, region, mandatory_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.mandatory_ids = list(mandatory_ids)
        self.filters["kecamatan"].extra["choices"] = list(
            Agency.objects.filter(region=region, kind=AgencyKind.KECAMATAN)
            .order_by("name")
            .values_list("pk", "name")
        )
        self.reviewer_choices = list(
            User.objects.reviewers_of(region).order_by("full_name").values_list("pk", "full_name")
        )
        self.filters["reviewer"].extra["choices"] = self.reviewer_choices
        self.filters["urusan"].extra["choices"] = [
            item for _group, items in urusan_choices() for item in items
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(agency__name__icontains=value) | Q(agency__code__iexact=value)
        )

    def in_kecamatan(self, queryset, name, value):
        return queryset.filter(Q(agency_id=value) | Q(agency__parent_id=value))

    def by_completeness(self, queryset, name, value):
        if value == "complete":
            return queryset.with_mandatory_evidence(self.mandatory_ids)
        return queryset.without_mandatory_evidence(self.mandatory_ids)


class ReplicationFilter(StrictFilterSet):
    """The innovations to replicate: a search, and the region they come from."""

    q = django_filters.CharFilter(label=_("Search"), method="search")
    region = django_filters.ChoiceFilter(
        label=_("Region"), field_name="agency__region", choices=[], empty_label=_("All regions")
    )

    class Meta:
        model = Innovation
        fields = ["q", "region"]

    def __init__(self, *args, offered, **kwargs):
        """`offered`: the innovations on offer, plain (the listed queryset carries counts per row)."""
        super().__init__(*args, **kwargs)
        self.filters["region"].extra["choices"] = list(
            Region.objects.filter(agencies__innovations__in=offered)
            .distinct()
            .order_by("name")
            .values_list("pk", "name")
        )

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(name__icontains=value) | Q(urusan__icontains=value) | Q(agency__name__icontains=value)
        )
