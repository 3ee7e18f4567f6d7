"""The national hand-off package: what Bappeda re-keys into the national IID application.

A package is one workbook (the SPD profile, then one sheet per innovation in the order of the national form) and
one ZIP of the evidence files, built in the background (`build_handoff_package`). Its status moves only through the
functions here, each a conditional UPDATE on the expected status, so a second worker, a retried task or a package
declared stalled never overwrite each other.

Which innovations: those entering n for the self-assessed score (METHOD.md D3, `counts_self_assessed`): submitted,
not rejected, at the implementation stage. That is what the region claims, and what the national verifier checks;
an approved-only package would hide entries the region still counts in its own IID.

Which evidence: every item of those entries, whatever its review verdict. The workbook shows each item's verdict.
A file missing on disk does not stop the package: it is left out of the archive and the workbook says so next to
the item (and the package's message counts them), so one lost upload cannot block the whole region's hand-off.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from registry.downloads import open_stored
from registry.models import Answer, Cycle, Evidence, Innovation, SpdProfile
from reports.models import ExportLog, HandoffPackage
from reports.xlsx import cell_text, sheet_name
from scoring import catalogue
from scoring.collect import CycleIndex, cycle_index

logger = logging.getLogger(__name__)
Status = HandoffPackage.Status

ACTIVE = (Status.QUEUED, Status.RUNNING)
# A package queued or running for longer is taken as lost (a killed worker, a dead queue) and may be requested
# again; requesting again marks it failed, so nothing stays "running" forever.
STALL_AFTER = datetime.timedelta(hours=1)
# The national application's name for the region's own part; the sheet keeps it in every language.
SPD_SHEET = "Profil SPD"
SPD_FOLDER = "SPD"
# A spreadsheet treats text starting with these as a formula when someone edits the cell.
FORMULA_START = ("=", "+", "-", "@")
# Already compressed: deflating them again costs time and gains nothing.
STORED_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".mp4"})
STORED_TYPES = frozenset({"image/jpeg", "image/png", "video/mp4"})
SUFFIX_RE = re.compile(r"\.[a-z0-9]{1,5}")
COPY_CHUNK = 1024 * 1024
PROGRESS_EVERY_SECONDS = 1.0

# Catalogue profile field (profile_fields, in the national form's order) -> the Innovation fields that hold it.
# Fields the registry does not keep (dokumen_haki, penghargaan) are listed with an empty value.
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    "nama_inovasi": ("name",),
    "tahapan": ("stage",),
    "inisiator": ("initiator", "initiator_name"),
    "jenis": ("digital_kind",),
    "bentuk": ("form_kind",),
    "tematik": ("thematic",),
    "urusan_utama": ("urusan",),
    "urusan_lain_beririsan": ("related_urusan",),
    "waktu_uji_coba": ("trial_date",),
    "waktu_penerapan": ("implementation_date",),
    "ada_perkembangan": ("has_development", "development_note"),
    "rancang_bangun": ("design",),
    "tujuan_inovasi": ("goals",),
    "manfaat_diperoleh": ("benefits",),
    "hasil_inovasi": ("results",),
    "anggaran": ("budget_file",),
    "profil_bisnis": ("business_profile_file",),
}
PROFILE_FILES = {"budget_file": "anggaran", "business_profile_file": "profil_bisnis"}


class PackageAbandoned(Exception):
    """The package left the running state under the builder (declared stalled): stop without touching it."""


# --- status: the only writers of HandoffPackage.status ------------------------------------------------------


def _move(package_pk: int, *, expected, to: str, **fields) -> bool:
    return bool(HandoffPackage.objects.filter(pk=package_pk, status__in=expected).update(status=to, **fields))


def _stalled(now: datetime.datetime) -> Q:
    cutoff = now - STALL_AFTER
    return Q(status=Status.RUNNING, started_at__lt=cutoff) | Q(status=Status.QUEUED, created_at__lt=cutoff)


def is_stalled(package: HandoffPackage, now: datetime.datetime | None = None) -> bool:
    now = now or timezone.now()
    if package.status == Status.RUNNING:
        since = package.started_at or package.created_at
    elif package.status == Status.QUEUED:
        since = package.created_at
    else:
        return False
    return now - since > STALL_AFTER


def is_busy(package: HandoffPackage, now: datetime.datetime | None = None) -> bool:
    """Still being worked on: the page keeps polling it and refuses a second request."""
    return package.status in ACTIVE and not is_stalled(package, now)


def fail(package_pk: int, message: str) -> bool:
    return _move(package_pk, expected=ACTIVE, to=Status.FAILED, finished_at=timezone.now(), message=message)


@transaction.atomic
def request_package(*, cycle: Cycle, by, now: datetime.datetime | None = None) -> tuple[HandoffPackage, bool]:
    """(package, created): a new package for the cycle, or the one already being built.

    Requests for one cycle are serialised on the cycle's row (SQLite serialises every writer already), so a
    double click or two tabs start one build.
    """
    now = now or timezone.now()
    Cycle.objects.select_for_update().filter(pk=cycle.pk).values_list("pk", flat=True).first()
    for stalled in HandoffPackage.objects.filter(_stalled(now), cycle=cycle).values_list("pk", flat=True):
        fail(stalled, _("Stopped: no progress for more than an hour, so a new package was requested."))
    active = (
        HandoffPackage.objects.filter(cycle=cycle, status__in=ACTIVE).select_related("requested_by").first()
    )
    if active:
        return active, False
    package = HandoffPackage.objects.create(cycle=cycle, requested_by=by)
    transaction.on_commit(partial(enqueue, package.pk))
    return package, True


def enqueue(package_pk: int) -> None:
    try:
        result = build_handoff_package.enqueue(package_pk)
    except Exception:
        logger.exception("Hand-off package %s could not be queued", package_pk)
        fail(package_pk, _("The package could not be queued for building. Request it again later."))
        return
    HandoffPackage.objects.filter(pk=package_pk).update(task_id=str(result.id)[:64])


class Progress:
    """Writes done_steps now and then, not once a file: at most once a percent or once a second."""

    def __init__(self, package_pk: int, total: int, clock: Callable[[], float] = time.monotonic):
        self.package_pk, self.total, self.clock = package_pk, total, clock
        self.done = 0
        self.written_percent = 0
        self.written_at = clock()

    def advance(self, steps: int = 1) -> None:
        self.done += steps
        percent = self.done * 100 // self.total
        now = self.clock()
        if percent > self.written_percent or now - self.written_at >= PROGRESS_EVERY_SECONDS:
            self.write()
            self.written_percent, self.written_at = percent, now

    def write(self, **fields) -> None:
        changed = HandoffPackage.objects.filter(pk=self.package_pk, status=Status.RUNNING).update(
            done_steps=self.done, **fields
        )
        if not changed:
            raise PackageAbandoned(self.package_pk)


# --- what goes in -------------------------------------------------------------------------------------------


@dataclass
class Section:
    """The SPD profile or one innovation: a sheet of the workbook and a folder of the archive."""

    sheet: str
    folder: str
    answers: dict[str, Answer]
    innovation: Innovation | None = None


@dataclass(frozen=True)
class ArchiveFile:
    key: tuple  # ("evidence", pk) or ("profile", innovation pk, field name)
    name: str  # storage name
    arcname: str
    compress_type: int
    date_time: tuple


@dataclass
class Contents:
    cycle: Cycle
    edition: catalogue.Edition
    index: CycleIndex
    sections: list[Section]
    files: list[ArchiveFile] = field(default_factory=list)

    @property
    def innovation_count(self) -> int:
        return sum(1 for section in self.sections if section.innovation is not None)


def _answers(queryset) -> dict:
    evidence = Prefetch("evidence", queryset=Evidence.objects.order_by("created_at", "pk"))
    return queryset.select_related("indicator").prefetch_related(evidence)


def gather(cycle: Cycle) -> Contents:
    """The cycle's SPD profile and its innovations entering n (self-assessed), in a fixed number of queries."""
    index = cycle_index(cycle)
    chosen = [score.facts.pk for score in index.innovations if score.facts.counts_self_assessed]
    innovations = Innovation.objects.select_related("agency").in_bulk(chosen)
    answers: dict[int, dict[str, Answer]] = {pk: {} for pk in chosen}
    for answer in _answers(Answer.objects.filter(innovation_id__in=chosen)):
        answers[answer.innovation_id][answer.indicator.code] = answer
    spd = {
        answer.indicator.code: answer
        for answer in _answers(Answer.objects.filter(spd_profile__in=SpdProfile.objects.filter(cycle=cycle)))
    }
    width = max(2, len(str(len(chosen))))
    sections = [Section(sheet=SPD_SHEET, folder=SPD_FOLDER, answers=spd)]
    for number, pk in enumerate(chosen, start=1):
        innovation = innovations[pk]
        agency = innovation.agency.name
        sections.append(
            Section(
                sheet=sheet_name(f"{number:0{width}d} {agency}"),
                folder=f"{number:0{width}d}_{slugify(agency)[:60] or 'inovasi'}",
                answers=answers[pk],
                innovation=innovation,
            )
        )
    contents = Contents(cycle=cycle, edition=index.edition, index=index, sections=sections)
    contents.files = plan_archive(contents)
    return contents


