from django import forms
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import ngettext

from registry.models import Cycle, Innovation, ReviewEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    """A log shown in the admin and never written there: its rows record what happened."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CycleAdminForm(forms.ModelForm):
    class Meta:
        model = Cycle
        fields = ["region", *Cycle.SETTINGS]

    def clean(self):
        cleaned = super().clean()
        ceiling = cleaned.get("entries_per_agency")
        edition = cleaned.get("edition") or getattr(self.instance, "edition", None)
        if ceiling and edition:
            problem = self.instance.entries_per_agency_problem(ceiling, edition)
            if problem:
                self.add_error("entries_per_agency", problem)
        return cleaned


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    form = CycleAdminForm
    list_display = ["region", *Cycle.SETTINGS]
    list_filter = ["region", "year"]
    list_select_related = ["region", "edition"]

    def get_readonly_fields(self, request, obj=None):
        # Changing the edition moves the cycle's answers, under rules the cycle page applies
        # (Cycle.switch_edition); here it would leave them pointing at the old edition's rows.
        return ["edition"] if obj is not None else []


@admin.register(Innovation)
class InnovationAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "cycle", "status", "slot", "created_at"]
    list_filter = ["cycle__year", "agency__kind"]
    list_select_related = ["agency", "cycle"]
    search_fields = ["name", "agency__name", "agency__code"]
    raw_id_fields = ["agency", "cycle", "created_by"]

    def get_deleted_objects(self, objs, request):
        """Name the review history as what keeps an entry, instead of listing its events one by one.

        The events are protected (on_delete=PROTECT, and database triggers refuse to delete them), so an
        entry that has been through the workflow stays; a draft goes with its answers, evidence and files.
        """
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        with_history = (
            Innovation.objects.filter(pk__in=[obj.pk for obj in objs])
            .annotate(event_count=Count("events"))
            .filter(event_count__gt=0)
            .order_by("name")
        )
        if with_history:
            # Listed as what protects the entry, not as a missing permission (no one may delete events).
            perms_needed = perms_needed - {ReviewEvent._meta.verbose_name}
            protected = [
                ngettext(
                    "%(entry)s: its review history (%(count)s event) is the audit trail and is never deleted.",
                    "%(entry)s: its review history (%(count)s events) is the audit trail and is never deleted.",
                    entry.event_count,
                )
                % {"entry": entry, "count": entry.event_count}
                for entry in with_history
            ]
        return deleted, counts, perms_needed, protected


@admin.register(ReviewEvent)
class ReviewEventAdmin(ReadOnlyAdmin):
    """The review history is append-only: readable here, never edited or deleted."""

    list_display = ["innovation", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["innovation", "actor"]
