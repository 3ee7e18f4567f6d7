"""Import the IID results Kemendagri published, from a CSV file, all or nothing.

Columns: region_code, year, iid_claimed, iid_verified, predicate, innovations, rank_note, source (the layout of
`reports/data/official-results-parepare.csv`); only region_code, year and one of the two IIDs are needed in a
row. The same rules serve the `import_official_results` command and the upload on the *Hasil resmi* page:
every row is checked first and every problem listed with its row number; nothing is written unless the whole
file is valid. Importing the same file again changes nothing. A decimal comma ("49,63") is read as a point.
"""

import csv
import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

# The file-level helpers of the agency import (encoding, ';' or ',' columns) are the same for this file.
from agencies.importing import (
    AgencyImportError,
    ImportReport,
    ProblemsError,
    csv_records,
    decode_csv,
    sniff_delimiter,
)
from agencies.models import Region
from reports.models import OfficialResult

REQUIRED = ("region_code", "year")
OPTIONAL = ("iid_claimed", "iid_verified", "predicate", "innovations", "rank_note", "source")
YEARS = (2000, 2100)
TEXT_LIMITS = {
    "predicate": OfficialResult._meta.get_field("predicate").max_length,
    "note": OfficialResult._meta.get_field("note").max_length,
    "source": OfficialResult._meta.get_field("source").max_length,
}
FIELDS = ("claimed_iid", "validated_iid", "predicate", "innovation_count", "note", "source")


class OfficialImportError(ProblemsError):
    pass


@dataclass(frozen=True)
class OfficialRow:
    line: int
    region_code: str
    year: int
    claimed_iid: Decimal | None
    validated_iid: Decimal | None
    predicate: str
    innovation_count: int | None
    note: str
    source: str

    def values(self) -> dict:
        return {name: getattr(self, name) for name in FIELDS}


def _iid(raw: str, line: int, label: str, problems: list[str]) -> Decimal | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite():
        problems.append(
            _("Row %(line)s: %(column)s '%(value)s' is not a number.")
            % {"line": line, "column": label, "value": raw.strip()}
        )
        return None
    if not Decimal(0) <= value <= Decimal(100):
        problems.append(
            _("Row %(line)s: %(column)s %(value)s is outside 0–100.")
            % {"line": line, "column": label, "value": raw.strip()}
        )
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append(
            _("Row %(line)s: %(column)s %(value)s has more than two decimals.")
            % {"line": line, "column": label, "value": raw.strip()}
        )
        return None
    return value.quantize(Decimal("0.01"))


def _parse_row(line: int, cell, problems: list[str]) -> OfficialRow | None:
    found = len(problems)
    code = cell("region_code").strip()
    if not code:
        problems.append(_("Row %(line)s: the region code is empty.") % {"line": line})
    year_text = cell("year").strip()
    year = None
    if not year_text.isdigit() or not YEARS[0] <= int(year_text) <= YEARS[1]:
        problems.append(
            _("Row %(line)s: the year '%(year)s' is not a year between %(first)s and %(last)s.")
            % {"line": line, "year": year_text, "first": YEARS[0], "last": YEARS[1]}
        )
    else:
        year = int(year_text)
    claimed = _iid(cell("iid_claimed"), line, "iid_claimed", problems)
    validated = _iid(cell("iid_verified"), line, "iid_verified", problems)
    if not cell("iid_claimed").strip() and not cell("iid_verified").strip():
        problems.append(
            _("Row %(line)s: give at least one IID (iid_claimed or iid_verified).") % {"line": line}
        )
    count_text = cell("innovations").strip()
    count = None
    if count_text:
        if count_text.isdigit():
            count = int(count_text)
        else:
            problems.append(
                _("Row %(line)s: the number of innovations '%(value)s' is not a whole number.")
                % {"line": line, "value": count_text}
            )
    texts = {
        "predicate": " ".join(cell("predicate").split()),
        "note": " ".join(cell("rank_note").split()),
        "source": " ".join(cell("source").split()),
    }
    for name, text in texts.items():
        if len(text) > TEXT_LIMITS[name]:
            problems.append(
                _("Row %(line)s: %(column)s is longer than %(max)s characters.")
                % {"line": line, "column": name, "max": TEXT_LIMITS[name]}
            )
    if len(problems) > found:
        return None
    return OfficialRow(line, code, year, claimed, validated, innovation_count=count, **texts)


