import yaml
from django.db import migrations, models


def fill_title_en(apps, schema_editor):
    """Editions loaded before the field existed: the English subject from their own stored file."""
    Edition = apps.get_model("scoring", "Edition")
    for edition in Edition.objects.using(schema_editor.connection.alias).filter(title_en=""):
        try:
            meta = (yaml.safe_load(edition.source_text) or {}).get("meta") or {}
        except yaml.YAMLError:
            continue
        subject_en = meta.get("subject_en") if isinstance(meta, dict) else None
        if isinstance(subject_en, str) and subject_en.strip():
            edition.title_en = f"IID {edition.year}: {subject_en.strip()}"[:255]
            edition.save(update_fields=["title_en"])


class Migration(migrations.Migration):
    dependencies = [
        ("scoring", "0004_indicator_evidence_description_en"),
    ]

    operations = [
        migrations.AddField(
            model_name="edition",
            name="title_en",
            field=models.CharField(
                blank=True, editable=False, max_length=255, verbose_name="title in English"
            ),
        ),
        migrations.RunPython(fill_title_en, migrations.RunPython.noop),
    ]
