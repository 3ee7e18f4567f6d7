"""Store a catalogue edition file in the database, validated, as a new version when it changed."""

from pathlib import Path

from django.db import transaction

from scoring import catalogue
from scoring.models import Edition, Indicator, IndicatorOption


@transaction.atomic
def load_edition_text(text: str) -> tuple[Edition, bool]:
    """Return the stored edition for this text and whether it was new; raise CatalogueError if invalid.

    The same file loaded twice is the same edition. A changed file for a year becomes the
    next version: a version that a cycle uses is never rewritten, so its scores stay reproducible.
    """
    parsed = catalogue.load_edition(text)
    existing = Edition.objects.filter(year=parsed.year, checksum=parsed.checksum).first()
    if existing:
        return existing, False
    versions = Edition.objects.select_for_update().filter(year=parsed.year).values_list("version", flat=True)
    edition = Edition.objects.create(
        year=parsed.year,
        version=max(versions, default=0) + 1,
        title=f"IID {parsed.year}: {parsed.subject}"[:255],
        source_text=text,
        checksum=parsed.checksum,
    )
    indicators = Indicator.objects.bulk_create(
        Indicator(
            edition=edition,
            code=row.id,
            part=row.part,
            number=row.number,
            sub=row.sub or "",
            form_no=row.form_no,
            variable=row.variable,
            name=row.name,
            bobot=row.bobot,
            mandatory=row.mandatory,
            evidence_kinds=list(row.evidence_kinds),
            evidence_description=row.evidence_description,
            confidence=row.confidence,
            strength=row.strength or "",
            position=position,
        )
        for position, row in enumerate(parsed.rows)
    )
    options = []
    for indicator, row in zip(indicators, parsed.rows, strict=True):
        groups = row.option_groups.items() if row.option_groups else [("", row.options)]
        position = 0
        for group, group_options in groups:
            for option in group_options:
                options.append(
                    IndicatorOption(
                        indicator=indicator,
                        group=group,
                        level=option.level,
                        score=option.score,
                        label=option.label,
                        position=position,
                    )
                )
                position += 1
    IndicatorOption.objects.bulk_create(options)
    return edition, True


def load_edition_file(path: Path) -> tuple[Edition, bool]:
    return load_edition_text(Path(path).read_text(encoding="utf-8"))
