"""`manage.py backup --output DIR`: the database and every stored file, with a manifest of checksums."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from registry.backups import BackupError, create_backup


class Command(BaseCommand):
    help = (
        "Write a consistent copy of the database (pg_dump or the SQLite backup API), every uploaded file "
        "and a manifest with checksums into a new or empty folder."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output", type=Path, required=True, help="A folder that does not exist or is empty."
        )

    def handle(self, *args, output: Path, **options):
        try:
            manifest = create_backup(output=output)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Cadangan selesai di {output.resolve()}: basis data "
                f"({filesizeformat(manifest.database.size)}, {manifest.total_rows} baris), "
                f"{len(manifest.files)} berkas ({filesizeformat(manifest.files_size)})."
            )
        )
