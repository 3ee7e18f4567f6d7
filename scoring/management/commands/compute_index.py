"""`manage.py compute_index --year 2024 [--region CODE] [--json]`: the year's IID from the database."""

from django.core.management.base import BaseCommand, CommandError

from agencies.commands import resolve_region
from scoring.collect import cycle_index, cycle_of, index_gains
from scoring.index import round_half_up
from scoring.scenario import render_json, scenario_output


def shown(value) -> str:
    """Table display only: the JSON output keeps the exact components."""
    return str(value) if isinstance(value, int) else str(round_half_up(value))


class Command(BaseCommand):
    help = "Compute the self-assessed and verified IID of a year from the database."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--region", help="Region code; may be left out when only one region exists.")
        parser.add_argument("--json", action="store_true", help="Print one JSON object instead of a table.")
        parser.add_argument(
            "--gains",
            type=int,
            default=0,
            metavar="N",
            help="Also list the N rows that would raise the IID most.",
        )

    def handle(self, *args, year, region, json, gains=0, **options):
        target = resolve_region(region)
        cycle = cycle_of(target, year)
        if cycle is None:
            raise CommandError(f"Tidak ada periode pengukuran {year} untuk {target.name}.")
        index = cycle_index(cycle)
        result, warning = index.result, index.spread_warning
        rows = [
            {
                "name": item.facts.name,
                "agency": item.facts.agency,
                "status": item.facts.status,
                "stage": item.facts.stage,
                "counts_self_assessed": item.facts.counts_self_assessed,
                "counts_verified": item.facts.counts_verified,
                "kematangan_self_assessed": item.self_assessed.kematangan,
                "kematangan_verified": item.verified.kematangan,
            }
            for item in index.innovations
        ]
        gain_rows = [
            {"target": what, "row": gain.row_id, "level": gain.level, "gain": gain.gain}
            for what, gain in (index_gains(index, limit=gains) if gains else [])
        ]
        if json:
            output = scenario_output(result) | {"region": target.name, "innovations": rows, "warnings": []}
            if gains:
                output["gains"] = gain_rows
            if warning:
                output["warnings"].append(warning)
            self.stdout.write(render_json(output))
            return
        self._print_table(target, cycle, result, rows, warning)
        if gain_rows:
            self.stdout.write("")
            self.stdout.write(
                "Baris yang paling menaikkan IID mandiri bila dilengkapi (level tertinggi + bukti):"
            )
            for row in gain_rows:
                self.stdout.write(f"  +{round_half_up(row['gain'], 3)!s:>7}  {row['target']}")

    def _print_table(self, region, cycle, result, rows, warning):
        write = self.stdout.write
        write(f"Indeks Inovasi Daerah {cycle.year} — {region.name} ({cycle.edition})")
        write("")
        write(f"{'':<20}{'Mandiri':>14}{'Verifikasi':>14}")
        for label, key in [
            ("n inovasi", "n"),
            ("SPD", "spd"),
            ("Σ kematangan", "kematangan_sum"),
            ("Rata-rata SID", "sid_average"),
            ("Jumlah inovasi", "jumlah_inovasi"),
            ("SID", "sid"),
            ("Total", "total"),
            ("IID", "iid"),
        ]:
            mandiri, verifikasi = (
                shown(getattr(score, key)) for score in (result.self_assessed, result.verified)
            )
            write(f"{label:<20}{mandiri:>14}{verifikasi:>14}")
        write("(komponen ditampilkan dibulatkan 2 desimal; --json memberi nilai eksak)")
        write(f"{'Predikat':<20}{result.self_assessed.predicate:>14}  {result.verified.predicate}")
        if warning:
            write("")
            write(f"Peringatan: {warning}")
        write("")
        write(f"{'Inovasi':<40}{'Status':<20}{'Tahap':<11}{'Mandiri':>9}{'Verif.':>9}")
        for row in rows:
            flag = "" if row["counts_self_assessed"] else " *"
            write(
                f"{row['name'][:38]:<40}{row['status']:<20}{row['stage']:<11}"
                f"{row['kematangan_self_assessed']!s:>9}{row['kematangan_verified']!s:>9}{flag}"
            )
        if any(not row["counts_self_assessed"] for row in rows):
            write("* tidak masuk hitungan n (draf, ditolak, atau belum tahap penerapan)")
