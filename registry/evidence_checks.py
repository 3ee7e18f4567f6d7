"""Checks on one item of data dukung before it is stored: an uploaded file, a link, a document date.

An upload's type is read from its first bytes, never from its name or from the content type the
browser sent, and only PDF, JPG/PNG and MP4 pass. Programs, Office files and web pages are refused by
name, so the innovator learns what to do instead. A PDF is parsed with pypdf: encrypted files, files with
scripts, automatic actions, attachments or multimedia, and what does not parse are refused. The name a file
is stored under comes from stored_name(), never straight from the browser. Nothing here touches the database or the network:
a form calls these functions and turns `EvidenceRejected` into a field error, for example
``raise ValidationError(error.message, code=error.code)``.

Evidence kinds are the catalogue's strings (`pdf`, `image`, `screenshot`, `video`, `link`,
`metadata`); a row lists the kinds it accepts.
"""

import contextlib
import io
import ipaddress
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

try:  # pypdf 7: limits set for one block of code
    from pypdf import apply_configuration
except ImportError:  # pragma: no cover - pypdf 5 and 6 keep their module-wide defaults
    apply_configuration = None

MB = 1024 * 1024
# Overridden, kind by kind, by settings.REGISTRI_EVIDENCE_MAX_BYTES.
DEFAULT_MAX_BYTES = MappingProxyType({"pdf": 20 * MB, "image": 10 * MB, "video": 100 * MB})
MAX_LINK_LENGTH = 500  # Evidence.url's max_length
MAX_NAME_LENGTH = 150  # characters of the name people see (Evidence.original_name)
# Bytes, not characters: file systems limit a name to 255 bytes, and "é" takes two, an emoji four. The storage
# may add "_" and 7 characters when the name is taken.
MAX_STORED_STEM_BYTES = 100
# No regional government document predates the Republic; an earlier year is a typo.
EARLIEST_DOCUMENT_DATE = date(1945, 1, 1)

FILE_KINDS = frozenset({"pdf", "image", "screenshot", "video"})
KNOWN_KINDS = FILE_KINDS | {"link", "metadata"}

HEAD_BYTES = 2048
TAIL_BYTES = 4096
PDF_HEADER_WINDOW = 1024  # the PDF specification lets `%PDF-` start anywhere in the first 1 KB


class EvidenceRejected(Exception):
    """An evidence item was refused. str() is the message for the innovator, in the active language."""

    def __init__(self, message: str, *, code: str = "invalid") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class CheckedFile:
    """What the content of an accepted upload turned out to be; `content_type` is ours, not the browser's."""

    kind: str  # "pdf", "image" or "video"
    content_type: str
    extension: str  # lower case with its dot, as the file's name has it: ".jpeg" stays ".jpeg"
    size: int
    original_name: str  # cleaned for display: no path, no control or direction characters
    # The name to store the file under: fits any file system, ends in `extension`; see stored_name().
    stored_name: str = ""


# --- uploads ----------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Format:
    kind: str
    content_type: str
    extensions: tuple[str, ...]
    description: Promise


_PDF = _Format("pdf", "application/pdf", (".pdf",), gettext_lazy("a PDF document"))
_JPEG = _Format("image", "image/jpeg", (".jpg", ".jpeg"), gettext_lazy("a JPG image"))
_PNG = _Format("image", "image/png", (".png",), gettext_lazy("a PNG image"))
_MP4 = _Format("video", "video/mp4", (".mp4",), gettext_lazy("an MP4 video"))

