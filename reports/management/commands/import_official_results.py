"""Record the IID results Kemendagri published, from a CSV file (all rows or none)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from agencies.models import Region
from reports.official import OfficialImportError, import_official_results


class Command(BaseCommand):
    help = (
        "Import official IID results (region_code,year,iid_claimed,iid_verified,predicate,innovations,"
        "rank_note,source) from a CSV file; importing the same file again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Path of the CSV file (UTF-8, ',' or ';' between columns).")
        parser.add_argument("--region", help="Region code: every row must be this region's.")

    def handle(self, *, file, region, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("The file %(path)s does not exist.") % {"path": path})
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(_("No region has the code %(code)s.") % {"code": region})
        try:
            report = import_official_results(path.read_bytes(), region=target)
        except OfficialImportError as error:
            raise CommandError(_("Nothing was imported:") + "\n" + "\n".join(error.problems)) from error
        self.stdout.write(
            _("Official results: %(created)s added, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "created": len(report.created),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
            }
        )
