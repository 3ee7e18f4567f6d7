"""Django's `flush`, able to empty review events on SQLite (their delete trigger refuses otherwise).

Overrides django.core's command of the same name (an app's command wins), so the test runner's flush between
transactional tests and `manage.py flush` both go through it. On PostgreSQL nothing changes: flush truncates,
which row triggers do not see. See registry/migrations/0007_audit_trail.py.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

FLAG_TABLE = "registry_flush_in_progress"


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database", DEFAULT_DB_ALIAS)]
        if connection.vendor != "sqlite" or FLAG_TABLE not in connection.introspection.table_names():
            return super().handle(**options)
        # One transaction: the flag row exists only while every table is emptied, and only this
        # connection ever sees it (SQLite admits one writer at a time).
        with transaction.atomic(using=connection.alias):
            with connection.cursor() as cursor:
                cursor.execute(f"INSERT INTO {FLAG_TABLE} (started) VALUES (CURRENT_TIMESTAMP)")
            result = super().handle(**options)
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {FLAG_TABLE}")
        return result
