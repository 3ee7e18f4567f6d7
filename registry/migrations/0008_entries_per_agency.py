"""Several innovations per agency and cycle, up to the cycle's `entries_per_agency` (issue 14).

Each entry that is not rejected holds a place (`slot`, 1 .. the ceiling) among its agency's entries for the
cycle; a unique constraint on (agency, cycle, slot) holds the ceiling when requests arrive together. The old
constraint allowed one entry per agency and cycle, so every entry not rejected takes place 1.

Only registry_innovation and registry_cycle change: the review events' triggers (0007) stay as they are.
"""

import django.core.validators
from django.db import migrations, models


def give_places(apps, schema_editor):
    Innovation = apps.get_model("registry", "Innovation")
    Innovation.objects.exclude(status="rejected").update(slot=1)
    Innovation.objects.filter(status="rejected").update(slot=None)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_audit_trail"),
    ]

    operations = [
        migrations.AddField(
            model_name="cycle",
            name="entries_per_agency",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="How many innovations each agency may enter for this year. A rejected innovation does not take a place.",
                validators=[django.core.validators.MinValueValidator(1)],
                verbose_name="innovations per agency at most",
            ),
        ),
        migrations.AddConstraint(
            model_name="cycle",
            constraint=models.CheckConstraint(
                condition=models.Q(("entries_per_agency__gte", 1)), name="cycle_entries_per_agency_at_least_1"
            ),
        ),
        migrations.AddField(
            model_name="innovation",
            name="slot",
            field=models.PositiveSmallIntegerField(
                editable=False, null=True, verbose_name="place among the agency's entries"
            ),
        ),
        migrations.RunPython(give_places, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="innovation",
            name="innovation_one_per_agency_cycle",
        ),
        migrations.AddConstraint(
            model_name="innovation",
            constraint=models.UniqueConstraint(
                condition=models.Q(("slot__isnull", False)),
                fields=("agency", "cycle", "slot"),
                name="innovation_one_per_agency_cycle_slot",
            ),
        ),
        migrations.AddConstraint(
            model_name="innovation",
            constraint=models.CheckConstraint(
                condition=models.Q(("slot__isnull", True), ("slot__gte", 1), _connector="OR"),
                name="innovation_slot_at_least_1",
            ),
        ),
    ]
