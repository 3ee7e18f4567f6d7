from django.contrib import admin

from registry.admin import ReadOnlyAdmin
from reports.models import ExportLog


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
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
