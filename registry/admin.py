from django.contrib import admin

from registry.models import Cycle, Innovation, ReviewEvent


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = [
        "year",
        "region",
        "edition",
        "submission_opens",
        "submission_closes",
        "review_opens",
        "review_closes",
    ]
    list_filter = ["region", "year"]
    list_select_related = ["region", "edition"]


@admin.register(Innovation)
    def get_readonly_fields(self, request, obj=None):
        # Changing the edition moves the cycle's answers, under rules the cycle page applies
        # (Cycle.switch_edition); here it would leave them pointing at the old edition's rows.
        return ["edition"] if obj is not None else []

class InnovationAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "cycle", "created_at"]
    list_filter = ["cycle__year", "agency__kind"]
    list_select_related = ["agency", "cycle"]
    search_fields = ["name", "agency__name", "agency__code"]
    raw_id_fields = ["agency", "cycle", "created_by"]


@admin.register(ReviewEvent)
class ReviewEventAdmin(admin.ModelAdmin):
    """The review history is append-only: readable here, never edited or deleted."""

    list_display = ["innovation", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    list_select_related = ["innovation", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
