"""The only bridge from the database to the pure index engine.

It reads a cycle's SPD profile, innovations, answers, evidence and verdicts into the engine's
plain data in a fixed number of queries, whatever the number of innovations, so that the web
page, the command line and the exports all give the figures of `compute_index(*gather_inputs(cycle))`:
`cycle_index` and `streamed_scores` end in the engine's `score_from_results` / `score_from_totals`, the
functions `compute_index` ends in too.
"""

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Exists, OuterRef

from registry.models import Answer as AnswerRow
from registry.models import Cycle, Evidence, Innovation
from scoring import catalogue, explanations
from scoring.index import (
    Answer,
    Gain,
    IndexResult,
    InnovationInput,
    InnovationResult,
    RunningSum,
    Score,
    SpdResult,
    SpreadShortfall,
    enters_measurement,
    gains_from_score,
    kematangan,
    score_from_results,
    spd_score,
    urusan_spread_shortfall,
)

# Innovations read per query by `streamed_scores`: its memory is that of one chunk, whatever the cycle's size.
STREAM_CHUNK_SIZE = 500


@dataclass(frozen=True)
class InnovationFacts:
    """What the index pages show beside an innovation's score."""

    key: str
    pk: int
    name: str
    agency: str
    status: str
    stage: str
    urusan: str
    counts_self_assessed: bool
    counts_verified: bool


def answer_rows(queryset):
    """(owner innovation id, indicator code, level, option group, verdict, verified level, has evidence) rows."""
    has_evidence = Exists(Evidence.objects.filter(answer=OuterRef("pk")))
    return queryset.annotate(has_evidence=has_evidence).values_list(
        "innovation_id",
        "indicator__code",
        "level",
        "option_group",
        "verdict",
        "verified_level",
        "has_evidence",
    )


@lru_cache(maxsize=4096)
def to_answer(level, group, verdict, verified_level, has_evidence) -> Answer:
    """One row of `answer_rows` (without its first two columns) as the engine's Answer.

    Answers are immutable and a cycle repeats the same few combinations tens of thousands of times, so equal
    rows share one Answer instead of building each (a frozen dataclass is slow to build).
    """
    return Answer(
        level=level,
        has_evidence=bool(has_evidence),
        verdict=verdict or None,
        verified_level=verified_level,
        group=group or None,
    )


def gather_inputs(
    cycle,
) -> tuple[catalogue.Edition, dict[str, Answer], list[InnovationInput], list[InnovationInput]]:
    """(edition, SPD answers, innovations entering n self-assessed, innovations entering n verified)."""
    edition, spd, innovations, facts = gather_cycle(cycle)
    return (edition, spd, *_entering_n(innovations, facts))


def _entering_n(innovations, facts) -> tuple[list[InnovationInput], list[InnovationInput]]:
    """D3: the innovations entering n for the self-assessed and for the verified score."""
    by_key = {item.key: item for item in innovations}
    return (
        [by_key[fact.key] for fact in facts if fact.counts_self_assessed],
        [by_key[fact.key] for fact in facts if fact.counts_verified],
    )


def gather_cycle(
    cycle,
) -> tuple[catalogue.Edition, dict[str, Answer], list[InnovationInput], list[InnovationFacts]]:
    """Everything of a cycle as plain data: every innovation, whether or not it enters n."""
    edition = cycle.edition.parsed()
    spd = {
        code: to_answer(level, group, verdict, verified_level, has_evidence)
        for _owner, code, level, group, verdict, verified_level, has_evidence in answer_rows(
            AnswerRow.objects.filter(spd_profile__cycle=cycle)
        )
    }
    answers: dict[int, dict[str, Answer]] = defaultdict(dict)
    for owner, code, level, group, verdict, verified_level, has_evidence in answer_rows(
        AnswerRow.objects.filter(innovation__cycle=cycle)
    ):
        answers[owner][code] = to_answer(level, group, verdict, verified_level, has_evidence)
    innovations, facts = [], []
    rows = (
        Innovation.objects.filter(cycle=cycle)
        .order_by("agency__name", "pk")
        .values_list("pk", "name", "agency__name", "status", "stage", "urusan")
    )
    for pk, name, agency, status, stage, urusan in rows:
        key = str(pk)
        innovations.append(
            InnovationInput(key=key, name=name, answers=answers.get(pk, {}), urusan=urusan or None)
        )
        facts.append(
            InnovationFacts(
                key=key,
                pk=pk,
                name=name,
                agency=agency,
                status=status,
                stage=stage,
                urusan=urusan,
                counts_self_assessed=enters_measurement(status, stage, verified=False),
                counts_verified=enters_measurement(status, stage, verified=True),
            )
        )
    return edition, spd, innovations, facts


