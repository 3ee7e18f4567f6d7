from django.contrib import admin

from scoring.models import Edition


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["year", "version", "title", "checksum", "loaded_at"]
    readonly_fields = ["year", "version", "title", "title_en", "source_text", "checksum", "loaded_at"]

    def has_change_permission(self, request, obj=None):
        # A loaded edition is history: a corrected file is loaded as a new version.
        return False
