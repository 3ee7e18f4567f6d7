"""The compliance and index files (XLSX, CSV, PDF) written from `reports.data.ExportData` (the streamed CSV from
`reports.data.CsvExport`), and their log.

The writers only lay out plain data: every figure was computed by the scoring engine before. Text that a
spreadsheet would run as a formula (it begins with =, +, -, @, a tab or a carriage return, also after leading
blanks, semicolons or commas, and in their fullwidth forms) stays text: the XLSX writes every text as an inline
string, which is never evaluated, and the CSV prefixes such text with "'".
"""

import csv
import hashlib
import io
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.text import slugify
from django.utils.translation import gettext as _
from fpdf import FPDF

from agencies.models import AgencyKind
from registry.models import Innovation
from reports.data import STATE_LABELS, CsvExport, ExportData, ExportHead
from reports.models import ExportLog
from reports.xlsx import BOLD, Link, XlsxBook
from scoring import explanations
from scoring.index import variable_scores

FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
}
# A spreadsheet treats a cell beginning with one of these as a formula (OWASP "CSV injection"). Spreadsheets
# skip leading blanks, and a cell opened with ";" or "," splits into a formula cell in a locale whose separator
# that is; fullwidth "＝＋－＠" become ASCII under the compatibility normalisation some importers apply.
_FORMULA_RE = re.compile(r"[\s;,]*[=+\-@]|[\t\r\n]")
# Vendored so that a fresh machine without Debian's fonts-dejavu writes the same PDF.
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
CSV_ROWS_PER_CHUNK = 500


def is_formula_like(value) -> bool:
    return isinstance(value, str) and _FORMULA_RE.match(unicodedata.normalize("NFKC", value)) is not None


def export_filename(data: ExportHead, fmt: str) -> str:
    stamp = data.generated_at.strftime("%Y%m%d-%H%M%S")
    return f"kepatuhan-iid-{slugify(data.region)}-{data.year}-{stamp}.{fmt}"


class Labels:
    """Choice labels and yes/no translated once per file, as `BoardRow`'s label properties give them: a lazy
    label turned into text on every row costs a gettext call each time, tens of thousands for a large cycle."""

    def __init__(self):
        self.kinds = {value: str(label) for value, label in AgencyKind.choices}
        self.states = {value: str(label) for value, label in STATE_LABELS.items()}
        self.stages = {"": "", **{value: str(label) for value, label in Innovation.Stage.choices}}
        self.yes_no = {True: _("yes"), False: _("no")}


# --- XLSX (written by reports.xlsx) -----------------------------------------------------------------------


def write_xlsx(data: ExportData, target) -> None:
    """Write the workbook to a path or a binary file object, one sheet after the other."""
    book = XlsxBook(target)
    _summary_sheet(book, data)
    _spd_sheet(book, data)
    _innovation_sheet(book, data)
    _evidence_sheet(book, data)
    _compliance_sheet(book, data)
    book.close()


def summary_lines(data: ExportData) -> list[tuple[str, object]]:
    lines = [
        (_("Region"), data.region),
        (_("Measurement year"), data.year),
        (_("Catalogue edition"), f"{data.edition_title} (v{data.edition_version})"),
        (_("Generated at"), data.generated_at.strftime("%d-%m-%Y %H:%M")),
    ]
    if data.filters_shown:
        lines += [(_("Filter: %(name)s") % {"name": label}, value) for label, value in data.filters_shown]
    else:
        lines.append((_("Filters"), _("none (every active agency)")))
    lines.append((_("Rows listed"), len(data.rows)))
    return lines


def score_lines(data: ExportData) -> list[tuple[str, object, object]]:
    claimed, verified = data.index.result.self_assessed, data.index.result.verified
    return [
        (_("IID"), claimed.iid, verified.iid),
        (_("Predicate"), claimed.predicate, verified.predicate),
        (_("SPD part"), claimed.spd, verified.spd),
        (_("SID part"), claimed.sid, verified.sid),
        (
            _(
                "Average kematangan per innovation (the sum of kematangan divided by the number of "
                "innovations, at least %(floor)s)"
            )
            % {"floor": data.index.edition.parameters.divisor_floor},
            claimed.sid_average,
            verified.sid_average,
        ),
        (_("Jumlah inovasi score"), claimed.jumlah_inovasi, verified.jumlah_inovasi),
        (_("Total"), claimed.total, verified.total),
        (_("Number of innovations counted"), claimed.n, verified.n),
    ]


