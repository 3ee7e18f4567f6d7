"""The compliance and index files (XLSX, CSV, PDF) written from `reports.data.ExportData` (the streamed CSV from
`reports.data.CsvExport`), and their log. One module per format (`export_xlsx`, `export_csv`, `export_pdf`,
with what they share in `export_lines`); this one is what views and commands call.

The writers only lay out plain data: every figure was computed by the scoring engine before. Text that a
spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a carriage return, also after leading
blanks, semicolons or commas, and in their fullwidth forms) stays text: the XLSX writes every text as an inline
string, which is never evaluated, and the CSV prefixes such text with "'".
"""

import hashlib
import io

from django.utils.text import slugify

from reports.data import CsvExport, ExportData, ExportHead
from reports.export_csv import csv_chunks
from reports.export_pdf import write_pdf
from reports.export_xlsx import write_xlsx
from reports.models import ExportLog

__all__ = ["FORMATS", "Tally", "build_file", "csv_chunks", "export_filename", "record_export"]

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}


def export_filename(data: ExportHead, fmt: str) -> str:
    stamp = data.generated_at.strftime("%Y%m%d-%H%M%S")
    return f"kepatuhan-iid-{slugify(data.region)}-{data.year}-{stamp}.{fmt}"


class Tally:
    """Counts and hashes the bytes of a file as they pass, so a streamed file is logged without a second pass."""

    def __init__(self):
        self.size = 0
        self.sha256 = hashlib.sha256()

    def add(self, chunk: bytes) -> bytes:
        self.size += len(chunk)
        self.sha256.update(chunk)
        return chunk

    @property
    def checksum(self) -> str:
        return self.sha256.hexdigest()


def record_export(
    data: CsvExport | ExportData, *, fmt: str, filename: str, size: int, checksum: str, by=None
) -> ExportLog:
    """Every file that leaves the system is logged: by whom (None from the command line), what, and its checksum.

    A streamed CSV is logged after its last row: only then are its row count and its IID known.
    """
    claimed_iid, verified_iid = data.iids
    return ExportLog.objects.create(
        cycle_id=data.cycle_pk,
        edition_id=data.edition_pk,
        created_by=by,
        format=fmt,
        filters=data.filters,
        filename=filename,
        size=size,
        checksum=checksum,
        row_count=data.row_count,
        claimed_iid=claimed_iid,
        verified_iid=verified_iid,
    )


def build_file(data: ExportData, fmt: str) -> bytes:
    """The whole file in memory (XLSX, PDF, or the CSV of `ExportData` when it is not streamed)."""
    if fmt == "xlsx":
        buffer = io.BytesIO()
        write_xlsx(data, buffer)
        return buffer.getvalue()
    if fmt == "pdf":
        return write_pdf(data)
    if fmt == "csv":
        return b"".join(csv_chunks(data))
    raise ValueError(f"Unknown export format: {fmt!r}")