@dataclass(frozen=True)
class InnovationScore:
    facts: InnovationFacts
    self_assessed: InnovationResult
    verified: InnovationResult


class SpreadWording:
    """The D4 warning of an index with a `spread_shortfall`, as a plain sentence and its help text."""

    @property
    def spread_warning(self) -> str | None:
        """The D4 warning as a plain sentence in the interface language; None when enough urusan are covered."""
        if self.spread_shortfall is None:
            return None
        return explanations.spread_sentence(self.spread_shortfall)

    @property
    def spread_help(self) -> str:
        """The method decision behind the warning, for the help text."""
        if self.spread_shortfall is None:
            return ""
        return explanations.spread_help(self.spread_shortfall)


@dataclass(frozen=True)
class CycleIndex(SpreadWording):
    """A cycle's index with every innovation's kematangan, for the page, the command and the exports."""

    edition: catalogue.Edition
    result: IndexResult
    innovations: list[InnovationScore]
    spread_shortfall: SpreadShortfall | None  # D4


def cycle_of(region, year: int):
    """The region's cycle of that year with its edition, or None: how the scoring commands find what to score."""
    return Cycle.objects.filter(region=region, year=year).select_related("edition").first()


def cycle_index(cycle) -> CycleIndex:
    """Every innovation's kematangan, computed once, and both scores assembled from them (`score_from_results`)."""
    edition, spd, innovations, facts = gather_cycle(cycle)
    by_key = {item.key: item for item in innovations}
    scores = [
        InnovationScore(
            facts=fact,
            self_assessed=kematangan(edition, by_key[fact.key], verified=False),
            verified=kematangan(edition, by_key[fact.key], verified=True),
        )
        for fact in facts
    ]
    result = IndexResult(
        year=edition.year,
        self_assessed=score_from_results(
            edition,
            spd_score(edition, spd, verified=False),
            [item.self_assessed for item in scores if item.facts.counts_self_assessed],
        ),
        verified=score_from_results(
            edition,
            spd_score(edition, spd, verified=True),
            [item.verified for item in scores if item.facts.counts_verified],
        ),
    )
    return CycleIndex(
        edition=edition,
        result=result,
        innovations=scores,
        spread_shortfall=urusan_spread_shortfall(
            edition, [by_key[fact.key].urusan for fact in facts if fact.counts_self_assessed]
        ),
    )


def streamed_scores(cycle) -> tuple[Score, Score]:
    """(self-assessed, verified) scores of the whole cycle, read `STREAM_CHUNK_SIZE` innovations at a time.

    The same figures as `cycle_index(cycle).result` (the same engine functions on the same rows), but only the
    running Σ kematangan and n are kept, so a streamed export's memory does not grow with the cycle. The
    scores carry no per-innovation results.
    """
    edition = cycle.edition.parsed()
    spd = {
        code: to_answer(*values)
        for _owner, code, *values in answer_rows(AnswerRow.objects.filter(spd_profile__cycle=cycle))
    }
    claimed, approved = RunningSum(), RunningSum()
    last = 0
    while True:
        # Keyset pages by pk: each query costs the same however far the stream has gone.
        chunk = list(
            Innovation.objects.filter(cycle=cycle, pk__gt=last)
            .order_by("pk")
            .values_list("pk", "status", "stage")[:STREAM_CHUNK_SIZE]
        )
        if not chunk:
            break
        last = chunk[-1][0]
        counted = {
            pk: (
                enters_measurement(status, stage, verified=False),
                enters_measurement(status, stage, verified=True),
            )
            for pk, status, stage in chunk
        }
        entering = [pk for pk, (self_assessed, verified) in counted.items() if self_assessed or verified]
        answers: dict[int, dict[str, Answer]] = defaultdict(dict)
        if entering:
            for owner, code, *values in answer_rows(AnswerRow.objects.filter(innovation__in=entering)):
                answers[owner][code] = to_answer(*values)
        for pk in entering:
            item = InnovationInput(key=str(pk), name="", answers=answers.get(pk, {}))
            if counted[pk][0]:
                claimed.add(kematangan(edition, item, verified=False).kematangan)
            if counted[pk][1]:
                approved.add(kematangan(edition, item, verified=True).kematangan)
    return (
        claimed.score(edition, spd_score(edition, spd, verified=False)),
        approved.score(edition, spd_score(edition, spd, verified=True)),
    )