def official_lines(data: ExportData) -> list[tuple[str, object, object]]:
    """Kemendagri's published result for the year, beside the computed scores: (label, self-assessed,
    validated) rows, the text ones in the second column; empty when none is recorded."""
    official = data.official
    if official is None:
        return []
    lines = [(_("Official IID"), official.claimed_iid, official.validated_iid)]
    if official.predicate:
        lines.append((_("Official predicate"), official.predicate, ""))
    if official.innovation_count is not None:
        lines.append((_("Number of innovations"), official.innovation_count, ""))
    if official.source:
        lines.append((_("Decree or source"), official.source, ""))
    if official.note:
        lines.append((_("Note"), official.note, ""))
    return lines


def _summary_sheet(book: XlsxBook, data: ExportData) -> None:
    sheet = book.sheet("Ringkasan", [_("Item"), _("Value"), ""], [42, 30, 22])
    for label, value in summary_lines(data):
        sheet.append([label, value])
    sheet.append([])
    sheet.append([_("Index"), _("Self-assessed"), _("Verified")], style=BOLD)
    for line in score_lines(data):
        sheet.append(line)
    sheet.append([])
    sheet.append([_("Official result (Kemendagri)"), _("Self-assessed"), _("Validated")], style=BOLD)
    for label, claimed, validated in official_lines(data) or [(_("Not recorded."), "", "")]:
        sheet.append([label, "" if claimed is None else claimed, "" if validated is None else validated])
    sheet.append([])
    sheet.append([_("The IID covers every innovation of the cycle; the filters only limit the rows listed.")])
    if data.index.spread_warning:
        sheet.append([data.index.spread_warning])


def _spd_sheet(book: XlsxBook, data: ExportData) -> None:
    sheet = book.sheet(
        "SPD",
        [
            _("Code"),
            _("Variable"),
            _("Indicator"),
            _("Weight"),
            _("Chosen level"),
            _("Verified level"),
            _("Self-assessed score"),
            _("Verified score"),
            _("Verification"),
        ],
        [10, 26, 50, 8, 12, 14, 16, 14, 50],
    )
    edition = data.index.edition
    claimed, verified = data.index.result.self_assessed, data.index.result.verified
    for mine, checked in zip(claimed.spd_rows, verified.spd_rows, strict=True):
        row = edition.row(mine.row_id)
        # The verified score is bobot × the level the reviewer supports, so that level is score / bobot.
        verified_level = int(checked.score / row.bobot) if row.bobot else None
        sheet.append(
            [
                row.id,
                row.variable,
                row.name,
                row.bobot,
                mine.level,
                verified_level,
                mine.score,
                checked.score,
                explanations.sentence(checked),
            ]
        )
    sheet.append(["", "", _("SPD part"), "", "", "", claimed.spd, verified.spd, ""])


def _innovation_sheet(book: XlsxBook, data: ExportData) -> None:
    header = [
        _("Agency"),
        _("Kind"),
        _("Kecamatan"),
        _("Innovation"),
        _("Status"),
        _("Stage"),
        _("Urusan"),
        _("Kematangan (self-assessed)"),
        _("Kematangan (verified)"),
        _("Counted (self-assessed)"),
        _("Counted (verified)"),
        *data.codes,
    ]
    sheet = book.sheet(
        "Inovasi", header, [34, 16, 20, 40, 18, 14, 30, 14, 14, 12, 12] + [8] * len(data.codes)
    )
    labels = Labels()
    for row in data.entries:
        levels = data.levels.get(row.entry_pk, {})
        sheet.append(
            [
                row.agency,
                labels.kinds[row.kind],
                row.kecamatan,
                row.innovation,
                labels.states[row.state],
                labels.stages[row.stage],
                row.urusan,
                row.claimed,
                row.verified,
                labels.yes_no[row.counts_self_assessed],
                labels.yes_no[row.counts_verified],
                *[levels.get(code) for code in data.codes],
            ]
        )


def _evidence_sheet(book: XlsxBook, data: ExportData) -> None:
    sheet = book.sheet(
        "Bukti",
        [
            _("Agency"),
            _("Innovation"),
            _("Indicator"),
            _("Kind"),
            _("File name or link"),
            _("Document number"),
            _("Document date"),
            _("Subject"),
            _("Verdict"),
            _("Link"),
        ],
        [30, 36, 10, 8, 36, 20, 14, 30, 14, 50],
    )
    for item in data.evidence():
        sheet.append(
            [
                item.agency,
                item.innovation,
                item.code,
                item.kind,
                item.name,
                item.document_number,
                item.document_date,
                item.subject,
                item.review,
                Link(item.link, item.link) if item.link else "",
            ]
        )


