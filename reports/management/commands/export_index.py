"""Write the compliance board and the index of a cycle to a file, as the download buttons do, and log it."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from django.utils.translation import gettext as _

from agencies.models import Agency, AgencyKind, Region
from registry.models import Cycle
from reports import exports
from reports.data import gather_csv, gather_export
from reports.filters import ComplianceFilter


class Command(BaseCommand):
    help = (
        "Export the compliance board of a cycle with its index (XLSX, CSV or PDF), filtered as on the page; "
        "every file is written to the export log."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Measurement year of the cycle.")
        parser.add_argument("--format", required=True, choices=sorted(exports.FORMATS))
        parser.add_argument("--output", required=True, help="Path of the file to write.")
        parser.add_argument(
            "--region", help="Region code; needed when several regions have a cycle that year."
        )
        parser.add_argument("--kind", help=f"Agency kind: {', '.join(AgencyKind.values)}.")
        parser.add_argument("--kecamatan", help="Code or name of a kecamatan: it and its kelurahan.")
        parser.add_argument("--state", help="none, draft, submitted, in_review, ..., approved, rejected.")
        parser.add_argument("--search", dest="q", help="Text in the agency's or the innovation's name.")

    def handle(self, *, year, output, region, kind, kecamatan, state, q, **options):
        fmt = options["format"]
        cycle = self._cycle(year, region)
        data = {"tahun": str(year), "kind": kind or "", "state": state or "", "q": q or ""}
        if kecamatan:
            data["kecamatan"] = str(self._kecamatan(cycle.region, kecamatan).pk)
        board = ComplianceFilter(data, region=cycle.region)
        if not board.is_valid():
            problems = [
                f"--{'search' if name == 'q' else name}: {error}"
                for name, errors in board.form.errors.items()
                for error in errors
            ]
            raise CommandError(_("Invalid filter values:") + "\n" + "\n".join(problems))
        # As the download: the CSV is written a chunk at a time, the other files whole.
        export = gather_csv(board) if fmt == "csv" else gather_export(board)
        path = Path(output)
        tally = exports.Tally()
        try:
            with path.open("wb") as target:
                chunks = exports.csv_chunks(export) if fmt == "csv" else [exports.build_file(export, fmt)]
                for chunk in chunks:
                    target.write(tally.add(chunk))
        except OSError as error:
            raise CommandError(
                _("Cannot write %(path)s: %(error)s") % {"path": path, "error": error}
            ) from error
        log = exports.record_export(
            export, fmt=fmt, filename=path.name, size=tally.size, checksum=tally.checksum, by=None
        )
        self.stdout.write(
            _("%(path)s: %(rows)s rows, %(size)s bytes, SHA-256 %(checksum)s (export log #%(log)s).")
            % {"path": path, "rows": log.row_count, "size": log.size, "checksum": log.checksum, "log": log.pk}
        )

    def _cycle(self, year: int, region_code: str | None) -> Cycle:
        cycles = Cycle.objects.filter(year=year).select_related("region")
        if region_code:
            if not Region.objects.filter(code=region_code).exists():
                raise CommandError(_("There is no region with code %(code)s.") % {"code": region_code})
            cycles = cycles.filter(region__code=region_code)
        cycles = list(cycles[:2])
        if not cycles:
            raise CommandError(_("There is no cycle for %(year)s.") % {"year": year})
        if len(cycles) > 1:
            raise CommandError(
                _("Several regions have a cycle for %(year)s: choose one with --region.") % {"year": year}
            )
        return cycles[0]

    def _kecamatan(self, region, value: str) -> Agency:
        found = list(
            Agency.objects.filter(region=region, kind=AgencyKind.KECAMATAN).filter(
                Q(code__iexact=value) | Q(name__iexact=value)
            )[:2]
        )
        if len(found) != 1:
            raise CommandError(
                _("There is no kecamatan %(value)s in %(region)s.") % {"value": value, "region": region}
            )
        return found[0]
