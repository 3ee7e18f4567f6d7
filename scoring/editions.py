"""Store a catalogue edition file in the database, validated, as a new version when it changed."""

from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.loader import MigrationLoader

from scoring import catalogue
from scoring.models import Edition, Indicator, IndicatorOption


def load_edition_text(text: str, *, region=None, using: str = DEFAULT_DB_ALIAS) -> tuple[Edition, bool]:
    """Return the stored edition for this text and whether it was new; raise CatalogueError if invalid.

    The same file loaded twice is the same edition. A changed file for a year becomes the
    next version: a version that a cycle uses is never rewritten, so its scores stay reproducible.
    With a region the edition is that region's own unless the same file is already a national edition;
    without one it is national (the shipped files, `load_catalogue`, a superuser without a region).
    """
    parsed = catalogue.load_edition(text)
    with transaction.atomic(using=using):
        return _store(parsed, text, region, using)


def _store(parsed: catalogue.Edition, text: str, region, using: str) -> tuple[Edition, bool]:
    editions = Edition.objects.using(using)
    same_file = editions.filter(year=parsed.year, checksum=parsed.checksum)
    # National first: a region uploading a shipped file gets the edition everybody shares.
    existing = same_file.national().first() or (region and same_file.filter(region=region).first())
    if existing:
        return existing, False
    # Versions count per year across regions, so "version 3" names one edition wherever it is shown.
    versions = editions.select_for_update().filter(year=parsed.year).values_list("version", flat=True)
    edition = editions.create(
        region=region,
        year=parsed.year,
        version=max(versions, default=0) + 1,
        title=f"IID {parsed.year}: {parsed.subject}"[:255],
        title_en=f"IID {parsed.year}: {parsed.subject_en}"[:255] if parsed.subject_en else "",
        source_text=text,
        checksum=parsed.checksum,
    )
    indicators = Indicator.objects.using(using).bulk_create(
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
            evidence_description_en=row.evidence_description_en,
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
    IndicatorOption.objects.using(using).bulk_create(options)
    return edition, True


def load_edition_file(path: Path) -> tuple[Edition, bool]:
    return load_edition_text(Path(path).read_text(encoding="utf-8"))


def shipped_edition_files() -> list[Path]:
    """The edition files that come with the application (`scoring/data/catalogue-<year>.yaml`)."""
    return sorted(catalogue.DATA_DIR.glob("catalogue-*.yaml"))


def load_shipped_editions(*, using: str = DEFAULT_DB_ALIAS) -> list[tuple[Edition, bool]]:
    """Store every shipped edition not yet in the database; a file already loaded changes nothing."""
    return [
        load_edition_text(path.read_text(encoding="utf-8"), using=using) for path in shipped_edition_files()
    ]


def scoring_schema_is_current(using: str = DEFAULT_DB_ALIAS) -> bool:
    """Whether every scoring migration is applied (a partial `migrate scoring 0001` has older tables)."""
    loader = MigrationLoader(connections[using])
    return all(node in loader.applied_migrations for node in loader.graph.leaf_nodes("scoring"))
