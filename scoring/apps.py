from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        # Like contenttypes and permissions, the shipped catalogue editions are rows every installation
        # needs before anyone can open a cycle, so they follow `migrate` (and a test flush) everywhere.
        post_migrate.connect(load_shipped_editions_after_migrate, sender=self)


def load_shipped_editions_after_migrate(*, using, verbosity=1, **kwargs):
    # scoring.editions imports the models, which cannot load while the app registry builds (this module).
    from scoring.editions import load_shipped_editions, scoring_schema_is_current

    if not scoring_schema_is_current(using):
        return
    for edition, created in load_shipped_editions(using=using):
        if created and verbosity >= 1:
            print(f"  Katalog dimuat: {edition}")