def compliance_header() -> list[str]:
    return [
        _("Agency code"),
        _("Agency"),
        _("Kind"),
        _("Kecamatan"),
        _("State"),
        _("Innovation"),
        _("Kematangan (self-assessed)"),
        _("Kematangan (verified)"),
    ]


def compliance_values(row, labels: Labels) -> list:
    return [
        row.agency_code,
        row.agency,
        labels.kinds[row.kind],
        row.kecamatan,
        labels.states[row.state],
        row.innovation,
        row.claimed,
        row.verified,
    ]


def _compliance_sheet(book: XlsxBook, data: ExportData) -> None:
    sheet = book.sheet("Kepatuhan", compliance_header(), [16, 36, 16, 20, 20, 40, 14, 14])
    labels = Labels()
    for row in data.rows:
        sheet.append(compliance_values(row, labels))


# --- CSV ------------------------------------------------------------------------------------------------------


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


# --- PDF ------------------------------------------------------------------------------------------------------

CLAIMED_COLOUR = (13, 110, 253)
VERIFIED_COLOUR = (25, 135, 84)
CHART_INNOVATIONS = 40


class _Report(FPDF):
    def __init__(self, title: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.report_title = title
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.set_margins(15, 15, 15)
        self.set_title(title)
        self.set_creator("Registri Inovasi Daerah")

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.report_title} — {self.page_no()}/{{nb}}", align="C")
        self.set_text_color(0)

    def heading(self, text: str, size: int = 12) -> None:
        self.ln(3)
        self.set_font("DejaVu", "B", size)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.set_font("DejaVu", "", 9)

    def fit(self, text: str, width: float) -> str:
        """The text shortened with an ellipsis to fit a table cell."""
        room = width - 2
        full = self.get_string_width(text)
        if full <= room:
            return text
        # Guess the length from the average glyph width, then trim: a few measurements instead of one a letter.
        keep = max(int(len(text) * room / full), 1)
        while keep > 1 and self.get_string_width(text[:keep] + "…") > room:
            keep -= 1
        return text[:keep] + "…"


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f").replace(".", ",")
    return str(value)


def write_pdf(data: ExportData) -> bytes:
    title = _("Regional Innovation Index %(region)s %(year)s") % {"region": data.region, "year": data.year}
    pdf = _Report(title)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for label, value in summary_lines(data)[2:]:
        pdf.multi_cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
    _pdf_summary(pdf, data)
    _pdf_variable_chart(pdf, data)
    _pdf_kematangan_chart(pdf, data)
    _pdf_table(pdf, data)
    return bytes(pdf.output())


