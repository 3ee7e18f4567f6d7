"""Database triggers for the agency hierarchy.

A check constraint cannot look at another row, so the parent's kind and region are checked
by a trigger: a UPTD belongs to a perangkat daerah, a kelurahan to a kecamatan, both in the
child's region, and a parent cannot change kind or region under its children. With the top
kinds forbidden a parent (constraint agency_parent_matches_kind), no cycle can form either.

The rule is written out here rather than imported from models.py so that this migration keeps
meaning what it meant when it ran; tests/agencies/test_hierarchy.py checks that the database
and Agency.PARENT_KIND agree.
"""

from django.db import migrations

EXPECTED_PARENT_KIND = (
    "CASE {kind} WHEN 'uptd' THEN 'perangkat_daerah' WHEN 'kelurahan' THEN 'kecamatan' END"
)

SQLITE_FORWARD = [
    f"""
    CREATE TRIGGER agencies_agency_parent_insert BEFORE INSERT ON agencies_agency
    WHEN NEW.parent_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agencies_agency AS parent
        WHERE parent.id = NEW.parent_id AND parent.region_id = NEW.region_id
          AND parent.kind = {EXPECTED_PARENT_KIND.format(kind="NEW.kind")}
    )
    BEGIN SELECT RAISE(ABORT, 'agency_parent_kind: the parent agency has the wrong kind or region'); END
    """,
    f"""
    CREATE TRIGGER agencies_agency_parent_update BEFORE UPDATE OF parent_id, kind, region_id ON agencies_agency
    WHEN NEW.parent_id IS NOT NULL AND NOT EXISTS (
        SELECT 1 FROM agencies_agency AS parent
        WHERE parent.id = NEW.parent_id AND parent.region_id = NEW.region_id
          AND parent.kind = {EXPECTED_PARENT_KIND.format(kind="NEW.kind")}
    )
    BEGIN SELECT RAISE(ABORT, 'agency_parent_kind: the parent agency has the wrong kind or region'); END
    """,
    f"""
    CREATE TRIGGER agencies_agency_children_update BEFORE UPDATE OF kind, region_id ON agencies_agency
    WHEN EXISTS (
        SELECT 1 FROM agencies_agency AS child
        WHERE child.parent_id = NEW.id
          AND (child.region_id <> NEW.region_id
               OR {EXPECTED_PARENT_KIND.format(kind="child.kind")} IS NOT NEW.kind)
    )
    BEGIN SELECT RAISE(ABORT, 'agency_parent_kind: the agency has children that need its current kind'); END
    """,
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS agencies_agency_parent_insert",
    "DROP TRIGGER IF EXISTS agencies_agency_parent_update",
    "DROP TRIGGER IF EXISTS agencies_agency_children_update",
]

POSTGRES_FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION agencies_agency_check_hierarchy() RETURNS trigger AS $$
    BEGIN
        IF NEW.parent_id IS NOT NULL THEN
            -- FOR SHARE waits for a concurrent change of the parent's kind and then sees it.
            PERFORM 1 FROM agencies_agency AS parent
            WHERE parent.id = NEW.parent_id AND parent.region_id = NEW.region_id
              AND parent.kind = {EXPECTED_PARENT_KIND.format(kind="NEW.kind")}
            FOR SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'agency_parent_kind: the parent agency has the wrong kind or region'
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        IF TG_OP = 'UPDATE' AND (NEW.kind <> OLD.kind OR NEW.region_id <> OLD.region_id) THEN
            PERFORM 1 FROM agencies_agency AS child
            WHERE child.parent_id = NEW.id
              AND (child.region_id <> NEW.region_id
                   OR {EXPECTED_PARENT_KIND.format(kind="child.kind")} IS DISTINCT FROM NEW.kind);
            IF FOUND THEN
                RAISE EXCEPTION 'agency_parent_kind: the agency has children that need its current kind'
                    USING ERRCODE = 'check_violation';
            END IF;
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER agencies_agency_hierarchy BEFORE INSERT OR UPDATE ON agencies_agency
    FOR EACH ROW EXECUTE FUNCTION agencies_agency_check_hierarchy()
    """,
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS agencies_agency_hierarchy ON agencies_agency",
    "DROP FUNCTION IF EXISTS agencies_agency_check_hierarchy()",
]


def forward(apps, schema_editor):
    statements = {"sqlite": SQLITE_FORWARD, "postgresql": POSTGRES_FORWARD}.get(schema_editor.connection.vendor)
    if statements is None:
        raise NotImplementedError(f"No hierarchy triggers for {schema_editor.connection.vendor}.")
    for statement in statements:
        schema_editor.execute(statement)


def reverse(apps, schema_editor):
    for statement in {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}[schema_editor.connection.vendor]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("agencies", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
