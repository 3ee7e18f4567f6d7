"""The compliance board as CSV, one column per indicator, streamed a few hundred rows at a time. Text that a
spreadsheet would run as a formula is prefixed with "'"."""

import csv
import io
from collections.abc import Iterator
from decimal import Decimal

from reports.data import CsvExport, ExportData
from reports.export_lines import Labels, compliance_header, compliance_values, is_formula_like

CSV_ROWS_PER_CHUNK = 500


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")
    if is_formula_like(value):
        return "'" + value
    return str(value)


def csv_chunks(data: CsvExport | ExportData) -> Iterator[bytes]:
    """The board's rows with one column per indicator, as UTF-8 with a BOM, a few hundred rows at a time."""
    buffer = io.StringIO()
    # The BOM makes Excel read the file as UTF-8 (agency names carry non-ASCII letters and dashes).
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    writer.writerow([*compliance_header(), *data.codes])
    labels = Labels()
    for number, (row, levels) in enumerate(data.board_rows(), start=1):
        writer.writerow(
            [_csv_text(value) for value in compliance_values(row, labels)]
            + [_csv_text(levels.get(code)) for code in data.codes]
        )
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield _take(buffer)
    if buffer.tell():
        yield _take(buffer)


def _take(buffer: io.StringIO) -> bytes:
    text = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    return text.encode("utf-8")