def index_gains(index: CycleIndex, *, limit: int = 10) -> list[tuple[str, Gain]]:
    """Where to work next: (what, gain) for the rows whose completion would raise the claimed IID most."""
    names = {item.facts.key: item.facts.name for item in index.innovations}
    return [
        (f"SPD {gain.row_id}" if gain.target == "SPD" else f"{names[gain.target]} · {gain.row_id}", gain)
        for gain in gains_from_score(index.edition, index.result.self_assessed, limit=limit)
    ]


def gather_answers(owner) -> tuple[catalogue.Edition, dict[str, Answer]]:
    """One innovation's (or the SPD profile's) answers as the engine reads them, in one query."""
    owner_field = "spd_profile" if owner.__class__.__name__ == "SpdProfile" else "innovation"
    answers = {
        code: to_answer(level, group, verdict, verified_level, has_evidence)
        for _owner, code, level, group, verdict, verified_level, has_evidence in answer_rows(
            AnswerRow.objects.filter(**{owner_field: owner})
        )
    }
    return owner.cycle.edition.parsed(), answers


def live_kematangan(innovation) -> InnovationResult:
    """The innovation's self-assessed kematangan now, row by row with explanations (the filler's meter)."""
    edition, answers = gather_answers(innovation)
    return kematangan(
        edition,
        InnovationInput(key=str(innovation.pk), name=innovation.name, answers=answers),
        verified=False,
    )


def live_spd(profile) -> SpdResult:
    edition, answers = gather_answers(profile)
    return spd_score(edition, answers, verified=False)


def innovation_results(cycle, pks) -> dict[int, tuple[InnovationResult, InnovationResult]]:
    """(self-assessed, verified) kematangan of these innovations of the cycle, with their rows: one query.

    The same answers, read the same way, as `cycle_index` reads for them: what reports.scores stores per entry.
    """
    edition = cycle.edition.parsed()
    answers: dict[int, dict[str, Answer]] = {pk: {} for pk in pks}
    for owner, code, *values in answer_rows(AnswerRow.objects.filter(innovation__in=list(pks))):
        answers[owner][code] = to_answer(*values)
    results = {}
    for pk, rows in answers.items():
        item = InnovationInput(key=str(pk), name="", answers=rows)
        results[pk] = (kematangan(edition, item, verified=False), kematangan(edition, item, verified=True))
    return results


def spd_answers_by_cycle(cycles) -> dict[int, dict[str, Answer]]:
    """Each cycle's SPD answers as the engine reads them (`gather_cycle`'s `spd`), in two queries for all.

    Which rows have evidence is asked of their few ids: an EXISTS per row makes PostgreSQL, which cannot tell
    how few answers a profile holds among the entries' hundreds of thousands, hash the whole evidence table.
    """
    rows = list(
        AnswerRow.objects.filter(spd_profile__cycle__in=cycles).values_list(
            "pk",
            "spd_profile__cycle_id",
            "indicator__code",
            "level",
            "option_group",
            "verdict",
            "verified_level",
        )
    )
    with_evidence = set(
        Evidence.objects.filter(answer_id__in=[row[0] for row in rows])
        .order_by()
        .values_list("answer_id", flat=True)
        .distinct()
    )
    answers: dict[int, dict[str, Answer]] = {cycle.pk: {} for cycle in cycles}
    for pk, cycle_pk, code, level, group, verdict, verified_level in rows:
        answers[cycle_pk][code] = to_answer(level, group, verdict, verified_level, pk in with_evidence)
    return answers
