"""A cycle's index from the kematangan stored per entry (`EntryScore`): the dashboard at any size.

`scoring.collect.cycle_index` reads every answer of the cycle and scores every entry on every request: 4 s at
10,000 entries. Here each entry's kematangan (claimed and verified, per SID variable, and its rows to complete)
is computed by the same engine once per `Innovation.inputs_version`, which every write to the entry's answers,
verdicts, evidence and status raises in its own transaction (`registry.models.entry_inputs_changed`). A read:

1. finds the entries whose stored result is missing or older than the entry (or of another edition) and
   recomputes only those (`refresh`), versions read before answers, so a write racing the refresh leaves the
   result stale (recomputed next time), never wrong;
2. sums the stored figures in the database over the entries that count (D3, read from the entry's status and
   stage now), and assembles each score with the engine's `score_from_totals`, its variables with
   `variable_scores_from_sums` and the best gains with `gains_over`: the figures of `cycle_index`.

The SPD rows are few and read afresh. The queries do not grow with the number of entries, nor of cycles.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, F, Q, Sum

from registry.models import Innovation
from reports.models import EntryScore, EntryVariableScore
from scoring import catalogue
from scoring.collect import STREAM_CHUNK_SIZE, SpreadWording, innovation_results, spd_answers_by_cycle
from scoring.index import (
    MEASURED_STAGES,
    SELF_ASSESSED_STATUSES,
    VERIFIED_STATUSES,
    ZERO,
    Gain,
    IndexResult,
    RowResult,
    SpdResult,
    SpreadShortfall,
    completion_gain,
    gains_over,
    rows_to_complete,
    score_from_totals,
    sid_variable_sums,
    spd_score,
    urusan_spread_shortfall,
    variable_scores_from_sums,
)

# The rows to complete kept per entry: at least as many as any ranking asks for (the dashboard shows 10).
GAIN_ROWS_KEPT = 10
# What an EntryScore's decimal columns hold exactly (catalogue weights with more decimals are refused).
STORED_PLACES = Decimal("0.000001")


def counts(prefix: str = "", *, verified: bool) -> Q:
    """D3 (`scoring.index.enters_measurement`) as a filter: the entries that enter n for this kind of score."""
    statuses = VERIFIED_STATUSES if verified else SELF_ASSESSED_STATUSES
    return Q(**{f"{prefix}status__in": sorted(statuses), f"{prefix}stage__in": sorted(MEASURED_STAGES)})


def stale_entries(cycles):
    """The cycles' entries whose stored result is missing, older than the entry, or of another edition."""
    return Innovation.objects.filter(cycle__in=cycles).filter(
        Q(stored_score__isnull=True)
        | ~Q(stored_score__inputs_version=F("inputs_version"))
        | ~Q(stored_score__edition_id=F("cycle__edition_id"))
    )


def refresh(cycles: list) -> int:
    """Recompute the stale entries of these cycles (one query when none is); how many were recomputed."""
    by_cycle: dict[int, list[tuple[int, int]]] = defaultdict(list)
    # The versions first, the answers after: a write between the two leaves an older version beside newer
    # answers, which the next read recomputes.
    for pk, cycle_pk, version in stale_entries(cycles).values_list("pk", "cycle_id", "inputs_version"):
        by_cycle[cycle_pk].append((pk, version))
    cycle_of = {cycle.pk: cycle for cycle in cycles}
    for cycle_pk, items in by_cycle.items():
        for start in range(0, len(items), STREAM_CHUNK_SIZE):
            store(cycle_of[cycle_pk], items[start : start + STREAM_CHUNK_SIZE])
    return sum(len(items) for items in by_cycle.values())


def _exact(value: Decimal) -> Decimal:
    if value != value.quantize(STORED_PLACES):
        raise ValueError(
            f"Kematangan {value} has more decimals than the stored scores keep ({STORED_PLACES})."
        )
    return value


