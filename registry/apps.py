from django.apps import AppConfig
from django.db import models
from django.db.models.signals import post_delete, post_migrate
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = _("Registry")

    def ready(self):
        # Models can be imported only once the app registry is ready, not when this module loads.
        from registry.models import Evidence, Innovation

        # Storage housekeeping, not business flow (STYLE.md keeps signals out of that): a row's files must go
        # however the row goes, and post_delete is the only hook Django runs for rows deleted by a cascade
        # (an answer taking its evidence along, the admin deleting a draft entry).
        for model in (Evidence, Innovation):
            post_delete.connect(
                discard_files_of_deleted_row, sender=model, dispatch_uid=f"discard-files-{model}"
            )
        # Every deployment migrates before its worker starts: the daily reminder run is queued there.
        post_migrate.connect(schedule_reminders, sender=self, dispatch_uid="registry-reminder-schedule")


def schedule_reminders(sender, **kwargs):
    # registry.reminders imports the models, which cannot load while the app registry builds (this module).
    from registry.reminders import schedule_after_migrate

    schedule_after_migrate(sender, **kwargs)


def discard_files_of_deleted_row(sender, instance, **kwargs):
    """Remove the deleted row's stored files once the deletion commits (kept if it rolls back)."""
    # registry.entries imports the models, which cannot load while the app registry builds (this module).
    from registry.entries import discard_file

    for field in instance._meta.concrete_fields:
        if isinstance(field, models.FileField):
            discard_file(getattr(instance, field.name))
