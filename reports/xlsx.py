"""A small streaming writer of SpreadsheetML, and the safeguards every workbook of the registry shares.

openpyxl builds an object and an XML element for every cell, about 30 µs a cell here, and a cycle of 5,000
innovations has over a million cells (most of them in "Bukti"). Writing each row as text straight into the ZIP
entry is some twenty times faster and keeps memory flat. The files are read back with openpyxl in the tests.
Every text is an inline string, which a spreadsheet never evaluates, so text beginning with "=" stays text.

The safeguards (`sheet_name`, `cell_text`) are also what the hand-off workbook, written with openpyxl, applies:
a title or a text from a person must never make a file that a spreadsheet refuses to open.
"""

import datetime
import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from xml.sax.saxutils import escape as xml_escape

from django.utils.translation import gettext as _

# Excel's limits: a sheet title of at most 31 characters without []:*?/\ (nor an apostrophe at either end),
# unique in its workbook whatever the case; a cell of at most 32,767 characters; a link of 2,079.
SHEET_NAME_MAX = 31
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
CELL_TEXT_MAX = 32_767
# Marks text shortened to fit a cell, so a reader knows it goes on in the registry.
CUT_MARK = " […]"
LINK_MAX = 2_079
# Characters XML 1.0 does not allow: a name pasted from elsewhere must not make the whole file unreadable.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A lone surrogate (half of a UTF-16 pair, e.g. from a text cut in the middle of an emoji) cannot be encoded
# as UTF-8: replaced by U+FFFD, it shows where a character was lost instead of aborting the whole file.
_SURROGATE = re.compile("[\ud800-\udfff]")


def cell_text(value: str) -> str:
    """Text a workbook can hold: no character XML forbids, no lone surrogate, at most `CELL_TEXT_MAX` long."""
    if not value.isprintable():  # every character removed or replaced here is unprintable
        value = _SURROGATE.sub("\ufffd", _ILLEGAL_XML.sub("", value))
    if len(value) > CELL_TEXT_MAX:
        value = value[: CELL_TEXT_MAX - len(CUT_MARK)] + CUT_MARK
    return value


def sheet_name(text: str, used: Iterable[str] = ()) -> str:
    """A valid worksheet title: cleaned, at most 31 characters, and unlike every title in `used` (any case)."""
    cleaned = " ".join(SHEET_FORBIDDEN.sub(" ", cell_text(text)).split())
    name = cleaned[:SHEET_NAME_MAX].strip(" '") or "Sheet"
    taken = {title.casefold() for title in used}
    number = 1
    candidate = name
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number})"
        candidate = name[: SHEET_NAME_MAX - len(suffix)].rstrip(" '") + suffix
    return candidate


_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
# Style indexes of `_STYLES` below.
PLAIN, DECIMAL, DATE, BOLD, LINK = range(5)
_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="3"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font>'
    '<font><u/><sz val="11"/><color rgb="FF0563C1"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="2" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
# Excel keeps at most this many hyperlinks in a sheet; past it the address stays as text.
MAX_HYPERLINKS = 65_530
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
_ROWS_PER_WRITE = 500


@dataclass(frozen=True)
class Link:
    text: str
    url: str


