"""The audit trail held by the database.

- An entry with review events cannot be deleted (`on_delete=PROTECT`), and its status is one of the workflow's.
- Triggers refuse every UPDATE and DELETE of a review event, whoever sends it (the ORM, the admin, raw SQL).

Wiping a whole installation still works. On PostgreSQL `flush` and `restore` empty tables with TRUNCATE or
drop them, which row triggers do not see. SQLite has no TRUNCATE: Django's `flush` deletes row by row, so the
delete trigger stands aside while `registry_flush_in_progress` holds a row. Only registry's `flush` command
writes one, inside the transaction that empties every table, and removes it before committing; no other
connection ever sees it (SQLite lets one writer at a time). Updates are refused always.

The statements are written out here (not imported) so this migration keeps meaning what it meant when it
ran. On SQLite, a later migration that rebuilds `registry_reviewevent` (most field changes do) drops its
triggers with the old table and must create them again; tests/registry/test_audit_trail.py fails if not.
"""

from django.db import migrations, models
import django.db.models.deletion

REFUSED = "review_event_append_only: a review event is never changed or deleted"

SQLITE_FORWARD = [
    "CREATE TABLE IF NOT EXISTS registry_flush_in_progress (started TEXT NOT NULL)",
    f"""
    CREATE TRIGGER IF NOT EXISTS registry_reviewevent_no_update BEFORE UPDATE ON registry_reviewevent
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS registry_reviewevent_no_delete BEFORE DELETE ON registry_reviewevent
    WHEN NOT EXISTS (SELECT 1 FROM registry_flush_in_progress)
    BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_reviewevent_no_update",
    "DROP TRIGGER IF EXISTS registry_reviewevent_no_delete",
    "DROP TABLE IF EXISTS registry_flush_in_progress",
]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION registry_reviewevent_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{REFUSED}' USING ERRCODE = 'restrict_violation';
    END;
    $$ LANGUAGE plpgsql
    """,
    "DROP TRIGGER IF EXISTS registry_reviewevent_append_only ON registry_reviewevent",
    """
    CREATE TRIGGER registry_reviewevent_append_only BEFORE UPDATE OR DELETE ON registry_reviewevent
    FOR EACH ROW EXECUTE FUNCTION registry_reviewevent_refuse_change()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS registry_reviewevent_append_only ON registry_reviewevent",
    "DROP FUNCTION IF EXISTS registry_reviewevent_refuse_change()",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No audit trail triggers for {schema_editor.connection.vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    for statement in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0006_innovation_queue_order"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reviewevent",
            name="innovation",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="events",
                to="registry.innovation",
                verbose_name="innovation",
            ),
        ),
        migrations.AddConstraint(
            model_name="innovation",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "status__in",
                        ["draft", "submitted", "in_review", "revision_requested", "resubmitted", "approved", "rejected"],
                    )
                ),
                name="innovation_status_valid",
            ),
        ),
        migrations.RunPython(forward, reverse),
    ]
