"""Checks on one item of data dukung before it is stored: an uploaded file, a link, a document date.

An upload's type is read from its first bytes, never from its name or from the content type the
browser sent, and only PDF, JPG/PNG and MP4 pass. Programs, Office files and web pages are refused by
name, so the innovator learns what to do instead. Nothing here touches the database or the network:
a form calls these functions and turns `EvidenceRejected` into a field error, for example
``raise ValidationError(error.message, code=error.code)``.

Evidence kinds are the catalogue's strings (`pdf`, `image`, `screenshot`, `video`, `link`,
`metadata`); a row lists the kinds it accepts.
"""

import ipaddress
import os
import re
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
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.text import get_text_list
from django.utils.translation import gettext, gettext_lazy

MB = 1024 * 1024
# Overridden, kind by kind, by settings.REGISTRI_EVIDENCE_MAX_BYTES.
DEFAULT_MAX_BYTES = MappingProxyType({"pdf": 20 * MB, "image": 10 * MB, "video": 100 * MB})
MAX_LINK_LENGTH = 500  # Evidence.url's max_length
MAX_NAME_LENGTH = 150
# No regional government document predates the Republic; an earlier year is a typo.
EARLIEST_DOCUMENT_DATE = date(1945, 1, 1)

FILE_KINDS = frozenset({"pdf", "image", "screenshot", "video"})
KNOWN_KINDS = FILE_KINDS | {"link", "metadata"}

HEAD_BYTES = 2048
TAIL_BYTES = 4096
PDF_HEADER_WINDOW = 1024  # the PDF specification lets `%PDF-` start anywhere in the first 1 KB
PDF_EOF_WINDOW = 1024


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
    original_name: str


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

    Reads at most the first 2 KB and the last 4 KB, through seek/read, so an InMemoryUploadedFile and a
    TemporaryUploadedFile behave alike; the file is left at position 0 either way.
    """
    _require_kind_list(allowed_kinds)
    name = _clean_name(getattr(uploaded_file, "name", "") or "")
    try:
        uploaded_file.seek(0, os.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
        head = uploaded_file.read(HEAD_BYTES)
        uploaded_file.seek(max(size - TAIL_BYTES, 0))
        tail = uploaded_file.read(TAIL_BYTES)
    finally:
        uploaded_file.seek(0)
    return _check_content(name, size, head, tail, allowed_kinds)


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
    if found is _PDF:
        # Linearised PDFs carry their first trailer near the start, so the head is searched too.
        if b"/Encrypt" in head or b"/Encrypt" in tail:
            raise EvidenceRejected(
                gettext(
                    "The file %(name)s is protected with a password. Save a copy without the password "
                    "and upload it again."
                )
                % {"name": name},
                code="encrypted",
            )
        if b"%%EOF" not in tail[-PDF_EOF_WINDOW:]:
            raise EvidenceRejected(
                gettext("The file %(name)s is damaged or was not uploaded completely. Upload it again.")
                % {"name": name},
                code="damaged",
            )
    return CheckedFile(
        kind=found.kind, content_type=found.content_type, extension=extension, size=size, original_name=name
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


def _max_bytes(kind: str) -> int:
    configured = getattr(settings, "REGISTRI_EVIDENCE_MAX_BYTES", DEFAULT_MAX_BYTES)
    return {**DEFAULT_MAX_BYTES, **configured}[kind]


# Control characters, invisible format characters (a right-to-left override can make "fdp.exe" read
# as "exe.pdf") and line separators.
_UNSAFE_NAME_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    name = "".join(char for char in name if unicodedata.category(char) not in _UNSAFE_NAME_CATEGORIES)
    name = re.split(r"[/\\]", name)[-1].strip()
    if len(name) > MAX_NAME_LENGTH:
        stem, extension = _split_extension(name)
        name = stem[: MAX_NAME_LENGTH - len(extension)].rstrip() + extension
    return name or gettext("unnamed file")


def _split_extension(name: str) -> tuple[str, str]:
    """(stem, ".ext") keeping the case; a suffix that is not 1-10 letters or digits is no extension."""
    stem, dot, suffix = name.rpartition(".")
    if dot and stem and re.fullmatch(r"[A-Za-z0-9]{1,10}", suffix):
        return stem, f".{suffix}"
    return name, ""


# --- links ------------------------------------------------------------------------------------------------

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_DANGEROUS_SCHEMES = frozenset({"javascript", "data", "file", "vbscript"})
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


def _require_kind_list(kinds: Sequence[str]) -> None:
    # A bare "pdf" is a Sequence[str] too, of the letters p, d and f.
    if isinstance(kinds, str):
        raise TypeError("Pass the evidence kinds as a list of strings, not one string.")
