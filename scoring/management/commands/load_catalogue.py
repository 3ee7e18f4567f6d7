"""`manage.py load_catalogue FILE.yaml`: validate an edition file and store it (a changed file is a new version)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.catalogue import CatalogueError
from scoring.editions import load_edition_file


class Command(BaseCommand):
    help = (
        "Load an IID catalogue edition file into the database as a national edition (every region sees it)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        try:
            edition, created = load_edition_file(file)
        except OSError as error:
            raise CommandError(f"Berkas {file} tidak dapat dibaca: {error}") from error
        except CatalogueError as error:
            raise CommandError(str(error)) from error
        if created:
            self.stdout.write(
                self.style.SUCCESS(f"Dimuat: {edition} ({edition.indicators.count()} indikator).")
            )
        else:
            self.stdout.write(f"Tidak berubah: berkas ini sudah dimuat sebagai {edition}.")
