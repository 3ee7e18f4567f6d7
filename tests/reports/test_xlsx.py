"""The safeguards every workbook shares: hostile sheet titles, over-long cells, control characters and lone
surrogates give a file that openpyxl opens, with the text kept or visibly marked as cut."""

import io

import openpyxl
import pytest
from openpyxl import Workbook

from reports import handoff
from reports.xlsx import CELL_TEXT_MAX, CUT_MARK, Link, XlsxBook, cell_text, sheet_name

HOSTILE_TITLES = [
    "a/b?c*[d]",
    "Kepatuhan:2024\\Dinas",
    "'Kutipan'",
    "x" * 40,
    "",
    "\x00\x07",
    "Emoji \ud83d terpotong",
]
LONG = "Rancang bangun " + "a" * 40_000
CONTROLS = "baris\x00satu\x01\x08\x0b\x0c\x1f\ufffe akhir"
SURROGATES = "nama \ud83d dan \udc00 lagi"


def streamed_book(titles: list[str], rows: list[list]) -> openpyxl.Workbook:
    target = io.BytesIO()
    book = XlsxBook(target)
    for title in titles:
        sheet = book.sheet(title, ["Kolom A", "Kolom B"], [20, 20])
        for row in rows:
            sheet.append(row)
    book.close()
    target.seek(0)
    return openpyxl.load_workbook(target)


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_a_hostile_title_gives_a_valid_unique_sheet_name(title):
    name = sheet_name(title)
    assert 1 <= len(name) <= 31
    assert not set(name) & set("[]:*?/\\")
    assert not name.startswith("'") and not name.endswith("'")
    assert name.isprintable()


def test_sheet_names_stay_unique_whatever_the_case_and_length():
    used: list[str] = []
    for title in ["Ringkasan", "ringkasan", "RINGKASAN", "x" * 40, "x" * 35]:
        used.append(sheet_name(title, used))
    assert used == ["Ringkasan", "ringkasan (2)", "RINGKASAN (3)", "x" * 31, "x" * 27 + " (2)"]


def test_the_streaming_writer_opens_with_hostile_titles_and_duplicates():
    book = streamed_book([*HOSTILE_TITLES, "Ringkasan", "RINGKASAN"], [["a", 1]])
    assert len(book.sheetnames) == len(HOSTILE_TITLES) + 2
    assert len({name.casefold() for name in book.sheetnames}) == len(book.sheetnames)
    assert book.sheetnames[0] == "a b c d"
    assert book.sheetnames[-1] == "RINGKASAN (2)"


def test_cell_text_keeps_short_text_and_marks_a_cut():
    assert cell_text("Dinas Kesehatan") == "Dinas Kesehatan"
    cut = cell_text(LONG)
    assert len(cut) == CELL_TEXT_MAX and cut.endswith(CUT_MARK) and cut.startswith("Rancang bangun aaa")
    assert cell_text(CONTROLS) == "barissatu akhir"
    assert cell_text(SURROGATES) == "nama \ufffd dan \ufffd lagi"


def test_the_streaming_writer_keeps_long_control_and_surrogate_text_readable():
    rows = [
        [LONG, " " + LONG],  # the fast path and the xml:space path
        [CONTROLS, SURROGATES],
        [Link(SURROGATES, "https://parepare.go.id/\ud83d"), Link("panjang", "https://x.id/" + "a" * 3000)],
    ]
    sheet = streamed_book(["Data"], rows)["Data"]
    long_value, spaced = sheet["A2"].value, sheet["B2"].value
    assert len(long_value) == CELL_TEXT_MAX and long_value.endswith(CUT_MARK)
    assert len(spaced) == CELL_TEXT_MAX and spaced.startswith(" Rancang")
    assert (sheet["A3"].value, sheet["B3"].value) == ("barissatu akhir", "nama \ufffd dan \ufffd lagi")
    assert sheet["A4"].value == "nama \ufffd dan \ufffd lagi"
    assert sheet["A4"].hyperlink.target == "https://parepare.go.id/\ufffd"
    # Longer than Excel keeps a link: the text stays, without the link.
    assert sheet["B4"].value == "panjang" and sheet["B4"].hyperlink is None


def test_the_hand_off_workbook_applies_the_same_safeguards():
    book = Workbook(write_only=True)
    names: list[str] = []
    for title in ["a/b?c*[d]", "A B C D", "Emoji \ud83d"]:
        names.append(sheet_name(title, names))
        sheet = book.create_sheet(title=names[-1])
        sheet.append([handoff.write_cell(sheet, value) for value in (LONG, CONTROLS, SURROGATES)])
    target = io.BytesIO()
    book.save(target)
    target.seek(0)
    opened = openpyxl.load_workbook(target)
    assert opened.sheetnames == ["a b c d", "A B C D (2)", "Emoji \ufffd"]
    first = opened["a b c d"]
    assert first["A1"].value.endswith(CUT_MARK) and len(first["A1"].value) == CELL_TEXT_MAX
    assert (first["B1"].value, first["C1"].value) == ("barissatu akhir", "nama \ufffd dan \ufffd lagi")