def store(cycle, items: list[tuple[int, int]]) -> None:
    """Compute and store the results of these (entry pk, inputs version) of the cycle, replacing older ones."""
    edition = cycle.edition.parsed()
    row_rank = {row_id: rank for rank, row_id in enumerate(sorted(row.id for row in edition.sid_rows))}
    results = innovation_results(cycle, [pk for pk, _version in items])
    scores, variables = [], []
    for pk, version in items:
        claimed, verified = results[pk]
        to_complete = rows_to_complete(edition, claimed.rows, limit=GAIN_ROWS_KEPT)
        best = to_complete[0] if to_complete else None
        scores.append(
            EntryScore(
                innovation_id=pk,
                inputs_version=version,
                edition_id=cycle.edition_id,
                claimed=_exact(claimed.kematangan),
                verified=_exact(verified.kematangan),
                gain_rows=[[item.row_id, item.level, str(item.score)] for item in to_complete],
                best_gain=_exact(completion_gain(edition, best)) if best else None,
                best_gain_row=row_rank[best.row_id] if best else None,
            )
        )
        claimed_sums = sid_variable_sums(edition, claimed.rows)
        verified_sums = sid_variable_sums(edition, verified.rows)
        variables += [
            EntryVariableScore(
                innovation_id=pk,
                variable=name,
                claimed=_exact(claimed_sums[name]),
                verified=_exact(verified_sums[name]),
            )
            for name in claimed_sums
        ]
    # Upserts: two requests refreshing the same entries at once both succeed, the later one's figures stay.
    EntryScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["innovation"],
        update_fields=[
            "inputs_version",
            "edition",
            "claimed",
            "verified",
            "gain_rows",
            "best_gain",
            "best_gain_row",
            "computed_at",
        ],
    )
    pks = [pk for pk, _version in items]
    names = {row.variable for row in edition.sid_rows}
    EntryVariableScore.objects.filter(innovation_id__in=pks).exclude(variable__in=names).delete()
    EntryVariableScore.objects.bulk_create(
        variables,
        update_conflicts=True,
        unique_fields=["innovation", "variable"],
        update_fields=["claimed", "verified"],
    )


@dataclass
class StoredIndex(SpreadWording):
    """A cycle's index from the stored results: both scores (without per-innovation rows), for the pages."""

    cycle: object
    edition: catalogue.Edition
    result: IndexResult
    spd: tuple[SpdResult, SpdResult]  # (claimed, verified)
    entries: int  # every entry of the cycle, counted or not

    @cached_property
    def spread_shortfall(self) -> SpreadShortfall | None:
        """D4 over the urusan of the entries in the self-assessed n (one query)."""
        urusan = (
            Innovation.objects.filter(cycle=self.cycle)
            .filter(counts(verified=False))
            .order_by()
            .values_list("urusan", flat=True)
            .distinct()
        )
        return urusan_spread_shortfall(self.edition, list(urusan))


def indexes(cycles: list) -> dict[int, StoredIndex]:
    """Every given cycle's index, after refreshing their stale entries: 3 queries for all when none is stale."""
    refresh(cycles)
    totals = {
        row["cycle"]: row
        for row in Innovation.objects.filter(cycle__in=cycles)
        .order_by()
        .values("cycle")
        .annotate(
            entries=Count("pk"),
            claimed_n=Count("pk", filter=counts(verified=False)),
            claimed_sum=Sum("stored_score__claimed", filter=counts(verified=False)),
            verified_n=Count("pk", filter=counts(verified=True)),
            verified_sum=Sum("stored_score__verified", filter=counts(verified=True)),
        )
    }
    spd_answers = spd_answers_by_cycle(cycles)
    found = {}
    for cycle in cycles:
        edition = cycle.edition.parsed()
        row = totals.get(cycle.pk, {})
        spd = tuple(spd_score(edition, spd_answers[cycle.pk], verified=kind) for kind in (False, True))
        claimed = score_from_totals(edition, spd[0], row.get("claimed_sum") or ZERO, row.get("claimed_n", 0))
        verified = score_from_totals(
            edition, spd[1], row.get("verified_sum") or ZERO, row.get("verified_n", 0)
        )
        found[cycle.pk] = StoredIndex(
            cycle=cycle,
            edition=edition,
            result=IndexResult(year=edition.year, self_assessed=claimed, verified=verified),
            spd=spd,
            entries=row.get("entries", 0),
        )
    return found


