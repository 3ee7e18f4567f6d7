from django.apps import AppConfig
from django.db.models.signals import post_delete
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        # Models can be imported only once the app registry is ready, not when this module loads.
        from registry.apps import discard_files_of_deleted_row
        from reports.models import HandoffPackage

        # Storage housekeeping, as for registry's rows (see RegistryConfig.ready): a package's files go with it.
        post_delete.connect(
            discard_files_of_deleted_row, sender=HandoffPackage, dispatch_uid="discard-files-handoff"
        )
