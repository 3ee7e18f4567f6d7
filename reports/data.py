"""Plain data for the compliance board and the exports, read in a fixed number of queries.

The board and every file format start from the same `ComplianceFilter`, so a file holds exactly the rows the
screen lists. Figures come from the scoring engine (`scoring.collect.cycle_index` for a whole cycle, or
`scoring.collect.streamed_scores` for the streamed CSV), never from a second formula here.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from itertools import islice
from typing import NamedTuple

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, AgencyKind
from registry.models import Answer as AnswerRow
from registry.models import Evidence, Innovation
from reports.filters import NO_ENTRY, STATE_CHOICES, ComplianceFilter
from reports.models import OfficialResult

# Reading answers exactly as the index does keeps the board's kematangan equal to the index's.
from scoring.collect import CycleIndex, answer_rows, cycle_index, streamed_scores, to_answer
from scoring.index import InnovationInput, enters_measurement, kematangan

STATE_LABELS = dict(STATE_CHOICES)
# Agencies of the board read, scored and written per step of the streamed CSV: one answers query each.
CSV_AGENCIES_PER_CHUNK = 500

Levels = dict[str, int | None]  # indicator code → the level the filler chose


@dataclass(frozen=True)
class BoardRow:
    """One entry of the compliance board with its agency, or an agency without entry for the cycle."""

    agency_pk: int
    agency_code: str
    agency: str
    kind: str
    parent: str
    kecamatan: str
    entry_pk: int | None
    innovation: str
    state: str  # NO_ENTRY or an Innovation.Status value
    stage: str
    urusan: str
    claimed: Decimal | None = None
    verified: Decimal | None = None
    counts_self_assessed: bool = False
    counts_verified: bool = False
    entries: int = 0  # the agency's entries for the cycle (each has its own row)
    counting: int = 0  # of them, submitted and not rejected

    @property
    def kind_label(self) -> str:
        return str(AgencyKind(self.kind).label)

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def stage_label(self) -> str:
        return str(Innovation.Stage(self.stage).label) if self.stage else ""

    @property
    def compliant(self) -> bool:
        """The agency complied for the year: at least one entry submitted and not rejected (as
        `Cycle.compliance_by_kind`), whatever this row's entry."""
        return self.counting > 0


class EvidenceRow(NamedTuple):
    """One evidence item; a named tuple because a large cycle has tens of thousands (a frozen dataclass is
    several times slower to build)."""

    agency: str
    innovation: str
    code: str
    kind: str
    name: str
    document_number: str
    document_date: object
    subject: str
    review: str
    link: str


def board_row(agency: Agency, scores: Mapping[int, tuple[Decimal, Decimal, bool, bool]]) -> BoardRow:
    """A row from an agency annotated by `reports.filters.with_entry`."""
    parent = agency.parent.name if agency.parent_id else ""
    if agency.kind == AgencyKind.KECAMATAN:
        kecamatan = agency.name
    elif agency.kind == AgencyKind.KELURAHAN:
        kecamatan = parent
    else:
        kecamatan = ""
    claimed, verified, counts_self, counts_verified = scores.get(agency.entry_pk, (None, None, False, False))
    return BoardRow(
        agency_pk=agency.pk,
        agency_code=agency.code,
        agency=agency.name,
        kind=agency.kind,
        parent=parent,
        kecamatan=kecamatan,
        entry_pk=agency.entry_pk,
        innovation=agency.entry_name or "",
        state=agency.entry_status or NO_ENTRY,
        stage=agency.entry_stage or "",
        urusan=agency.entry_urusan or "",
        claimed=claimed,
        verified=verified,
        counts_self_assessed=counts_self,
        counts_verified=counts_verified,
        entries=getattr(agency, "agency_entries", 0),
        counting=getattr(agency, "agency_counting", 0),
    )


