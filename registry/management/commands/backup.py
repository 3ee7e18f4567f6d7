"""`manage.py backup --output DIR [--link-dest PREVIOUS]`: the database and every stored file, with a manifest of
checksums; files unchanged since PREVIOUS are hard links to its copies."""

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
        parser.add_argument(
            "--link-dest",
            type=Path,
            default=None,
            help="The previous backup folder (on the same file system): a file whose bytes equal its copy there "
            "becomes a hard link to that copy instead of a new copy. Ignored, with a message, when the folder "
            "holds no complete backup.",
        )

    def handle(self, *args, output: Path, link_dest: Path | None, **options):
        try:
            manifest = create_backup(
                output=output,
                link_dest=link_dest,
                announce=lambda message: self.stdout.write(self.style.WARNING(message)),
            )
        except BackupError as error:
            raise CommandError(str(error)) from error
        linked = manifest.linked_files
        self.stdout.write(
            self.style.SUCCESS(
                f"Cadangan selesai di {output.resolve()}: basis data "
                f"({filesizeformat(manifest.database.size)}, {manifest.total_rows} baris), "
                f"{len(manifest.files)} berkas ({filesizeformat(manifest.files_size)}): "
                f"{len(manifest.files) - linked} disalin, {linked} ditautkan ke cadangan sebelumnya; "
                f"ruang disk baru {filesizeformat(manifest.new_bytes)}."
            )
        )
