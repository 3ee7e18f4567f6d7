"""Upload samples built in code, byte by byte: PDFs (with or without object streams), image and video heads.

`pdf()` writes a file whose cross-reference offsets are right, so a strict parser reads it; what a sample
carries (scripts, attachments, encryption) is spelled out in the objects the test passes.
"""

import zlib
from collections.abc import Sequence

CATALOG = b"<< /Type /Catalog /Pages 2 0 R%s >>"
PAGES = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
PAGE = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842]%s >>"

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x02\x00\x00\x00" + bytes(64)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + bytes(64) + b"\xff\xd9"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00\x00\x00\x08free" + bytes(64)


def pdf(
    *objects: bytes, trailer: bytes = b"", packed: Sequence[int] = (), header: bytes = b"%PDF-1.7"
) -> bytes:
    """A PDF whose object n is objects[n - 1], object 1 its catalog.

    Objects numbered in `packed` go, compressed, into one object stream (then listed by a cross-reference
    stream, as PDF 1.5 writers do): their bytes appear nowhere in the file as written.
    """
    out = bytearray(header + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for number, body in enumerate(objects, 1):
        if number not in packed:
            offsets[number] = len(out)
            out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    if not packed:
        xref = len(out)
        out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
        out += b"".join(b"%010d 00000 n \n" % offsets[number] for number in range(1, len(objects) + 1))
        out += b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
            len(objects) + 1,
            trailer,
            xref,
        )
        return bytes(out)
    stream_number, xref_number = len(objects) + 1, len(objects) + 2
    table, data = [], b""
    for number in packed:
        table.append(b"%d %d" % (number, len(data)))
        data += objects[number - 1] + b"\n"
    first = b" ".join(table) + b"\n"
    compressed = zlib.compress(first + data)
    offsets[stream_number] = len(out)
    out += b"%d 0 obj\n<< /Type /ObjStm /N %d /First %d /Filter /FlateDecode /Length %d >>\nstream\n" % (
        stream_number,
        len(packed),
        len(first),
        len(compressed),
    )
    out += compressed + b"\nendstream\nendobj\n"
    offsets[xref_number] = len(out)
    rows = [b"\x00" + (0).to_bytes(4, "big") + (65535).to_bytes(2, "big")]
    for number in range(1, xref_number + 1):
        if number in packed:
            rows.append(b"\x02" + stream_number.to_bytes(4, "big") + packed.index(number).to_bytes(2, "big"))
        else:
            rows.append(b"\x01" + offsets[number].to_bytes(4, "big") + b"\x00\x00")
    table_bytes = b"".join(rows)
    out += b"%d 0 obj\n<< /Type /XRef /Size %d /W [1 4 2] /Root 1 0 R%s /Length %d >>\nstream\n" % (
        xref_number,
        xref_number + 1,
        trailer,
        len(table_bytes),
    )
    out += table_bytes + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[xref_number]
    return bytes(out)


def one_page(*extra: bytes, catalog: bytes = b"", page: bytes = b"", **options) -> bytes:
    """A one-page PDF; `extra` objects are numbered from 4, `catalog` and `page` add entries to those two."""
    return pdf(CATALOG % catalog, PAGES, PAGE % page, *extra, **options)


VALID_PDF = one_page()
JS_ACTION = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