def board_page_rows(cycle, agencies: Iterable[Agency]) -> list[BoardRow]:
    """The board's rows for one page: the kematangan of only these entries, in one query."""
    return [row for row, _levels in scored_rows(cycle, agencies)]


def scored_rows(cycle, agencies: Iterable[Agency]) -> list[tuple[BoardRow, Levels]]:
    """Rows of agencies annotated by `with_entry`, with each entry's chosen levels, in one query for all."""
    agencies = list(agencies)
    entries = [agency for agency in agencies if agency.entry_pk]
    scores, levels = {}, {}
    if entries:
        edition = cycle.edition.parsed()
        answers: dict[int, dict] = defaultdict(dict)
        rows = AnswerRow.objects.filter(innovation__in=[agency.entry_pk for agency in entries])
        for owner, code, *values in answer_rows(rows):
            answers[owner][code] = to_answer(*values)
        for agency in entries:
            item = InnovationInput(
                key=str(agency.entry_pk), name="", answers=answers.get(agency.entry_pk, {})
            )
            claimed = kematangan(edition, item, verified=False)
            scores[agency.entry_pk] = (
                claimed.kematangan,
                kematangan(edition, item, verified=True).kematangan,
                enters_measurement(agency.entry_status, agency.entry_stage, verified=False),
                enters_measurement(agency.entry_status, agency.entry_stage, verified=True),
            )
            levels[agency.entry_pk] = {row.row_id: row.level for row in claimed.rows}
    return [(board_row(agency, scores), levels.get(agency.entry_pk, {})) for agency in agencies]


@dataclass
class ExportHead:
    """What every file says about itself, and what its log row records."""

    region: str
    year: int
    edition_title: str
    edition_version: int
    edition_pk: int
    cycle_pk: int
    filters: dict
    filters_shown: list[tuple[str, str]]
    generated_at: object
    codes: tuple[str, ...]  # the SID rows of the edition, one column each


def _head(board: ComplianceFilter, codes: tuple[str, ...]) -> dict:
    cycle = board.cycle
    return {
        "region": board.region.name,
        "year": cycle.year,
        "edition_title": cycle.edition.display_title,
        "edition_version": cycle.edition.version,
        "edition_pk": cycle.edition_id,
        "cycle_pk": cycle.pk,
        "filters": board.cleaned,
        "filters_shown": board.shown,
        "generated_at": timezone.localtime(),
        "codes": codes,
    }


@dataclass
class ExportData(ExportHead):
    """Everything the XLSX and the PDF need, as plain data; `evidence()` reads lazily for large cycles."""

    index: CycleIndex
    rows: list[BoardRow]
    levels: dict[int, Levels]  # entry pk → row id → chosen level
    evidence_queryset: object
    official: OfficialResult | None = None  # what Kemendagri published for the year, where recorded

    @property
    def entries(self) -> list[BoardRow]:
        return [row for row in self.rows if row.entry_pk is not None]

    @property
    def row_count(self) -> int:
        return len(self.rows)

    @property
    def iids(self) -> tuple[Decimal, Decimal]:
        """(self-assessed, verified) IID of the whole cycle, as the log records them."""
        return self.index.result.self_assessed.iid, self.index.result.verified.iid

    def board_rows(self) -> Iterator[tuple[BoardRow, Levels]]:
        for row in self.rows:
            yield row, self.levels.get(row.entry_pk, {}) if row.entry_pk else {}

    def evidence(self) -> Iterator[EvidenceRow]:
        # The link is built from one reverse(): tens of thousands of reverse() calls cost seconds.
        marker = 987654321
        prefix, suffix = reverse("evidence_file", args=[marker]).split(str(marker))
        base = settings.REGISTRI_BASE_URL.rstrip("/") + prefix
        # Translated once: a lazy label turned into text on every row costs a gettext call each time.
        reviews = {value: str(label) for value, label in Evidence.Review.choices}
        kinds = {value: str(label) for value, label in Evidence.Kind.choices}
        for (
            pk,
            agency,
            innovation,
            code,
            kind,
            name,
            url,
            number,
            date,
            subject,
            review,
        ) in self.evidence_queryset.iterator(chunk_size=2000):
            yield EvidenceRow(
                agency=agency,
                innovation=innovation,
                code=code,
                kind=kinds.get(kind, kind),
                name=name or url,
                document_number=number,
                document_date=date,
                subject=subject,
                review=reviews.get(review, review),
                link=f"{base}{pk}{suffix}" if kind == Evidence.Kind.FILE else url,
            )


