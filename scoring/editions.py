"""Store a catalogue edition file in the database, validated, as a new version when it changed."""

from pathlib import Path

from django.db import transaction

from scoring import catalogue
from scoring.models import Edition


@transaction.atomic
def load_edition_text(text: str) -> tuple[Edition, bool]:
    """Return the stored edition for this text and whether it was new; raise CatalogueError if invalid."""
    parsed = catalogue.load_edition(text)
    checksum = parsed.checksum
    existing = Edition.objects.filter(year=parsed.year, checksum=checksum).first()
    if existing:
        return existing, False
    versions = Edition.objects.select_for_update().filter(year=parsed.year).values_list("version", flat=True)
    latest = max(versions, default=0)
    edition = Edition.objects.create(
        year=parsed.year,
        version=latest + 1,
        title=f"IID {parsed.year}: {parsed.subject}"[:255],
        source_text=text,
        checksum=checksum,
    )
    return edition, True


def load_edition_file(path: Path) -> tuple[Edition, bool]:
    return load_edition_text(Path(path).read_text(encoding="utf-8"))
