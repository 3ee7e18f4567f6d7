"""The index report as PDF: the summary beside the official result, the variable and kematangan charts, and
the table of innovations."""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from fpdf import FPDF

from reports.data import ExportData
from reports.export_lines import official_lines, score_lines, summary_lines
from scoring.index import variable_scores

# Vendored so that a fresh machine without Debian's fonts-dejavu writes the same PDF.
FONT_DIR = Path(settings.BASE_DIR) / "static" / "fonts"
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