def gather_export(board: ComplianceFilter) -> ExportData:
    """The plain data of a valid filter's file: 4 queries for the cycle's index and rows, 1 for the official
    result, 1 for evidence."""
    if not board.is_valid():
        raise ValueError("The filter is not valid.")
    cycle = board.cycle
    index = cycle_index(cycle)
    scores = {
        item.facts.pk: (
            item.self_assessed.kematangan,
            item.verified.kematangan,
            item.facts.counts_self_assessed,
            item.facts.counts_verified,
        )
        for item in index.innovations
    }
    levels = {
        item.facts.pk: {row.row_id: row.level for row in item.self_assessed.rows}
        for item in index.innovations
    }
    rows = [board_row(agency, scores) for agency in board.qs]
    evidence = (
        Evidence.objects.filter(
            answer__innovation__cycle_id=cycle.pk,
            answer__innovation__agency__in=board.qs.values("pk"),
        )
        .order_by(
            "answer__innovation__agency__name", "answer__innovation_id", "answer__indicator__position", "pk"
        )
        .values_list(
            "pk",
            "answer__innovation__agency__name",
            "answer__innovation__name",
            "answer__indicator__code",
            "kind",
            "original_name",
            "url",
            "document_number",
            "document_date",
            "subject",
            "review",
        )
    )
    return ExportData(
        **_head(board, tuple(row.id for row in index.edition.sid_rows)),
        index=index,
        rows=rows,
        levels=levels,
        evidence_queryset=evidence,
        official=OfficialResult.objects.filter(region_id=cycle.region_id, year=cycle.year).first(),
    )


@dataclass
class CsvExport(ExportHead):
    """The streamed CSV: rows are read, scored and written `CSV_AGENCIES_PER_CHUNK` agencies at a time.

    Nothing grows with the cycle: neither the rows, which pass through once, nor the IID of the log, which
    `streamed_scores` computes from running sums once the rows are sent.
    """

    cycle: object
    agencies: object  # the filter's queryset, annotated by `with_entry`
    row_count: int | None = None  # known once `board_rows()` has run to its end

    def board_rows(self) -> Iterator[tuple[BoardRow, Levels]]:
        count = 0
        # One cursor over the filtered board (a server-side one on PostgreSQL), consumed a chunk at a time.
        agencies = self.agencies.iterator(chunk_size=CSV_AGENCIES_PER_CHUNK)
        while chunk := list(islice(agencies, CSV_AGENCIES_PER_CHUNK)):
            for item in scored_rows(self.cycle, chunk):
                count += 1
                yield item
        self.row_count = count

    @cached_property
    def iids(self) -> tuple[Decimal, Decimal]:
        """(self-assessed, verified) IID of the whole cycle, whatever the filter, as the log records them."""
        claimed, verified = streamed_scores(self.cycle)
        return claimed.iid, verified.iid


def gather_csv(board: ComplianceFilter) -> CsvExport:
    """A valid filter's CSV, to be streamed: nothing is read here but the edition's codes."""
    if not board.is_valid():
        raise ValueError("The filter is not valid.")
    cycle = board.cycle
    return CsvExport(
        **_head(board, tuple(row.id for row in cycle.edition.parsed().sid_rows)),
        cycle=cycle,
        agencies=board.qs,
    )
