"""An agency's head and contact (issue 14): submission reminders reach an agency without any account.

On SQLite, adding a NOT NULL column rebuilds agencies_agency, and the rebuilt table has lost the hierarchy
triggers of 0002; they are created again from 0002's own statements (which never change) after the columns
are added (and again after they are removed, when unapplied). PostgreSQL adds the columns in place and keeps its trigger.
"""

import importlib

from django.db import migrations, models


def restore_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    hierarchy = importlib.import_module("agencies.migrations.0002_hierarchy_triggers")
    for statement in [*hierarchy.SQLITE_REVERSE, *hierarchy.SQLITE_FORWARD]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0003_passwordresetrequest"),
    ]

    operations = [
        # Unapplied, the columns go after this step's reverse: it restores the triggers of the rebuilt table.
        migrations.RunPython(migrations.RunPython.noop, restore_sqlite_triggers),
        migrations.AddField(
            model_name="agency",
            name="head_name",
            field=models.CharField(
                blank=True, help_text="The kepala instansi.", max_length=200, verbose_name="head of agency"
            ),
        ),
        migrations.AddField(
            model_name="agency",
            name="contact_email",
            field=models.EmailField(
                blank=True,
                help_text="Submission reminders go here while the agency has no active innovator.",
                max_length=254,
                verbose_name="contact e-mail",
            ),
        ),
        migrations.AddField(
            model_name="agency",
            name="contact_phone",
            field=models.CharField(blank=True, max_length=30, verbose_name="contact phone"),
        ),
        migrations.RunPython(restore_sqlite_triggers, migrations.RunPython.noop),
    ]
