"""`manage.py restore DIR`: put a backup back on an empty installation (or over one, with --replace)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from registry.backups import BackupError, restore_backup


class Command(BaseCommand):
    help = (
        "Restore a folder written by `backup`: every checksum is verified first, then the database and "
        "the stored files are put back and compared with the manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Restore over an installation that is not empty: its whole database and every stored file "
            "are replaced by the backup's.",
        )

    def handle(self, *args, folder: Path, replace: bool, **options):
        try:
            report = restore_backup(source=folder, replace=replace, announce=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from error
        manifest = report.manifest
        self.stdout.write(
            self.style.SUCCESS(
                f"Dipulihkan dari {folder.resolve()} (dibuat {manifest.created_at}, versi {manifest.app_version}): "
                f"{manifest.total_rows} baris dan {len(manifest.files)} berkas "
                f"({filesizeformat(manifest.files_size)}); migrasi dan jumlah baris sama dengan manifest."
            )
        )
        if report.pending_migrations:
            self.stdout.write(
                f"Kode ini punya {report.pending_migrations} migrasi yang belum ada di cadangan: "
                "jalankan `python manage.py migrate`."
            )
