from django.contrib import admin

from reports.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(admin.ModelAdmin):
    """The log is evidence of what left the system: it can be read here, never added, changed or deleted."""

    list_display = [
        "created_at",
        "filename",
        "format",
        "created_by",
        "row_count",
        "claimed_iid",
        "verified_iid",
    ]
    list_filter = ["format", "cycle__year"]
    search_fields = ["filename", "checksum"]
    list_select_related = ["created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