def variables(index: StoredIndex):
    """`scoring.index.variable_scores` of the cycle, from the stored sums per variable (one query)."""
    sums = (
        EntryVariableScore.objects.filter(innovation__cycle=index.cycle)
        .order_by()
        .values("variable")
        .annotate(
            claimed=Sum("claimed", filter=counts("innovation__", verified=False)),
            verified=Sum("verified", filter=counts("innovation__", verified=True)),
        )
    )
    claimed, verified = {}, {}
    for row in sums:
        claimed[row["variable"]] = row["claimed"] or ZERO
        verified[row["variable"]] = row["verified"] or ZERO
    result = index.result
    return variable_scores_from_sums(
        index.edition,
        (index.spd[0].rows, index.spd[1].rows),
        (claimed, verified),
        (result.self_assessed.n, result.verified.n),
    )


@dataclass(frozen=True)
class RankedGain:
    what: str  # "SPD SPD-06" or "<innovation> · SID-16", as `scoring.collect.index_gains` names them
    entry_pk: int | None
    gain: Gain


def gains(index: StoredIndex, *, limit: int = 10) -> list[RankedGain]:
    """`scoring.collect.index_gains` of the cycle: the rows whose completion raises the claimed IID most.

    Only the `limit` entries with the best first row can reach the ranking (an entry's rows rank behind its
    first), so only theirs are read, in the order of the index (agency name, then entry): one query.
    """
    if limit > GAIN_ROWS_KEPT:
        raise ValueError(f"At most {GAIN_ROWS_KEPT} gains are kept per entry.")
    claimed = counts("innovation__", verified=False)
    best = (
        EntryScore.objects.filter(claimed, innovation__cycle=index.cycle, best_gain__isnull=False)
        .order_by("-best_gain", "best_gain_row", "innovation__agency__name", "innovation_id")
        .values_list("innovation_id", flat=True)[:limit]
    )
    reaching = (
        EntryScore.objects.filter(innovation_id__in=best)
        .order_by("innovation__agency__name", "innovation_id")
        .values_list("innovation_id", "innovation__name", "gain_rows")
    )
    names, targets = {}, [("SPD", index.spd[0].rows)]
    for pk, name, rows in reaching:
        names[str(pk)] = (pk, name)
        targets.append((str(pk), [_row_result(index.edition, *row) for row in rows]))
    ranked = []
    for gain in gains_over(index.edition, index.result.self_assessed, targets, limit=limit):
        if gain.target == "SPD":
            ranked.append(RankedGain(f"SPD {gain.row_id}", None, gain))
        else:
            pk, name = names[gain.target]
            ranked.append(RankedGain(f"{name} · {gain.row_id}", pk, gain))
    return ranked


def _row_result(edition: catalogue.Edition, row_id: str, level: int | None, score: str) -> RowResult:
    # What `gains_over` reads of a row: its id, chosen level and current score (the reason does not matter).
    row = edition.row(row_id)
    return RowResult(row_id, level, Decimal(score), None, row.bobot)


# --- the list of entries ------------------------------------------------------------------------------------

# Sort key of the list: (the columns asked for, the tie-breakers that always run ascending).
ORDERINGS = {
    "name": (("name",), ("agency__name", "pk")),
    "agency": (("agency__name",), ("name", "pk")),
    "claimed": (("stored_score__claimed", "stored_score__verified"), ("agency__name", "pk")),
    "verified": (("stored_score__verified", "stored_score__claimed"), ("agency__name", "pk")),
}
DEFAULT_ORDERING = "-claimed"


def ordering_of(value: str | None) -> str:
    """The list's order as asked (`name`, `-verified`...), or the default: the most mature first."""
    value = (value or "").strip()
    return value if value.lstrip("-") in ORDERINGS else DEFAULT_ORDERING


def entry_rows(cycle, ordering: str = DEFAULT_ORDERING):
    """The cycle's entries with their stored kematangan in `ordering`, as dicts: a queryset to slice a page of.

    A descending order turns the columns asked for; among equals the agency and the entry stay in their order.
    """
    asked, ties = ORDERINGS[ordering.lstrip("-")]
    descending = ordering.startswith("-")
    keys = [F(field).desc(nulls_last=True) if descending else F(field).asc() for field in asked]
    return (
        Innovation.objects.filter(cycle=cycle)
        .order_by(*keys, *ties)
        .values(
            "pk",
            "name",
            "status",
            "stage",
            "agency__name",
            claimed=F("stored_score__claimed"),
            verified=F("stored_score__verified"),
        )
    )