def archive_name(prefix: str, original: str, used: set[str]) -> str:
    """`<prefix>_<slug of the original name><.suffix>`, made unique in its folder with _2, _3, ..."""
    path = PurePosixPath(original.replace("\\", "/"))
    suffix = path.suffix.lower() if SUFFIX_RE.fullmatch(path.suffix.lower()) else ""
    stem = slugify(path.stem if suffix else path.name)[:80] or "berkas"
    base = f"{prefix}_{stem}"
    candidate, number = f"{base}{suffix}", 2
    while candidate in used:
        candidate, number = f"{base}_{number}{suffix}", number + 1
    used.add(candidate)
    return candidate


def _compress_type(name: str, content_type: str = "") -> int:
    if PurePosixPath(name).suffix.lower() in STORED_SUFFIXES or content_type in STORED_TYPES:
        return zipfile.ZIP_STORED
    return zipfile.ZIP_DEFLATED


def _zip_time(moment: datetime.datetime) -> tuple:
    # The item's own time, not the build's, so that the same evidence gives the same archive entries.
    local = timezone.localtime(moment)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second // 2 * 2)


def _rows(edition: catalogue.Edition, section: Section) -> tuple[catalogue.Row, ...]:
    return edition.sid_rows if section.innovation else edition.spd_rows


