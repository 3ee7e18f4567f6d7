"""The index workbook: summary, SPD rows, innovations, evidence and the compliance board, one sheet after the
other through the streaming writer of `reports.xlsx` (every text an inline string, never a formula)."""

from django.utils.translation import gettext as _

from reports.data import ExportData
from reports.export_lines import (
    Labels,
    compliance_header,
    compliance_values,
    official_lines,
    score_lines,
    summary_lines,
)
from reports.xlsx import BOLD, Link, XlsxBook
from scoring import explanations


def write_xlsx(data: ExportData, target) -> None:
    """Write the workbook to a path or a binary file object, one sheet after the other."""
    book = XlsxBook(target)
    _summary_sheet(book, data)
    _spd_sheet(book, data)
    _innovation_sheet(book, data)
    _evidence_sheet(book, data)
    _compliance_sheet(book, data)
    book.close()


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
        sheet.append(
            [
                row.id,
                row.variable,
                row.name,
                row.bobot,
                mine.level,
                checked.counted_level,
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


def _compliance_sheet(book: XlsxBook, data: ExportData) -> None:
    sheet = book.sheet("Kepatuhan", compliance_header(), [16, 36, 16, 20, 20, 40, 14, 14])
    labels = Labels()
    for row in data.rows:
        sheet.append(compliance_values(row, labels))
