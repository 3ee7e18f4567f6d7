"""Issue 17: what the review queue's completeness filter and the index dashboard read of an entry, kept on it.

- `mandatory_complete` (indexed): every mandatory SID row of the entry's edition has an option and at least one
  evidence item. Backfilled here from the answers, with the rule written out (not imported) so that this
  migration keeps meaning what it meant when it ran.
- `inputs_version`: raised by every write to what the index reads of the entry; reports.EntryScore records the
  version its kematangan was computed at.
"""

from django.db import migrations, models
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact


def backfill(apps, schema_editor):
    Innovation = apps.get_model("registry", "Innovation")
    Answer = apps.get_model("registry", "Answer")
    Evidence = apps.get_model("registry", "Evidence")
    Indicator = apps.get_model("scoring", "Indicator")
    editions = Innovation.objects.order_by().values_list("cycle__edition_id", flat=True).distinct()
    for edition_id in list(editions):
        mandatory = list(
            Indicator.objects.filter(edition_id=edition_id, part="SID", mandatory=True).values_list("pk", flat=True)
        )
        entries = Innovation.objects.filter(
            pk__in=Innovation.objects.filter(cycle__edition_id=edition_id).values("pk")
        )
        if not mandatory:
            entries.update(mandatory_complete=True)
            continue
        filled = (
            Answer.objects.filter(
                innovation=OuterRef("pk"),
                indicator_id__in=mandatory,
                level__isnull=False,
            )
            .filter(Exists(Evidence.objects.filter(answer=OuterRef("pk"))))
            .order_by()
            .values("innovation")
            .annotate(rows=Count("pk"))
            .values("rows")
        )
        entries.update(mandatory_complete=Exact(Coalesce(Subquery(filled), 0), len(mandatory)))


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0009_reminder_delivery"),
        ("scoring", "0005_edition_title_en"),
    ]

    operations = [
        migrations.AddField(
            model_name="innovation",
            name="inputs_version",
            field=models.PositiveIntegerField(default=1, editable=False, verbose_name="scoring inputs version"),
        ),
        migrations.AddField(
            model_name="innovation",
            name="mandatory_complete",
            field=models.BooleanField(
                db_index=True, default=False, editable=False, verbose_name="mandatory evidence complete"
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
