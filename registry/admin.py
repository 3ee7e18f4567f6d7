from django.contrib import admin

from registry.models import Cycle, Innovation


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
class InnovationAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "cycle", "created_at"]
    list_filter = ["cycle__year", "agency__kind"]
    list_select_related = ["agency", "cycle"]
    search_fields = ["name", "agency__name", "agency__code"]
    raw_id_fields = ["agency", "cycle", "created_by"]