def plan_archive(contents: Contents) -> list[ArchiveFile]:
    files = []
    for section in contents.sections:
        used: set[str] = set()
        innovation = section.innovation
        if innovation is not None:
            for field_name, prefix in PROFILE_FILES.items():
                stored = getattr(innovation, field_name)
                if stored:
                    arcname = archive_name(prefix, PurePosixPath(stored.name).name, used)
                    files.append(
                        ArchiveFile(
                            key=("profile", innovation.pk, field_name),
                            name=stored.name,
                            arcname=f"{section.folder}/{arcname}",
                            compress_type=_compress_type(stored.name),
                            date_time=_zip_time(innovation.updated_at),
                        )
                    )
        for row in _rows(contents.edition, section):
            answer = section.answers.get(row.id)
            for item in answer.evidence.all() if answer else ():
                if item.kind != Evidence.Kind.FILE:
                    continue
                original = item.original_name or PurePosixPath(item.file.name).name
                files.append(
                    ArchiveFile(
                        key=("evidence", item.pk),
                        name=item.file.name,
                        arcname=f"{section.folder}/{archive_name(row.id, original, used)}",
                        compress_type=_compress_type(original, item.content_type),
                        date_time=_zip_time(item.created_at),
                    )
                )
    return files


# --- the archive --------------------------------------------------------------------------------------------


def write_archive(target, files: list[ArchiveFile], storage, progress: Progress) -> set[tuple]:
    """Stream each file from storage into the ZIP in chunks; return the keys of the files missing from storage.

    `target` is a temporary file, not memory: with object storage the archive is uploaded from it once complete.
    """
    missing = set()
    with zipfile.ZipFile(target, "w") as archive:
        for item in files:
            try:
                source, _size = open_stored(storage, item.name)
            except OSError:
                logger.warning("Hand-off: %s is missing from storage", item.name)
                missing.add(item.key)
            else:
                with source:
                    info = zipfile.ZipInfo(item.arcname, date_time=item.date_time)
                    info.compress_type = item.compress_type
                    info.external_attr = 0o644 << 16
                    with archive.open(info, "w") as sink:
                        shutil.copyfileobj(source, sink, COPY_CHUNK)
            progress.advance()
    return missing


# --- the workbook -------------------------------------------------------------------------------------------

WRAP = Alignment(wrap_text=True, vertical="top")
BOLD = Font(bold=True)
DATE_FORMAT = "DD-MM-YYYY"