def _pdf_summary(pdf: _Report, data: ExportData) -> None:
    pdf.heading(_("Summary"))
    widths = (80, 50, 50)
    pdf.set_font("DejaVu", "B", 9)
    for width, text in zip(widths, ("", _("Self-assessed"), _("Verified")), strict=True):
        pdf.cell(width, 6, text, border="B", align="R" if text else "L")
    pdf.ln()
    pdf.set_font("DejaVu", "", 9)
    for label, claimed, verified in score_lines(data):
        pdf.cell(widths[0], 6, label)
        pdf.cell(widths[1], 6, _fmt(claimed), align="R")
        pdf.cell(widths[2], 6, _fmt(verified), align="R")
        pdf.ln()
    if data.official is not None:
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(0, 6, _("Official result (Kemendagri)"), border="B", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        (label, claimed, validated), *texts = official_lines(data)
        pdf.cell(widths[0], 6, label)
        pdf.cell(widths[1], 6, "–" if claimed is None else _fmt(claimed), align="R")
        pdf.cell(widths[2], 6, "–" if validated is None else _fmt(validated), align="R")
        pdf.ln()
        for label, text, _empty in texts:
            pdf.multi_cell(0, 5, f"{label}: {text}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0,
        4.5,
        _("The IID covers every innovation of the cycle; the filters only limit the rows listed."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if data.index.spread_warning:
        pdf.multi_cell(0, 4.5, data.index.spread_warning, new_x="LMARGIN", new_y="NEXT")


def _legend(pdf: _Report) -> None:
    pdf.set_font("DejaVu", "", 8)
    for colour, text in ((CLAIMED_COLOUR, _("Self-assessed")), (VERIFIED_COLOUR, _("Verified"))):
        pdf.set_fill_color(*colour)
        pdf.rect(pdf.get_x(), pdf.get_y() + 1, 4, 3, style="F")
        pdf.set_x(pdf.get_x() + 5)
        pdf.cell(pdf.get_string_width(text) + 6, 5, text)
    pdf.ln(7)


def _bars(
    pdf: _Report, label: str, claimed: Decimal, verified: Decimal, maximum: Decimal, *, of: str = ""
) -> None:
    """One label with two horizontal bars (self-assessed above, verified below) on a 0–maximum scale."""
    label_width, bar_width, height = 66, 88, 3.2
    if pdf.will_page_break(2 * height + 2):
        pdf.add_page()
    x, y = pdf.l_margin, pdf.get_y()
    pdf.set_font("DejaVu", "", 7.5)
    pdf.set_xy(x, y)
    pdf.cell(label_width, 2 * height, pdf.fit(label, label_width))
    scale = Decimal(bar_width) / maximum if maximum else Decimal(0)
    pdf.set_draw_color(200)
    pdf.rect(x + label_width, y, bar_width, 2 * height)
    for offset, value, colour in ((0, claimed, CLAIMED_COLOUR), (height, verified, VERIFIED_COLOUR)):
        width = float(min(value, maximum) * scale)
        if width > 0:
            pdf.set_fill_color(*colour)
            pdf.rect(x + label_width, y + offset, width, height, style="F")
        pdf.set_xy(x + label_width + bar_width + 1, y + offset - 0.4)
        pdf.cell(22, height + 0.8, f"{_fmt(value)}{of}")
    pdf.set_xy(x, y + 2 * height + 1.5)


def _pdf_variable_chart(pdf: _Report, data: ExportData) -> None:
    pdf.heading(_("Score per variable"))
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0,
        4.5,
        _(
            "SPD: the sum of the region's row scores. SID: the average score per innovation counted. "
            "Each bar is drawn against the variable's maximum."
        ),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    _legend(pdf)
    for item in variable_scores(data.index.edition, data.index.result):
        _bars(
            pdf,
            f"{item.part} · {item.name}",
            item.claimed,
            item.verified,
            item.maximum,
            of=f" / {_fmt(item.maximum)}",
        )


def _pdf_kematangan_chart(pdf: _Report, data: ExportData) -> None:
    entries = sorted(data.entries, key=lambda row: (-(row.claimed or 0), row.agency))
    pdf.heading(_("Kematangan per innovation"))
    pdf.set_font("DejaVu", "", 8)
    maximum = data.index.edition.parameters.sid_per_innovation_max
    note = _("Drawn against the maximum kematangan of one innovation (%(max)s).") % {"max": _fmt(maximum)}
    if len(entries) > CHART_INNOVATIONS:
        note += " " + _("The %(shown)s highest of %(total)s innovations are drawn; the table lists all.") % {
            "shown": CHART_INNOVATIONS,
            "total": len(entries),
        }
    pdf.multi_cell(0, 4.5, note, new_x="LMARGIN", new_y="NEXT")
    _legend(pdf)
    if not entries:
        pdf.cell(0, 6, _("No innovation matches the filters."), new_x="LMARGIN", new_y="NEXT")
    for row in entries[:CHART_INNOVATIONS]:
        _bars(
            pdf, row.innovation or row.agency, row.claimed or Decimal(0), row.verified or Decimal(0), maximum
        )


def _pdf_table(pdf: _Report, data: ExportData) -> None:
    pdf.add_page()
    pdf.heading(_("Innovations"))
    columns = (
        (8, "#", "R"),
        (50, _("Agency"), "L"),
        (56, _("Innovation"), "L"),
        (30, _("Status"), "L"),
        (18, _("Claimed"), "R"),
        (18, _("Verified"), "R"),
    )

    def header():
        pdf.set_font("DejaVu", "B", 7.5)
        for width, text, align in columns:
            pdf.cell(width, 6, pdf.fit(text, width), border="B", align=align)
        pdf.ln()
        pdf.set_font("DejaVu", "", 7.5)

    header()
    for number, row in enumerate(data.entries, start=1):
        if pdf.will_page_break(5):
            pdf.add_page()
            header()
        values = (
            str(number),
            row.agency,
            row.innovation,
            row.state_label,
            _fmt(row.claimed),
            _fmt(row.verified),
        )
        for (width, _label, align), text in zip(columns, values, strict=True):
            pdf.cell(width, 5, pdf.fit(text, width), align=align)
        pdf.ln()
    if not data.entries:
        pdf.cell(0, 6, _("No innovation matches the filters."))


# --- the log --------------------------------------------------------------------------------------------------


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