def _column_letters(count: int) -> list[str]:
    letters = []
    for number in range(1, count + 1):
        name = ""
        while number:
            number, rest = divmod(number - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


_COLUMNS = _column_letters(702)  # A … ZZ


def _text(value: str) -> str:
    return xml_escape(cell_text(value))


def _attribute(value: str) -> str:
    """Text for a double-quoted XML attribute, as `xml_escape` with '"' would give it, without its per-call dict."""
    if not value.isprintable():  # every character XML forbids is unprintable
        value = _SURROGATE.sub("\ufffd", _ILLEGAL_XML.sub("", value))
    return value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace('"', "&quot;")


def cell_xml(ref: str, value, style: int = PLAIN) -> str:
    """One cell: numbers as numbers (Decimal with two decimals shown), dates as dates, everything else text."""
    # Text first and without isinstance chains: a large workbook is mostly text cells.
    if type(value) is not str:
        if value is None:
            value = ""
        elif isinstance(value, bool):
            value = _("yes") if value else _("no")
        elif isinstance(value, Decimal):
            return f'<c r="{ref}" s="{DECIMAL if style == PLAIN else style}"><v>{format(value, "f")}</v></c>'
        elif isinstance(value, int | float):
            return f'<c r="{ref}" s="{style}"><v>{value!r}</v></c>'
        elif isinstance(value, datetime.date):
            day = value.date() if isinstance(value, datetime.datetime) else value
            return f'<c r="{ref}" s="{DATE}"><v>{(day - _EXCEL_EPOCH).days}</v></c>'
        else:
            value = str(value)
    if not value:
        return f'<c r="{ref}" s="{style}"/>' if style != PLAIN else ""
    value = cell_text(value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<c r="{ref}" s="{style}" t="inlineStr"><is><t{space}>{text}</t></is></c>'


class XlsxSheet:
    """One worksheet streamed into the workbook's ZIP: a bold header row frozen on top, then rows as they come."""

    def __init__(self, archive: zipfile.ZipFile, number: int, header: list[str], widths: list[int]):
        self.number = number
        self.archive = archive
        self.stream = archive.open(f"xl/worksheets/sheet{number}.xml", "w")
        self.rows = 0
        self.links: list[tuple[str, str]] = []
        self._pending: list[str] = []
        selected = ' tabSelected="1"' if number == 1 else ""
        columns = "".join(
            f'<col min="{column}" max="{column}" width="{width}" customWidth="1"/>'
            for column, width in enumerate(widths, start=1)
        )
        self._write(
            f'{_XML_HEAD}<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<sheetViews><sheetView workbookViewId="0"{selected}>'
            '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{columns}</cols><sheetData>'
        )
        self.append(header, style=BOLD)

    def _write(self, text: str) -> None:
        self.stream.write(text.encode("utf-8"))

    def append(self, values: Iterable, *, style: int = PLAIN) -> None:
        """One row. The common cells (text, whole numbers, empty) are written here exactly as `cell_xml` would
        write them: a function call per cell costs about a second for the million cells of a large cycle."""
        self.rows += 1
        number = str(self.rows)
        text_tail = f'{number}" s="{style}" t="inlineStr"><is><t>'
        cells = [f'<row r="{number}">']
        add = cells.append
        for column, value in zip(_COLUMNS, values, strict=False):
            kind = value.__class__
            if kind is Link:
                ref = column + number
                if len(self.links) < MAX_HYPERLINKS and len(value.url) <= LINK_MAX:
                    self.links.append((ref, value.url))
                    add(cell_xml(ref, value.text, LINK))
                else:
                    add(cell_xml(ref, value.text))
                continue
            # Printable text has no whitespace but " ", so only a space at either end needs xml:space.
            if (
                kind is str
                and value
                and value.isprintable()
                and value[0] != " "
                and value[-1] != " "
                and len(value) <= CELL_TEXT_MAX
            ):
                if "&" in value or "<" in value or ">" in value:
                    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
                add(f'<c r="{column}{text_tail}{value}</t></is></c>')
            elif kind is int:
                add(f'<c r="{column}{number}" s="{style}"><v>{value}</v></c>')
            elif value is None and style == PLAIN:
                continue
            else:
                add(cell_xml(column + number, value, style))
        add("</row>")
        self._pending.append("".join(cells))
        if len(self._pending) >= _ROWS_PER_WRITE:
            self._write("".join(self._pending))
            self._pending = []

    def close(self) -> None:
        self._write("".join(self._pending))
        self._pending = []
        self._write("</sheetData>")
        if self.links:
            self._write("<hyperlinks>")
            for start in range(0, len(self.links), _ROWS_PER_WRITE):
                self._write(
                    "".join(
                        f'<hyperlink ref="{ref}" r:id="rId{number}"/>'
                        for number, (ref, _url) in enumerate(
                            self.links[start : start + _ROWS_PER_WRITE], start + 1
                        )
                    )
                )
            self._write("</hyperlinks>")
        self._write(
            '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>'
        )
        self._write("</worksheet>")
        self.stream.close()
        if self.links:
            with self.archive.open(f"xl/worksheets/_rels/sheet{self.number}.xml.rels", "w") as rels:
                rels.write(f'{_XML_HEAD}<Relationships xmlns="{_PACKAGE_REL_NS}">'.encode())
                # Written a few hundred at a time: one deflate call per link costs more than the links.
                for start in range(0, len(self.links), _ROWS_PER_WRITE):
                    rels.write(
                        "".join(
                            f'<Relationship Id="rId{number}" Type="{_REL_NS}/hyperlink" '
                            f'Target="{_attribute(url)}" TargetMode="External"/>'
                            for number, (_ref, url) in enumerate(
                                self.links[start : start + _ROWS_PER_WRITE], start + 1
                            )
                        ).encode()
                    )
                rels.write(b"</Relationships>")
            self.links = []


class XlsxBook:
    """A workbook of streamed sheets, written one after the other into a ZIP (a path or a binary file)."""

    def __init__(self, target):
        # Level 1 deflates the sheets' XML twice as fast as the default for a file some 6 % larger.
        self.archive = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self.titles: list[str] = []
        self.current: XlsxSheet | None = None

    def sheet(self, title: str, header: list[str], widths: list[int]) -> XlsxSheet:
        if self.current:
            self.current.close()
        self.titles.append(sheet_name(title, self.titles))
        self.current = XlsxSheet(self.archive, len(self.titles), header, widths)
        return self.current

    def close(self) -> None:
        if self.current:
            self.current.close()
        count = len(self.titles)
        sheets = "".join(
            f'<sheet name="{_text(title)}" sheetId="{number}" r:id="rId{number}"/>'
            for number, title in enumerate(self.titles, 1)
        )
        parts = {
            "[Content_Types].xml": (
                '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                '<Default Extension="xml" ContentType="application/xml"/>'
                '<Override PartName="/xl/workbook.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
                '<Override PartName="/xl/styles.xml" '
                'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
                + "".join(
                    f'<Override PartName="/xl/worksheets/sheet{number}.xml" '
                    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                    for number in range(1, count + 1)
                )
                + "</Types>"
            ),
            "_rels/.rels": (
                f'<Relationships xmlns="{_PACKAGE_REL_NS}">'
                f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
                "</Relationships>"
            ),
            "xl/workbook.xml": (
                f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                f'<bookViews><workbookView activeTab="0"/></bookViews><sheets>{sheets}</sheets></workbook>'
            ),
            "xl/_rels/workbook.xml.rels": (
                f'<Relationships xmlns="{_PACKAGE_REL_NS}">'
                + "".join(
                    f'<Relationship Id="rId{number}" Type="{_REL_NS}/worksheet" Target="worksheets/sheet{number}.xml"/>'
                    for number in range(1, count + 1)
                )
                + f'<Relationship Id="rId{count + 1}" Type="{_REL_NS}/styles" Target="styles.xml"/>'
                "</Relationships>"
            ),
            "xl/styles.xml": _STYLES,
        }
        for name, text in parts.items():
            self.archive.writestr(name, _XML_HEAD + text)
        self.archive.close()