def _headers(first: str, second: str) -> list[tuple[str, int]]:
    """(title, width) of each column; the evidence columns are the same on every sheet."""
    return [
        (_("Code"), 14),
        (first, 42),
        (second, 48),
        (_("Level"), 8),
        (_("Evidence kind"), 12),
        (_("File name or link"), 40),
        (_("File in the archive"), 46),
        (_("Document number"), 22),
        (_("Document date"), 14),
        (_("Subject"), 40),
        (_("Evidence verdict"), 18),
        (_("Row verdict"), 18),
    ]


def write_cell(sheet, value) -> WriteOnlyCell:
    """One cell; text is always text, never a formula, and loses characters XML cannot hold."""
    if isinstance(value, str):
        value = cell_text(value)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_START):
            cell.quotePrefix = True
    elif isinstance(value, datetime.date):
        cell.number_format = DATE_FORMAT
    cell.alignment = WRAP
    return cell


def _start_sheet(book: Workbook, title: str, headers: list[tuple[str, int]]):
    sheet = book.create_sheet(title=title)
    for column, (_header, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.freeze_panes = "A2"
    titles = []
    for header, _width in headers:
        cell = write_cell(sheet, header)
        cell.font = BOLD
        titles.append(cell)
    sheet.append(titles)
    return sheet


def option_text(row: catalogue.Row, answer: Answer | None) -> str:
    if answer is None or answer.level is None:
        return ""
    options = row.option_groups.get(answer.option_group, ()) if answer.option_group else row.options
    label = next((option.label for option in options if option.level == answer.level), "")
    if answer.option_group:
        return f"{answer.option_group.replace('_', ' ').capitalize()}: {label}"
    return label


def _archive_cell(key: tuple, arcnames: dict[tuple, str], missing: set[tuple]) -> str:
    if key in missing:
        return _("MISSING: the file was not found on the server and is not in the archive.")
    return arcnames.get(key, "")


def _indicator_lines(row: catalogue.Row, answer: Answer | None, arcnames, missing) -> list[list]:
    head = [row.id, row.name, option_text(row, answer), answer.level if answer else None]
    row_verdict = Answer.Verdict(answer.verdict).label if answer else Answer.Verdict.NONE.label
    items = list(answer.evidence.all()) if answer else []
    if not items:
        return [[*head, "", "", "", "", None, "", "", str(row_verdict)]]
    lines = []
    for item in items:
        is_file = item.kind == Evidence.Kind.FILE
        lines.append(
            [
                *head,
                str(Evidence.Kind(item.kind).label),
                (item.original_name or PurePosixPath(item.file.name).name) if is_file else item.url,
                _archive_cell(("evidence", item.pk), arcnames, missing) if is_file else "",
                item.document_number,
                item.document_date,
                item.subject,
                str(Evidence.Review(item.review).label),
                str(row_verdict),
            ]
        )
    return lines


def _profile_value(innovation: Innovation, field_name: str):
    value = getattr(innovation, field_name)
    if field_name == "stage":
        return str(Innovation.Stage(value).label) if value else ""
    if field_name == "related_urusan":
        return "; ".join(value or ())
    if field_name == "has_development":
        return _("Yes") if value else _("No")
    if field_name in PROFILE_FILES:
        return PurePosixPath(value.name).name if value else ""
    return value


def _field_label(name: str) -> str:
    label = str(Innovation._meta.get_field(name).verbose_name)
    return label[:1].upper() + label[1:]


def _profile_lines(edition: catalogue.Edition, innovation: Innovation, arcnames, missing) -> list[list]:
    lines = [
        ["", _field_label("agency"), innovation.agency.name],
        ["", _field_label("status"), str(innovation.get_status_display())],
    ]
    for profile_field in edition.profile_fields:
        names = PROFILE_FIELDS.get(profile_field.name)
        if not names:
            lines.append([profile_field.name, profile_field.name.replace("_", " ").capitalize(), ""])
            continue
        for field_name in names:
            line = [profile_field.name, _field_label(field_name), _profile_value(innovation, field_name)]
            if field_name in PROFILE_FILES and getattr(innovation, field_name):
                key = ("profile", innovation.pk, field_name)
                line += [None, str(Evidence.Kind.FILE.label), line[2], _archive_cell(key, arcnames, missing)]
            lines.append(line)
    return lines


def write_workbook(target, contents: Contents, missing: set[tuple]) -> None:
    arcnames = {item.key: item.arcname for item in contents.files}
    # Write-only: rows go to disk as they are appended, so a region with hundreds of entries stays small.
    book = Workbook(write_only=True)
    for section in contents.sections:
        if section.innovation is None:
            sheet = _start_sheet(book, section.sheet, _headers(_("Indicator"), _("Chosen option")))
            lines = []
        else:
            headers = _headers(_("Field or indicator"), _("Value or chosen option"))
            sheet = _start_sheet(book, section.sheet, headers)
            lines = _profile_lines(contents.edition, section.innovation, arcnames, missing)
        for row in _rows(contents.edition, section):
            lines += _indicator_lines(row, section.answers.get(row.id), arcnames, missing)
        for line in lines:
            sheet.append([write_cell(sheet, value) for value in line])
    book.save(target)


# --- building -----------------------------------------------------------------------------------------------


def _sha256(handle) -> tuple[str, int]:
    handle.seek(0)
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(COPY_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    handle.seek(0)
    return digest.hexdigest(), size


def file_names(package: HandoffPackage) -> tuple[str, str]:
    cycle = package.cycle
    stem = f"iid-{cycle.year}-{slugify(cycle.region.name) or 'daerah'}-{package.pk}"
    return f"paket-nasional-{stem}.xlsx", f"bukti-{stem}.zip"


def build(package_pk: int) -> str:
    """Build the package if it is still queued; return the status it ends in."""
    if not _move(package_pk, expected=[Status.QUEUED], to=Status.RUNNING, started_at=timezone.now()):
        return HandoffPackage.objects.filter(pk=package_pk).values_list("status", flat=True).first() or ""
    package = HandoffPackage.objects.select_related("cycle__region", "cycle__edition").get(pk=package_pk)
    stored: list = []
    try:
        with translation.override(settings.LANGUAGE_CODE):
            _build(package, stored)
    except PackageAbandoned:
        _remove(stored)
        return HandoffPackage.objects.filter(pk=package_pk).values_list("status", flat=True).first() or ""
    except Exception as error:
        logger.exception("Hand-off package %s failed", package_pk)
        _remove(stored)
        with translation.override(settings.LANGUAGE_CODE):
            fail(
                package_pk,
                _(
                    "The package could not be built (%(error)s). Request it again; if it fails again, tell the administrator."
                )
                % {"error": f"{type(error).__name__}: {error}"[:300]},
            )
        raise
    return Status.DONE


def _remove(stored: list) -> None:
    for field_file in stored:
        try:
            field_file.storage.delete(field_file.name)
        except OSError:
            logger.warning("Hand-off: could not remove %s", field_file.name)


def _build(package: HandoffPackage, stored: list) -> None:
    contents = gather(package.cycle)
    total = len(contents.files) + 1
    progress = Progress(package.pk, total)
    progress.write(total_steps=total)
    workbook_name, archive_name_ = file_names(package)
    with tempfile.TemporaryFile() as archive_file, tempfile.TemporaryFile() as workbook_file:
        missing = write_archive(archive_file, contents.files, package.archive.storage, progress)
        write_workbook(workbook_file, contents, missing)
        archive_sum, _archive_size = _sha256(archive_file)
        workbook_sum, workbook_size = _sha256(workbook_file)
        package.workbook.save(workbook_name, File(workbook_file), save=False)
        stored.append(package.workbook)
        package.archive.save(archive_name_, File(archive_file), save=False)
        stored.append(package.archive)
    message = ""
    if missing:
        message = ngettext(
            "%(count)s file was not found on the server: the workbook lists it, the archive lacks it.",
            "%(count)s files were not found on the server: the workbook lists them, the archive lacks them.",
            len(missing),
        ) % {"count": len(missing)}
    scores = contents.index.result
    with transaction.atomic():
        done = _move(
            package.pk,
            expected=[Status.RUNNING],
            to=Status.DONE,
            finished_at=timezone.now(),
            done_steps=total,
            workbook=package.workbook.name,
            archive=package.archive.name,
            workbook_checksum=workbook_sum,
            archive_checksum=archive_sum,
            message=message,
        )
        if not done:
            raise PackageAbandoned(package.pk)
        ExportLog.objects.create(
            cycle=package.cycle,
            edition=package.cycle.edition,
            created_by=package.requested_by,
            format=ExportLog.Format.HANDOFF,
            filters={},
            filename=workbook_name,
            size=workbook_size,
            checksum=workbook_sum,
            row_count=contents.innovation_count,
            claimed_iid=scores.self_assessed.iid,
            verified_iid=scores.verified.iid,
        )


@task()
def build_handoff_package(package_id: int) -> str:
    """The worker's entry to `build`: one national hand-off package; a second run of the same one does nothing."""
    return build(package_id)
