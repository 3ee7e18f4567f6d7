"""`manage.py seed_demo`: the Kota Parepare demo. It lives in reports, the top app, because it fills every app
below it (agencies, the catalogue, a cycle, official results, and synthetic entries for benchmarks)."""

import datetime
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from agencies.importing import import_agencies
from agencies.models import Agency, Region, Role, User
from registry.models import Cycle
from registry.synthetic import create_synthetic_entries
from scoring.editions import load_edition_file

DEMO_PASSWORD = "inovasi-parepare"
ROOT = Path(__file__).resolve().parents[3]
AGENCY_FILE = ROOT / "agencies" / "data" / "agencies-parepare.csv"
CATALOGUE_FILE = ROOT / "scoring" / "data" / "catalogue-2024.yaml"
# Kemendagri's published results for Parepare.
OFFICIAL_RESULTS_FILE = ROOT / "reports" / "data" / "official-results-parepare.csv"

# (e-mail, full name, role, agency codes)
DEMO_PEOPLE = [
    ("admin@parepare.demo", "Andi Admin Bappeda", Role.ADMIN, []),
    ("verifikator@parepare.demo", "Besse Verifikator", Role.REVIEWER, []),
    ("inovator.dinkes@parepare.demo", "Cahya Dinas Kesehatan", Role.INNOVATOR, ["PD-DINKES"]),
    ("inovator.puskesmas@parepare.demo", "Dewi Puskesmas Lakessi", Role.INNOVATOR, ["UPTD-PKM-LAKESSI"]),
    ("inovator.kelurahan@parepare.demo", "Erna Kelurahan Lemoe", Role.INNOVATOR, ["KEL-LEMOE"]),
    ("inovator.dikbud@parepare.demo", "Fajar Dinas Pendidikan", Role.INNOVATOR, ["PD-DIKBUD"]),
]


class Command(BaseCommand):
    help = (
        "Load the Kota Parepare demo: region, agencies, the IID 2024 catalogue, a 2024 cycle and demo people."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--entries",
            type=int,
            default=0,
            help="Also add this many synthetic entries (with answers, evidence and verdicts) for benchmarks.",
        )

    @transaction.atomic
    def handle(self, *args, entries: int = 0, **options):
        region, _created = Region.objects.get_or_create(
            code="73.72", defaults={"name": "Kota Parepare", "kind": Region.Kind.KOTA}
        )
        report = import_agencies(region, AGENCY_FILE.read_bytes())
        edition, _loaded = load_edition_file(CATALOGUE_FILE)
        today = timezone.localdate()
        # The demo cycle is open today, so that the whole submission and review cycle can be tried.
        cycle, _created = Cycle.objects.get_or_create(
            region=region,
            year=edition.year,
            defaults={
                "edition": edition,
                "submission_opens": today - datetime.timedelta(days=30),
                "submission_closes": today + datetime.timedelta(days=60),
                "review_opens": today - datetime.timedelta(days=30),
                "review_closes": today + datetime.timedelta(days=90),
            },
        )
        call_command(
            "import_official_results", str(OFFICIAL_RESULTS_FILE), region=region.code, stdout=self.stdout
        )
        agencies = {agency.code: agency for agency in Agency.objects.filter(region=region)}
        for email, full_name, role, codes in DEMO_PEOPLE:
            person, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "full_name": full_name,
                    "role": role,
                    "region": region,
                    "is_staff": role == Role.ADMIN,
                },
            )
            if created:
                person.set_password(DEMO_PASSWORD)
                person.save(update_fields=["password"])
            person.agencies.add(*(agencies[code] for code in codes))

        if entries:
            admin = User.objects.get(email=DEMO_PEOPLE[0][0])
            added = create_synthetic_entries(cycle, entries, created_by=admin)
            self.stdout.write(
                f"{added} synthetic entries added ({cycle.innovations.count()} in cycle {cycle.year})."
            )
        self.stdout.write(
            f"{region.name}: {len(report.created)} agencies created, {len(agencies)} in all; "
            f"catalogue {edition}."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for email, _full_name, role, codes in DEMO_PEOPLE:
            where = f" — {', '.join(agencies[code].name for code in codes)}" if codes else ""
            self.stdout.write(f"  {Role(role).label:<22} {email}{where}")
