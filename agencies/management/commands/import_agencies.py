from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.commands import resolve_region
from agencies.importing import AgencyImportError, import_agencies


class Command(BaseCommand):
    help = "Import agencies from a CSV file (code,name,kind,parent_code), all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--region", help="Region code; may be left out when only one region exists.")

    def handle(self, *args, file: Path, region: str | None, **options):
        target = resolve_region(region)
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error}
            ) from error
        try:
            report = import_agencies(target, data)
        except AgencyImportError as error:
            lines = [_("Nothing was imported. Problems found:")] + [
                f"  - {problem}" for problem in error.problems
            ]
            raise CommandError("\n".join(lines)) from error
        self.stdout.write(
            _("%(region)s: %(created)s agencies created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "region": target.name,
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            }
        )
