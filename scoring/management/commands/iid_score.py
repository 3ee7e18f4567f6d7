"""`manage.py iid_score SCENARIO.json [--catalogue PATH]`: score a scenario file (METHOD.md section 6).

Pure: it reads two files and touches no database, so it runs without migrations.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scoring.catalogue import CatalogueError, bundled_catalogue_path, load_edition_file
from scoring.index import urusan_spread_warning
from scoring.scenario import ScenarioError, parse_scenario, render_json, score_scenario


class Command(BaseCommand):
    help = "Compute the self-assessed and verified IID of a scenario file and print them as one JSON object."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("scenario", help="Scenario JSON file (METHOD.md section 6).")
        parser.add_argument(
            "--catalogue",
            help="Catalogue YAML file; default: the bundled catalogue of the scenario's edition.",
        )

    def handle(self, *args, scenario, catalogue=None, **options):
        try:
            text = Path(scenario).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"Berkas skenario {scenario} tidak dapat dibaca: {error}") from error
        try:
            parsed = parse_scenario(text)
            path = Path(catalogue) if catalogue else bundled_catalogue_path(parsed.edition)
            if not catalogue and not path.is_file():
                raise CommandError(f"Tidak ada katalog bawaan untuk edisi {parsed.edition} ({path}).")
            edition = load_edition_file(path)
            output = score_scenario(parsed, edition)
        except (ScenarioError, CatalogueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(render_json(output))
        stated = [item.urusan for item in parsed.innovations if item.urusan]
        warning = urusan_spread_warning(edition, stated) if stated else None
        if warning:
            self.stderr.write(warning)