def read_official_csv(data: bytes) -> tuple[list[OfficialRow], list[str]]:
    """The valid rows and every problem of the file's format and values."""
    try:
        text = decode_csv(data)
    except AgencyImportError as error:
        return [], error.problems
    if not text.strip():
        return [], [_("The file is empty.")]
    if "\x00" in text:
        return [], [_("The file is not a CSV text file.")]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text.splitlines()[0]))
    try:
        header = [column.strip().lower() for column in next(reader)]
    except csv.Error as error:
        return [], [_("Row 1: %(error)s") % {"error": error}]
    missing = [column for column in REQUIRED if column not in header]
    if missing or not {"iid_claimed", "iid_verified"} & set(header):
        return [], [
            _("Row 1: the header must have the columns %(expected)s; missing: %(missing)s.")
            % {
                "expected": ",".join(REQUIRED + OPTIONAL),
                "missing": ", ".join(missing or ["iid_claimed/iid_verified"]),
            }
        ]
    position = {column: header.index(column) for column in REQUIRED + OPTIONAL if column in header}
    rows, problems = [], []
    for line, values in csv_records(reader, problems):

        def cell(column, values=values):
            index = position.get(column)
            return values[index] if index is not None and index < len(values) else ""

        row = _parse_row(line, cell, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(_("The file has a header but no result rows."))
    return rows, problems


def validate_rows(rows: list[OfficialRow], region: Region | None) -> tuple[dict[str, Region], list[str]]:
    """The regions the rows name, and the problems of rows against each other and the registry."""
    problems = []
    regions = {item.code: item for item in Region.objects.filter(code__in={row.region_code for row in rows})}
    first_line_of: dict[tuple[str, int], int] = {}
    for row in rows:
        if region is not None and row.region_code != region.code:
            problems.append(
                _("Row %(line)s: the region code %(code)s is not this region's (%(own)s).")
                % {"line": row.line, "code": row.region_code, "own": region.code}
            )
        elif row.region_code not in regions:
            problems.append(
                _("Row %(line)s: no region has the code %(code)s.")
                % {"line": row.line, "code": row.region_code}
            )
        key = (row.region_code, row.year)
        if key in first_line_of:
            problems.append(
                _("Row %(line)s: %(code)s %(year)s already appears in row %(first)s.")
                % {"line": row.line, "code": row.region_code, "year": row.year, "first": first_line_of[key]}
            )
        else:
            first_line_of[key] = row.line
    return regions, problems


def import_official_results(data: bytes, *, region: Region | None = None, by=None) -> ImportReport:
    """Validate the whole file, then create or update its rows in one transaction; raise otherwise.

    With `region`, every row must be that region's (an administrator's upload); without it, each row names
    its region by code (the command).
    """
    rows, problems = read_official_csv(data)
    regions, more = validate_rows(rows, region) if rows else ({}, [])
    problems += more
    if problems:
        raise OfficialImportError(sorted(problems, key=_line_of))
    report = ImportReport()
    try:
        with transaction.atomic():
            _apply(rows, regions, by, report)
    except IntegrityError as error:
        raise OfficialImportError(
            [
                _("The registry changed while importing (%(error)s). Nothing was imported; try again.")
                % {"error": error}
            ]
        ) from error
    return report


def _line_of(problem: str) -> int:
    # "Baris 12: …" / "Row 12: …": list the problems in the file's order, whatever check found them.
    head = problem.split(":", 1)[0].split()
    return int(head[-1]) if head and head[-1].isdigit() else 0


def _apply(rows, regions, by, report: ImportReport) -> None:
    stored = {
        (result.region_id, result.year): result
        for result in OfficialResult.objects.select_for_update().filter(
            region__in=regions.values(), year__in={row.year for row in rows}
        )
    }
    for row in rows:
        target = regions[row.region_code]
        label = f"{row.region_code} {row.year}"
        result = stored.get((target.pk, row.year))
        if result is None:
            OfficialResult.objects.create(region=target, year=row.year, entered_by=by, **row.values())
            report.created.append(label)
        elif any(getattr(result, name) != value for name, value in row.values().items()):
            for name, value in row.values().items():
                setattr(result, name, value)
            result.entered_by = by
            result.save()
            report.updated.append(label)
        else:
            report.unchanged.append(label)