_PROGRAM_PREFIXES = (
    b"MZ",  # Windows .exe/.dll
    b"\x7fELF",  # Linux, Android native code
    b"\xfe\xed\xfa\xce",  # Mach-O, 32 and 64 bit, both byte orders, and universal binaries
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",
    b"#!",  # a script for an interpreter
)
# ZIP holds .docx/.xlsx/.pptx/.odt and .apk; OLE2 holds the older .doc/.xls/.ppt.
_OFFICE_PREFIXES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
_QUICKTIME_BRAND = b"qt  "
# Old QuickTime files start with one of these atoms instead of `ftyp`.
_QUICKTIME_FIRST_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"pnot"})
# ISO media files that are still pictures (iPhone photos are HEIC), not videos.
_HEIF_BRANDS = frozenset(
    {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif", b"avis"}
)

_REFUSALS = {
    "program": gettext_lazy(
        "The file %(name)s is a program, not a document. Only PDF documents, JPG/PNG images and MP4 "
        "videos can be uploaded."
    ),
    "office": gettext_lazy(
        "The file %(name)s is a Word/Excel document or a ZIP archive. Save it as PDF first, then upload "
        "the PDF."
    ),
    "markup": gettext_lazy(
        "The file %(name)s is a web page or markup file (HTML, SVG or XML), which can carry scripts. Save "
        "it as PDF first, then upload the PDF."
    ),
    "quicktime": gettext_lazy(
        "The file %(name)s is a QuickTime (.mov) video; from 2024 only MP4 videos are accepted. Convert "
        "it to MP4 and upload it again."
    ),
    "heif": gettext_lazy(
        "The file %(name)s is a HEIC/HEIF photo, which is not accepted. Save it as JPG and upload it again."
    ),
    "unknown": gettext_lazy("The file %(name)s is not a PDF, JPG/PNG image or MP4 video."),
}


def check_upload(uploaded_file, allowed_kinds: Sequence[str]) -> CheckedFile:
    """Accept an upload for an indicator that allows `allowed_kinds`, or raise EvidenceRejected.

    Images and videos are judged by their first 2 KB and last 4 KB; a PDF is also parsed whole (_check_pdf).
    Everything goes through seek/read, so an InMemoryUploadedFile and a TemporaryUploadedFile behave alike;
    the file is left at position 0 either way.
    """
    _require_kind_list(allowed_kinds)
    name = display_name(getattr(uploaded_file, "name", "") or "")
    try:
        uploaded_file.seek(0, os.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
        head = uploaded_file.read(HEAD_BYTES)
        uploaded_file.seek(max(size - TAIL_BYTES, 0))
        tail = uploaded_file.read(TAIL_BYTES)
        checked = _check_content(name, size, head, tail, allowed_kinds)
        if checked.kind == "pdf":
            _check_pdf(uploaded_file, size, name)
    finally:
        uploaded_file.seek(0)
    return checked


def _check_content(
    name: str, size: int, head: bytes, tail: bytes, allowed_kinds: Sequence[str]
) -> CheckedFile:
    if size == 0:
        raise EvidenceRejected(gettext("The file %(name)s is empty.") % {"name": name}, code="empty")
    found = _detect(head)
    if isinstance(found, str):
        raise EvidenceRejected(_REFUSALS[found] % {"name": name}, code=found)
    extension = _split_extension(name)[1].lower()
    if extension not in found.extensions:
        raise EvidenceRejected(
            gettext(
                "The name of the file %(name)s does not match its content: it is %(actual)s, so the name "
                "must end in %(expected)s. Rename the file and upload it again."
            )
            % {"name": name, "actual": found.description, "expected": get_text_list(found.extensions)},
            code="extension_mismatch",
        )
    if not _file_kind_allowed(found.kind, allowed_kinds):
        raise EvidenceRejected(
            gettext("The file %(name)s is %(actual)s, but this indicator accepts only %(accepted)s.")
            % {"name": name, "actual": found.description, "accepted": describe_kinds(allowed_kinds)},
            code="kind_not_accepted",
        )
    limit = _max_bytes(found.kind)
    if size > limit:
        raise EvidenceRejected(
            gettext(
                "The file %(name)s is %(size)s; files of this type may be at most %(limit)s. Make it "
                "smaller and upload it again."
            )
            % {"name": name, "size": filesizeformat(size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    return CheckedFile(
        kind=found.kind,
        content_type=found.content_type,
        extension=extension,
        size=size,
        original_name=name,
        stored_name=stored_name(name, extension),
    )


def _detect(head: bytes) -> _Format | str:
    """The accepted format the content starts like, or the key of the refusal it earns."""
    if head.startswith(_PROGRAM_PREFIXES):
        return "program"
    if head.startswith(_OFFICE_PREFIXES):
        return "office"
    if head.startswith(b"\xff\xd8\xff"):
        return _JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _PNG
    box_type, brand = head[4:8], head[8:12]
    if box_type == b"ftyp":
        if brand == _QUICKTIME_BRAND:
            return "quicktime"
        return "heif" if brand in _HEIF_BRANDS else _MP4
    if box_type in _QUICKTIME_FIRST_ATOMS:
        return "quicktime"
    text = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"<?php"):
        return "program"
    # Checked before the PDF header, which may sit up to 1 KB in: an HTML page in front of a PDF is
    # the classic polyglot.
    if text.startswith(b"<"):
        return "markup"
    if b"%PDF-" in head[:PDF_HEADER_WINDOW]:
        return _PDF
    return "unknown"


def _file_kind_allowed(kind: str, allowed_kinds: Sequence[str]) -> bool:
    if kind == "image":
        return "image" in allowed_kinds or "screenshot" in allowed_kinds
    return kind in allowed_kinds


def file_kind_limit(head: bytes) -> int:
    """The size limit of the kind of file whose content starts with `head`; the largest one for any other."""
    found = _detect(head)
    return _max_bytes(found.kind) if isinstance(found, _Format) else largest_limit()


def largest_limit() -> int:
    return max(_max_bytes(kind) for kind in DEFAULT_MAX_BYTES)


def kind_limits() -> dict[str, int]:
    """The largest file accepted, per kind ("pdf", "image", "video")."""
    return {kind: _max_bytes(kind) for kind in DEFAULT_MAX_BYTES}


def _max_bytes(kind: str) -> int:
    configured = getattr(settings, "REGISTRI_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    return {**DEFAULT_MAX_BYTES, **configured}[kind]


# --- PDF structure ----------------------------------------------------------------------------------------

# What may follow the last %%EOF: scanners and some upload tools pad files with NUL bytes or line breaks.
_PDF_PADDING = b"\x00\t\n\r\f "
PDF_SCAN_BLOCK = 1024 * 1024
# A malicious file must not keep a worker busy: the walk over its objects stops at these, and the file is
# refused as too complex (real documents of 20 MB have a few thousand objects).
PDF_MAX_OBJECTS = 100_000
PDF_MAX_SECONDS = 5.0
# No stream of an accepted PDF decompresses to more than this while it is checked (zip-bomb streams).
PDF_MAX_DECODED_BYTES = 32 * MB

# Names searched in the raw bytes as well, with #xx escapes undone, so that an object the parser skips (a
# broken cross-reference table read differently by a viewer) cannot hide them. Only long names: "/JS" or
# "/AA" occur by chance in 20 MB of compressed data.
_RAW_NAME = re.compile(rb"/((?:[A-Za-z]|#[0-9A-Fa-f]{2}){6,20})(?![A-Za-z0-9#])")
_HEX_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")

_ACTIVE_WHAT = {
    "javascript": gettext_lazy("scripts (JavaScript)"),
    "automatic": gettext_lazy("actions that run by themselves when the document is opened or read"),
    "launch": gettext_lazy("a command that opens other programs or files"),
    "attachment": gettext_lazy("attached files"),
    "multimedia": gettext_lazy("embedded multimedia (Flash, 3D, video or sound)"),
    "form": gettext_lazy("a form that sends or loads data"),
}
_RAW_ACTIVE_NAMES = {
    b"JavaScript": "javascript",
    b"Launch": "launch",
    b"EmbeddedFile": "attachment",
    b"EmbeddedFiles": "attachment",
    b"RichMedia": "multimedia",
    b"RichMediaContent": "multimedia",
    b"RichMediaExecute": "multimedia",
}
# Keys whose presence alone is active content, wherever they are.
_ACTIVE_KEYS = {
    "/JavaScript": "javascript",
    "/JS": "javascript",
    "/AA": "automatic",
    "/EmbeddedFiles": "attachment",
    "/EF": "attachment",
    "/RichMediaContent": "multimedia",
    "/RichMediaSettings": "multimedia",
    "/XFA": "form",
}
# Values of /S (action type), /Subtype (annotation type) and /Type that are. An /OpenAction that only goes
# to a page (/GoTo, or a destination array, as Word and LibreOffice write) is harmless and passes.
_ACTIVE_VALUES = {
    "/S": {
        "/JavaScript": "javascript",
        "/Launch": "launch",
        "/GoToR": "launch",
        "/GoToE": "attachment",
        "/ImportData": "form",
        "/SubmitForm": "form",
        "/RichMediaExecute": "multimedia",
        "/Rendition": "multimedia",
        "/Movie": "multimedia",
        "/Sound": "multimedia",
    },
    "/Subtype": {
        "/FileAttachment": "attachment",
        "/RichMedia": "multimedia",
        "/Screen": "multimedia",
        "/Movie": "multimedia",
        "/Sound": "multimedia",
        "/3D": "multimedia",
    },
    "/Type": {"/EmbeddedFile": "attachment"},
}


def _check_pdf(uploaded_file, size: int, name: str) -> None:
    """Refuse a PDF that is cut short, has data appended, is encrypted, has no page or carries active content.

    The signature sniff only saw `%PDF-`; here pypdf parses the file (leniently, as viewers do) and every
    object reachable from its trailer is looked at, within PDF_MAX_OBJECTS and PDF_MAX_SECONDS.
    """
    end = _end_of_data(uploaded_file, size)
    uploaded_file.seek(max(end - TAIL_BYTES, 0))
    last_bytes = uploaded_file.read(end - max(end - TAIL_BYTES, 0))
    if not last_bytes.endswith(b"%%EOF"):
        if b"%%EOF" in last_bytes:
            raise EvidenceRejected(
                gettext(
                    "The file %(name)s has other data after the end of the PDF document. Print the document "
                    "again to PDF (Print → Save as PDF) and upload the new file."
                )
                % {"name": name},
                code="appended_data",
            )
        raise EvidenceRejected(
            gettext("The file %(name)s is damaged or was not uploaded completely. Upload it again.")
            % {"name": name},
            code="damaged",
        )
    raw = _raw_active_content(uploaded_file, end)
    if raw == "encrypted":
        raise _encrypted(name)
    if raw:
        raise _active(name, raw)
    uploaded_file.seek(0)
    stream = getattr(uploaded_file, "file", uploaded_file)
    if end < size:
        # pypdf looks for %%EOF line by line from the end, slowly through megabytes of padding.
        stream = io.BytesIO(uploaded_file.read(end))
    try:
        with _pdf_limits():
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                raise _encrypted(name)
            pages = len(reader.pages)
            found = _walk_for_active_content(reader.trailer, deadline=time.monotonic() + PDF_MAX_SECONDS)
    except EvidenceRejected:
        raise
    except Exception as error:  # pypdf raises many kinds on hostile input; none may become a server error
        raise _unreadable(name) from error
    if found == "too_complex":
        raise EvidenceRejected(
            gettext(
                "The file %(name)s is too complex to be checked. Print the document again to PDF (Print → "
                "Save as PDF) and upload the new file."
            )
            % {"name": name},
            code="too_complex",
        )
    if found:
        raise _active(name, found)
    if pages == 0:
        raise EvidenceRejected(
            gettext("The file %(name)s has no pages. Open it to check, save it as PDF again and upload it.")
            % {"name": name},
            code="no_pages",
        )


def _encrypted(name: str) -> EvidenceRejected:
    return EvidenceRejected(
        gettext(
            "The file %(name)s is protected with a password. Save a copy without the password and upload it again."
        )
        % {"name": name},
        code="encrypted",
    )


def _unreadable(name: str) -> EvidenceRejected:
    return EvidenceRejected(
        gettext(
            "The file %(name)s cannot be read as a PDF document. Open it, print it again to PDF (Print → Save "
            "as PDF) and upload the new file."
        )
        % {"name": name},
        code="unreadable",
    )


def _active(name: str, what: str) -> EvidenceRejected:
    return EvidenceRejected(
        gettext(
            "The file %(name)s contains %(what)s, which evidence may not carry. Print the document again to PDF "
            "(Print → Save as PDF) without attachments or scripts, then upload the new file."
        )
        % {"name": name, "what": _ACTIVE_WHAT[what]},
        code="active_content",
    )


def _end_of_data(uploaded_file, size: int) -> int:
    """Where the content ends once trailing padding is left out (0 for a file of padding only)."""
    end = size
    while end > 0:
        start = max(end - PDF_SCAN_BLOCK, 0)
        uploaded_file.seek(start)
        kept = uploaded_file.read(end - start).rstrip(_PDF_PADDING)
        if kept:
            return start + len(kept)
        end = start
    return 0


def _raw_active_content(uploaded_file, end: int) -> str:
    """ "encrypted", a key of _ACTIVE_WHAT, or "" for the first suspicious name met in the raw bytes."""
    overlap = 64  # longer than any name searched for, escapes included
    position = 0
    while position < end:
        uploaded_file.seek(max(position - overlap, 0))
        block = uploaded_file.read(min(PDF_SCAN_BLOCK, end - position) + min(position, overlap))
        for match in _RAW_NAME.finditer(block):
            found = _HEX_ESCAPE.sub(lambda escape: bytes.fromhex(escape.group(1).decode()), match.group(1))
            if found == b"Encrypt":
                return "encrypted"
            if found in _RAW_ACTIVE_NAMES:
                return _RAW_ACTIVE_NAMES[found]
        position += PDF_SCAN_BLOCK
    return ""


def _walk_for_active_content(trailer, *, deadline: float) -> str:
    """A key of _ACTIVE_WHAT, "too_complex", or "" after visiting every object reachable from the trailer.

    Iterative, so deep nesting cannot exhaust the stack; each indirect object is resolved once. Streams are
    looked at through their dictionary only: their data is never decoded here.
    """
    seen: set[tuple[int, int]] = set()
    pending = [trailer]
    visited = 0
    while pending:
        item = pending.pop()
        visited += 1
        if visited > PDF_MAX_OBJECTS or (visited % 256 == 0 and time.monotonic() > deadline):
            return "too_complex"
        if isinstance(item, IndirectObject):
            reference = (item.idnum, item.generation)
            if reference in seen:
                continue
            seen.add(reference)
            pending.append(item.get_object())
        elif isinstance(item, DictionaryObject):
            for key, value in item.items():
                if key in _ACTIVE_KEYS:
                    return _ACTIVE_KEYS[key]
                if isinstance(value, NameObject) and _ACTIVE_VALUES.get(key, {}).get(value):
                    return _ACTIVE_VALUES[key][value]
                pending.append(value)
        elif isinstance(item, ArrayObject):
            pending.extend(item)
    return ""


def _pdf_limits():
    if apply_configuration is None:
        return contextlib.nullcontext()
    return apply_configuration(
        maximum_declared_stream_length=_max_bytes("pdf"),
        zlib_maximum_output_length=PDF_MAX_DECODED_BYTES,
        lzw_maximum_output_length=PDF_MAX_DECODED_BYTES,
        run_length_maximum_output_length=PDF_MAX_DECODED_BYTES,
        array_based_stream_maximum_output_length=PDF_MAX_DECODED_BYTES,
        jbig2_maximum_output_length=PDF_MAX_DECODED_BYTES,
        brotli_maximum_output_length=PDF_MAX_DECODED_BYTES,
        stream_decoding_work_maximum_length=4 * PDF_MAX_DECODED_BYTES,
    )


# Control characters, invisible format characters (a right-to-left override can make "fdp.exe" read
# as "exe.pdf") and line separators.
_UNSAFE_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _strip_name(name: str) -> str:
    """The last part of a path, without control, invisible or direction-changing characters."""
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char) not in _UNSAFE_NAME_CATEGORIES)
    return re.split(r"[/\\]", name)[-1].strip()


def display_name(name: str) -> str:
    """The name of an upload as people see it: cleaned, at most MAX_NAME_LENGTH characters, never empty."""
    name = _strip_name(name)
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = _split_extension(name)
        name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension
    return name or gettext("unnamed file")


# Names Windows gives to devices, with or without an extension: a backup copied there could not hold them.
_RESERVED_NAMES = frozenset(
    {"CON", "PRN", "AUX", "NUL"} | {f"{port}{digit}" for port in ("COM", "LPT") for digit in "123456789¹²³"}
)
_STORED_EXTENSIONS = frozenset(
    extension for found in (_PDF, _JPEG, _PNG, _MP4) for extension in found.extensions
)
_STORED_PUNCTUATION = frozenset("-_.()")


def stored_name(name: str, extension: str | None = None) -> str:
    """The name to store an upload under: letters, digits and ``-_.()``, at most 100 bytes before `extension`.

    Everything else (path parts, spaces, quotes, control and direction characters, emoji) becomes "_"; leading
    dots and Windows device names (CON, NUL, ...) cannot come out. `extension` is the one the checked content
    needs; without it, the name's own extension is kept only when it is one we accept. When nothing usable is
    left the name is made up: ``bukti-20240612-3f9a1c2e.pdf``.
    """
    stem, own_extension = _split_extension(_strip_name(name))
    if extension is None:
        extension = own_extension.lower() if own_extension.lower() in _STORED_EXTENSIONS else ""
    stem = "".join(
        char if unicodedata.category(char)[0] in "LMN" or char in _STORED_PUNCTUATION else "_"
        for char in stem
    )
    stem = re.sub(r"_{2,}", "_", stem).strip("._-")
    stem = stem.encode()[:MAX_STORED_STEM_BYTES].decode(errors="ignore").rstrip("._-")
    device = stem.split(".", 1)[0]
    if device.upper() in _RESERVED_NAMES:
        stem = f"{device}_{stem[len(device) :]}"
    if not stem:
        stem = f"bukti-{timezone.localdate():%Y%m%d}-{secrets.token_hex(4)}"
    return stem + extension


def _split_extension(name: str) -> tuple[str, str]:
    """(stem, ".ext") keeping the case; a suffix that is not 1-10 letters or digits is no extension."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,10}", suffix):
        return stem, f".{suffix}"
    return name, ""


# --- links ------------------------------------------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_DANGEROUS_SCHEMES = frozenset({"javascript", "data", "file", "vbscript"})
_UNENCODED_IN_URLS = frozenset('<>"`{}|\\^')
_LOCAL_NAMES = ("localhost", "localdomain")
_LOCAL_SUFFIXES = (".localhost", ".localdomain", ".local", ".lan", ".internal", ".intranet", ".home.arpa")


def check_link(url: str, allowed_kinds: Sequence[str]) -> str:
    """The link, trimmed, with its scheme and host in lower case; or raise EvidenceRejected.

    Nothing is added (no https:// in front of a bare address) and nothing is fetched.
    """
    _require_kind_list(allowed_kinds)
    if "link" not in allowed_kinds:
        raise EvidenceRejected(
            gettext("This indicator needs a file, not a link: it accepts %(accepted)s.")
            % {"accepted": describe_kinds(allowed_kinds)},
            code="link_not_accepted",
        )
    url = url.strip()
    if not url:
        raise EvidenceRejected(gettext("The link is empty."), code="link_empty")
    if len(url) > MAX_LINK_LENGTH:
        raise EvidenceRejected(
            gettext("The link is longer than %(limit)s characters.") % {"limit": MAX_LINK_LENGTH},
            code="link_too_long",
        )
    match = _SCHEME.match(url)
    scheme = match.group(1).lower() if match else ""
    if scheme in _DANGEROUS_SCHEMES:
        raise EvidenceRejected(
            gettext(
                "Links that start with %(scheme)s: are not accepted. Copy the web address, starting with "
                "https://, from the browser's address bar."
            )
            % {"scheme": scheme},
            code="link_scheme",
        )
    # urlsplit() silently drops tabs and line breaks, so they are refused before it sees them.
    if any(char.isspace() or unicodedata.category(char) in _UNSAFE_NAME_CATEGORIES for char in url):
        raise EvidenceRejected(
            gettext("The link contains spaces or line breaks. Copy it again from the browser's address bar."),
            code="link_spaces",
        )
    if scheme not in ("http", "https") or url[len(scheme) + 1 : len(scheme) + 3] != "//":
        raise EvidenceRejected(gettext("The link must start with http:// or https://."), code="link_scheme")
    invalid = EvidenceRejected(
        gettext("The link is not a valid web address. Copy it again from the browser's address bar."),
        code="link_invalid",
    )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError:
        raise invalid from None
    if "@" in parts.netloc:
        raise EvidenceRejected(
            gettext("The link must not contain a user name or password."), code="link_credentials"
        )
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise EvidenceRejected(gettext("The link does not contain a website address."), code="link_no_host")
    if not host.isascii():
        # An address in another alphabet can look like a known one ("pаrepare" with a Cyrillic "а");
        # browsers show such addresses as xn--..., which is what a copy from the address bar gives.
        raise EvidenceRejected(
            gettext(
                "The website address %(host)s in the link contains letters other than a to z, which can imitate "
                "another address. Copy the link again from the browser's address bar."
            )
            % {"host": host},
            code="link_idn",
        )
    if _is_local(host):
        raise EvidenceRejected(
            gettext(
                "The link points to %(host)s, an address on a local network or on this computer, which the "
                "national verifier cannot reach. Use a public link."
            )
            % {"host": host},
            code="link_local",
        )
    if "." not in host and _ip(host) is None:
        raise EvidenceRejected(
            gettext("The website address %(host)s in the link is incomplete.") % {"host": host},
            code="link_no_domain",
        )
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise invalid from None
    # Characters a browser's address bar always percent-encodes: here they come from a hand-made link.
    if any(char in _UNENCODED_IN_URLS for char in url):
        raise invalid
    rest = url[len(scheme) + 3 + len(parts.netloc) :]
    return f"{scheme}://{parts.netloc.lower()}{rest}"


def _ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def _is_local(host: str) -> bool:
    address = _ip(host)
    if address is not None:
        # Private, loopback, link-local, carrier-grade NAT, reserved: nothing outside can open it.
        return not address.is_global
    return host in _LOCAL_NAMES or host.endswith(_LOCAL_SUFFIXES)


# --- document metadata ------------------------------------------------------------------------------------


def check_document_date(value: date | None, *, today: date) -> None:
    """Refuse a document date in the future or before 1945; no date is the form's business."""
    if value is None:
        return
    if value > today:
        raise EvidenceRejected(
            gettext("The document date %(date)s is in the future.") % {"date": _format_date(value)},
            code="date_future",
        )
    if value < EARLIEST_DOCUMENT_DATE:
        raise EvidenceRejected(
            gettext("The document date %(date)s is before %(year)s. Check the year.")
            % {"date": _format_date(value), "year": EARLIEST_DOCUMENT_DATE.year},
            code="date_too_early",
        )


def _format_date(value: date) -> str:
    return date_format(value, "j F Y")


# --- describing kinds -------------------------------------------------------------------------------------

_KIND_LABELS = {
    "pdf": gettext_lazy("PDF"),
    "image": gettext_lazy("JPG/PNG photo/picture"),
    "screenshot": gettext_lazy("JPG/PNG screenshot"),
    "video": gettext_lazy("MP4 video"),
    "link": gettext_lazy("link (URL)"),
}
_IMAGE_OR_SCREENSHOT_LABEL = gettext_lazy("JPG/PNG photo/picture/screenshot")


def describe_kinds(kinds: Sequence[str]) -> str:
    """What an indicator accepts, in words, e.g. "PDF (with the document number, date and subject)".

    Raises ValueError for a kind this module cannot check, or a list with no file kind and no link:
    that is a catalogue the code has not caught up with, not the innovator's mistake.
    """
    _require_kind_list(kinds)
    unknown = sorted(set(kinds) - KNOWN_KINDS)
    if unknown:
        raise ValueError(f"Unknown evidence kinds: {', '.join(unknown)}.")
    both_images = "image" in kinds and "screenshot" in kinds
    labels: list[str] = []
    for kind in kinds:
        if kind == "metadata":
            continue
        label = (
            _IMAGE_OR_SCREENSHOT_LABEL
            if both_images and kind in ("image", "screenshot")
            else _KIND_LABELS[kind]
        )
        if str(label) not in labels:
            labels.append(str(label))
    if not labels:
        raise ValueError("An indicator must accept a file kind or a link, not only metadata.")
    text = get_text_list(labels)
    if "metadata" in kinds:
        return gettext("%(kinds)s (with the document number, date and subject)") % {"kinds": text}
    return text


def accept_attribute(kinds: Sequence[str]) -> str:
    """A file input's `accept` for an indicator: the extensions and types of the files it takes, so that a phone's
    picker offers those first (the server still reads every file's content, see check_upload)."""
    _require_kind_list(kinds)
    formats = [found for found in (_PDF, _JPEG, _PNG, _MP4) if _file_kind_allowed(found.kind, kinds)]
    return ",".join(
        [ext for found in formats for ext in found.extensions] + [f.content_type for f in formats]
    )


def _require_kind_list(kinds: Sequence[str]) -> None:
    # A bare "pdf" is a Sequence[str] too, of the letters p, d and f.
    if isinstance(kinds, str):
        raise TypeError("Pass the evidence kinds as a list of strings, not one string.")
