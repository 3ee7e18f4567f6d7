"""The Indeks Inovasi Daerah as pure functions over plain data (METHOD.md sections 2-5).

No Django here: `scoring/collect.py` turns database rows into the plain inputs below, and the page, the command
and the exports all call `compute_index`. Arithmetic is exact `Decimal`; the only rounding is
`round_half_up`, applied to the IID. Edition numbers (weights, divisor floor, cap, factor, bands, urusan rule)
come from the parsed catalogue, never from this module.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import (
    ROUND_HALF_EVEN,
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    InvalidOperation,
    localcontext,
)
from enum import StrEnum

from scoring.catalogue import Edition, Parameters, Row

SESUAI = "sesuai"
TIDAK_SESUAI = "tidak_sesuai"
VERDICTS = (SESUAI, TIDAK_SESUAI)

STATUSES = ("draft", "submitted", "in_review", "revision_requested", "resubmitted", "approved", "rejected")
STAGES = ("inisiatif", "uji_coba", "penerapan")
# D3. Self-assessed: submitted for the year and not rejected. An innovation sent back for revision was
# submitted and is not rejected, so it keeps counting. Verified: approved only.
SELF_ASSESSED_STATUSES = frozenset(
    {"submitted", "in_review", "revision_requested", "resubmitted", "approved"}
)
VERIFIED_STATUSES = frozenset({"approved"})
MEASURED_STAGES = frozenset({"penerapan"})

ZERO = Decimal(0)
# Σ kematangan / n does not terminate for most n > 10. 50 significant digits still round the IID exactly:
# with weights in hundredths the exact IID is a fraction with denominator dividing 1000 * n, so unless it is
# exactly a half-cent it lies at least 1 / (1000 * n) from one, far more than a 50-digit quotient's error.
_CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN, traps=[InvalidOperation, DivisionByZero])


@dataclass(frozen=True)
class Answer:
    """The filler's answer to one row, and the reviewer's verdict on it."""

    level: int | None = None
    has_evidence: bool = False
    verdict: str | None = None  # None (not reviewed yet), "sesuai" or "tidak_sesuai"
    verified_level: int = 0  # the level the evidence supports, used when the verdict is "tidak_sesuai"
    group: str | None = None  # option group (SID-30, SID-33); checked, never changes the score


@dataclass(frozen=True)
class InnovationInput:
    key: str
    name: str
    answers: Mapping[str, Answer] = field(default_factory=dict, hash=False)
    urusan: str | None = None


class Reason(StrEnum):
    """Why a row scores what it scores: a stable code, never shown as such.

    The engine speaks no language: `scoring.explanations` turns a reason and the figures of its `RowResult`
    into a sentence in the interface language, with the method decision behind it as a separate help text.
    """

    NO_OPTION = "no_option"  # no option chosen: 0
    NO_EVIDENCE = "no_evidence"  # D1: an option chosen without any evidence item: 0
    WITH_EVIDENCE = "with_evidence"  # self-assessed: bobot * the chosen level
    NOT_VERIFIED = "not_verified"  # D2: no verdict yet, 0 in the verified score
    SESUAI = "sesuai"  # verified: bobot * the chosen level
    TIDAK_SESUAI = "tidak_sesuai"  # verified: bobot * the level the verifier supports (`supported`)


@dataclass(frozen=True)
class RowResult:
    row_id: str
    level: int | None  # the level the filler chose
    score: Decimal
    reason: Reason
    bobot: Decimal  # the row's weight, to phrase the product
    supported: int | None = None  # the level the verifier supports, for a Tidak Sesuai verdict

    @property
    def counted_level(self) -> int:
        """The level the score counts (score = bobot × this level): the chosen level where it scores, the
        supported level of a Tidak Sesuai verdict, and 0 for a row that scores nothing (D1, D2, no option)."""
        if self.reason == Reason.TIDAK_SESUAI:
            return self.supported or 0
        if self.reason in (Reason.WITH_EVIDENCE, Reason.SESUAI):
            return self.level
        return 0


@dataclass(frozen=True)
class SpdResult:
    score: Decimal
    rows: tuple[RowResult, ...]


@dataclass(frozen=True)
class InnovationResult:
    key: str
    name: str
    kematangan: Decimal
    rows: tuple[RowResult, ...]


@dataclass(frozen=True)
class Score:
    n: int
    spd: Decimal
    kematangan_sum: Decimal
    sid_average: Decimal
    jumlah_inovasi: Decimal
    sid: Decimal
    total: Decimal
    iid: Decimal  # rounded half-up to 2 decimals
    predicate: str
    spd_rows: tuple[RowResult, ...]
    innovations: tuple[InnovationResult, ...]


@dataclass(frozen=True)
class IndexResult:
    year: int
    self_assessed: Score
    verified: Score


@dataclass(frozen=True)
class VariableScore:
    """One variable of the catalogue in both scores.

    SPD: the sum of the region's row scores. SID: the average over the innovations counted in n of
    their row scores in the variable (each score over its own n, D3, so a verified average can exceed
    the self-assessed one). The maximum is the variable's top score for one region or one innovation.
    """

    part: str
    name: str
    claimed: Decimal
    verified: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class Gain:
    target: str  # "SPD" or the innovation's key
    row_id: str
    level: int | None
    score: Decimal
    gain: Decimal  # exact IID points gained if this row alone were at its top level with evidence


def round_half_up(value: Decimal, places: int = 2) -> Decimal:
    """The one rounding of the method: half away from zero, as the national application reports the IID."""
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP, context=_CONTEXT)


def enters_measurement(status: str, stage: str, *, verified: bool) -> bool:
    """D3: whether an innovation with this workflow status and stage enters n for the given kind of score."""
    if status not in STATUSES:
        raise ValueError(f"Status inovasi tidak dikenal: {status!r} (pilihan: {', '.join(STATUSES)}).")
    if stage not in STAGES:
        raise ValueError(f"Tahapan inovasi tidak dikenal: {stage!r} (pilihan: {', '.join(STAGES)}).")
    statuses = VERIFIED_STATUSES if verified else SELF_ASSESSED_STATUSES
    return status in statuses and stage in MEASURED_STAGES


def check_answer(row: Row, answer: Answer) -> None:
    """Raise ValueError, naming the row, if the answer is not possible for this row."""
    where = f"Indikator {row.id}"
    level = answer.level
    if level is not None:
        if not _is_int(level):
            raise ValueError(f"{where}: level harus bilangan bulat, bukan {level!r}.")
        if level < 0:
            raise ValueError(f"{where}: level {level} tidak boleh negatif.")
        if level > row.max_level:
            raise ValueError(f"{where}: level {level} melebihi level tertinggi indikator ({row.max_level}).")
        if level not in row.levels:
            offered = ", ".join(map(str, row.levels))
            raise ValueError(f"{where}: level {level} tidak ditawarkan (level yang ada: {offered}).")
    if answer.group is not None:
        if not row.option_groups:
            raise ValueError(f"{where}: indikator ini tidak memiliki kelompok opsi ({answer.group!r}).")
        if answer.group not in row.option_groups:
            groups = ", ".join(row.option_groups)
            raise ValueError(f"{where}: kelompok opsi {answer.group!r} tidak dikenal (pilihan: {groups}).")
        group_levels = {0, *(option.level for option in row.option_groups[answer.group])}
        if level is not None and level not in group_levels:
            raise ValueError(f"{where}: level {level} tidak ada di kelompok opsi {answer.group!r}.")
    if not isinstance(answer.has_evidence, bool):
        raise ValueError(f"{where}: has_evidence harus True atau False, bukan {answer.has_evidence!r}.")
    if answer.verdict is not None and answer.verdict not in VERDICTS:
        raise ValueError(
            f"{where}: verdict harus 'sesuai', 'tidak_sesuai' atau None, bukan {answer.verdict!r}."
        )
    if not _is_int(answer.verified_level):
        raise ValueError(f"{where}: level verifikator harus bilangan bulat, bukan {answer.verified_level!r}.")
    chosen = level or 0
    if not 0 <= answer.verified_level <= chosen:
        raise ValueError(
            f"{where}: level verifikator {answer.verified_level} harus antara 0 dan level yang dipilih ({chosen})."
        )


def row_score(row: Row, answer: Answer | None, *, verified: bool) -> RowResult:
    """bobot * level, subject to D1 (no evidence scores 0) and, for the verified score, D2."""
    if answer is not None:
        check_answer(row, answer)
    if answer is None or answer.level is None:
        return RowResult(row.id, None, ZERO, Reason.NO_OPTION, row.bobot)
    level = answer.level
    if not answer.has_evidence:
        return RowResult(row.id, level, ZERO, Reason.NO_EVIDENCE, row.bobot)
    if not verified:
        return RowResult(row.id, level, row.bobot * level, Reason.WITH_EVIDENCE, row.bobot)
    if answer.verdict is None:
        return RowResult(row.id, level, ZERO, Reason.NOT_VERIFIED, row.bobot)
    if answer.verdict == SESUAI:
        return RowResult(row.id, level, row.bobot * level, Reason.SESUAI, row.bobot)
    supported = answer.verified_level
    return RowResult(row.id, level, row.bobot * supported, Reason.TIDAK_SESUAI, row.bobot, supported)


def spd_score(edition: Edition, answers: Mapping[str, Answer], *, verified: bool) -> SpdResult:
    rows = _score_rows(edition.spd_rows, answers, "SPD", verified=verified)
    return SpdResult(_sum(result.score for result in rows), rows)


def kematangan(edition: Edition, innovation: InnovationInput, *, verified: bool) -> InnovationResult:
    """The maturity of one innovation: the sum of its SID row scores."""
    rows = _score_rows(
        edition.sid_rows, innovation.answers, f"SID inovasi {innovation.key!r}", verified=verified
    )
    return InnovationResult(innovation.key, innovation.name, _sum(result.score for result in rows), rows)


def jumlah_inovasi(n: int, params: Parameters) -> Decimal:
    """Skor Jumlah Inovasi (indicator 36): min(n, cap) * factor."""
    if not _is_int(n) or n < 0:
        raise ValueError(f"Jumlah inovasi harus bilangan bulat tidak negatif, bukan {n!r}.")
    return min(n, params.count_cap) * params.per_innovation_factor


def iid_from_total(total: Decimal, params: Parameters) -> Decimal:
    with localcontext(_CONTEXT):
        return round_half_up(total / params.total_max * 100)


def predicate(iid: Decimal, params: Parameters) -> str:
    """The edition's predicate for an IID already rounded to 2 decimals."""
    for band in params.predicates:
        if band.contains(iid):
            return band.name
    raise ValueError(f"Tidak ada predikat untuk IID {iid}.")


def score(
    edition: Edition,
    spd_answers: Mapping[str, Answer],
    innovations: Sequence[InnovationInput],
    *,
    verified: bool,
) -> Score:
    """One kind of score; `innovations` are exactly those entering n for this kind (see `enters_measurement`)."""
    _check_unique_keys(innovations)  # before scoring: a duplicated key is the mistake to report
    with localcontext(_CONTEXT):
        spd = spd_score(edition, spd_answers, verified=verified)
        per_innovation = tuple(kematangan(edition, item, verified=verified) for item in innovations)
        return score_from_results(edition, spd, per_innovation)


def score_from_results(edition: Edition, spd: SpdResult, innovations: Sequence[InnovationResult]) -> Score:
    """One kind of score from its SPD result and the kematangan of the innovations entering n, already computed.

    `score()` ends here, and so do callers that computed every innovation's kematangan once for their own lists.
    """
    _check_unique_keys(innovations)
    with localcontext(_CONTEXT):
        return score_from_totals(
            edition, spd, _sum(item.kematangan for item in innovations), len(innovations), tuple(innovations)
        )


def score_from_totals(
    edition: Edition,
    spd: SpdResult,
    kematangan_sum: Decimal,
    n: int,
    innovations: tuple[InnovationResult, ...] = (),
) -> Score:
    """The one formula of a score from Σ kematangan and n (METHOD.md section 4).

    A caller that streams a large cycle passes only the running sum and n (`RunningSum`), leaving `innovations`
    empty; otherwise they are the results the sum was taken over.
    """
    if innovations and len(innovations) != n:
        raise ValueError(f"n = {n} tetapi ada {len(innovations)} hasil inovasi.")
    with localcontext(_CONTEXT):
        sid_average, jumlah, sid, total = _sid_and_total(edition.parameters, spd.score, kematangan_sum, n)
        iid = iid_from_total(total, edition.parameters)
        return Score(
            n=n,
            spd=spd.score,
            kematangan_sum=kematangan_sum,
            sid_average=sid_average,
            jumlah_inovasi=jumlah,
            sid=sid,
            total=total,
            iid=iid,
            predicate=predicate(iid, edition.parameters),
            spd_rows=spd.rows,
            innovations=innovations,
        )


@dataclass
class RunningSum:
    """Σ kematangan and n of one kind of score, fed one innovation at a time: memory does not grow with n."""

    kematangan_sum: Decimal = ZERO
    n: int = 0

    def add(self, value: Decimal) -> None:
        # The same context as `score_from_results`: 50 digits keep every sum of hundredths exact.
        with localcontext(_CONTEXT):
            self.kematangan_sum += value
        self.n += 1

    def score(self, edition: Edition, spd: SpdResult) -> Score:
        return score_from_totals(edition, spd, self.kematangan_sum, self.n)


def compute_index(
    edition: Edition,
    spd_answers: Mapping[str, Answer],
    innovations_self: Sequence[InnovationInput],
    innovations_verified: Sequence[InnovationInput],
) -> IndexResult:
    """Both scores. The caller passes, for each, the innovations entering n (D3, `enters_measurement`)."""
    return IndexResult(
        year=edition.year,
        self_assessed=score(edition, spd_answers, innovations_self, verified=False),
        verified=score(edition, spd_answers, innovations_verified, verified=True),
    )


def variable_scores(edition: Edition, result: IndexResult) -> list[VariableScore]:
    """Both scores regrouped per variable, in the catalogue's order (dashboard, PDF report).

    Needs the scores with their row results (`compute_index`, `cycle_index`), not streamed totals.
    """
    totals = [_variable_sums(edition, score) for score in (result.self_assessed, result.verified)]
    return _variables(edition, totals)


def variable_scores_from_sums(
    edition: Edition,
    spd_rows: tuple[Sequence[RowResult], Sequence[RowResult]],
    sid_sums: tuple[Mapping[str, Decimal], Mapping[str, Decimal]],
    n: tuple[int, int],
) -> list[VariableScore]:
    """`variable_scores` from sums kept per innovation: (claimed, verified) of the SPD rows, of the row scores
    summed per SID variable over the innovations in n, and of n. The same division, the same figures."""
    totals = []
    for rows, sums, count in zip(spd_rows, sid_sums, n, strict=True):
        part_sums: dict[tuple[str, str], Decimal] = {}
        for item in rows:
            key = ("SPD", edition.row(item.row_id).variable)
            part_sums[key] = part_sums.get(key, ZERO) + item.score
        if count:
            part_sums.update({("SID", name): total for name, total in sums.items()})
        totals.append(_divide_sid(part_sums, count))
    return _variables(edition, totals)


def sid_variable_sums(edition: Edition, rows: Iterable[RowResult]) -> dict[str, Decimal]:
    """One innovation's row scores summed per SID variable, every variable of the edition included."""
    sums = {row.variable: ZERO for row in edition.sid_rows}
    for item in rows:
        name = edition.row(item.row_id).variable
        sums[name] += item.score
    return sums


def _variables(edition: Edition, totals: list[dict[tuple[str, str], Decimal]]) -> list[VariableScore]:
    maximum: dict[tuple[str, str], Decimal] = {}
    for row in edition.rows:
        key = (row.part, row.variable)
        maximum[key] = maximum.get(key, Decimal(0)) + row.max_score
    return [
        VariableScore(part, name, totals[0].get((part, name), ZERO), totals[1].get((part, name), ZERO), top)
        for (part, name), top in maximum.items()
    ]


def _variable_sums(edition: Edition, score: Score) -> dict[tuple[str, str], Decimal]:
    sums: dict[tuple[str, str], Decimal] = {}
    for part, rows in [("SPD", score.spd_rows), *(("SID", item.rows) for item in score.innovations)]:
        for item in rows:
            key = (part, edition.row(item.row_id).variable)
            sums[key] = sums.get(key, ZERO) + item.score
    return _divide_sid(sums, score.n)


def _divide_sid(sums: dict[tuple[str, str], Decimal], n: int) -> dict[tuple[str, str], Decimal]:
    # One division per variable rather than per row: one rounding, in the engine's precision.
    with localcontext(_CONTEXT):
        return {key: total / n if key[0] == "SID" else total for key, total in sums.items()}


@dataclass(frozen=True)
class SpreadShortfall:
    """D4: the innovations cover fewer basic-service urusan than the edition asks; the score is not changed.

    Plain figures: `scoring.explanations` phrases them in the interface language, `urusan_spread_warning` in
    Indonesian for the command line.
    """

    year: int
    covered: tuple[str, ...]  # the basic-service urusan covered, in the catalogue's order
    total: int  # how many basic-service urusan the edition names
    threshold: int
    consequence: str | None  # the edition's consequence as the catalogue writes it; None while unknown


def urusan_spread_shortfall(edition: Edition, urusan_list: Iterable[str | None]) -> SpreadShortfall | None:
    """D4: the shortfall when the innovations cover too few basic-service urusan, else None."""
    rule = edition.parameters.spread_rule
    basic = {_urusan_key(name): name for name in rule.urusan}
    covered = {basic[key] for key in map(_urusan_key, filter(None, urusan_list)) if key in basic}
    if len(covered) >= rule.threshold:
        return None
    names = tuple(name for name in rule.urusan if name in covered)
    return SpreadShortfall(edition.year, names, len(rule.urusan), rule.threshold, rule.consequence or None)


def urusan_spread_warning(edition: Edition, urusan_list: Iterable[str | None]) -> str | None:
    """D4: the shortfall as one Indonesian text (the command line); None when enough urusan are covered."""
    shortfall = urusan_spread_shortfall(edition, urusan_list)
    if shortfall is None:
        return None
    listing = f" ({'; '.join(shortfall.covered)})" if shortfall.covered else ""
    consequence = (
        f"Konsekuensi: {shortfall.consequence}."
        if shortfall.consequence
        else "Konsekuensinya bagi skor belum diketahui, jadi skor tidak diubah."
    )
    return (
        f"Inovasi daerah baru mencakup {len(shortfall.covered)} dari {shortfall.total} urusan wajib pelayanan"
        f" dasar{listing}; aturan {shortfall.year} mensyaratkan minimal {shortfall.threshold}. {consequence}"
    )


def gain_ranking(
    edition: Edition,
    spd_answers: Mapping[str, Answer],
    innovations: Sequence[InnovationInput],
    *,
    limit: int = 10,
) -> list[Gain]:
    """The rows whose completion (top level, with evidence) would raise the self-assessed IID the most.

    Each gain is the exact change of the unrounded IID when that one row alone is completed; ties are broken
    by row id, then SPD before the innovations in the order given.
    """
    return gains_from_score(edition, score(edition, spd_answers, innovations, verified=False), limit=limit)


def gains_from_score(edition: Edition, base: Score, *, limit: int = 10) -> list[Gain]:
    """`gain_ranking` from a self-assessed score already computed, with its row results."""
    targets = [("SPD", base.spd_rows), *((item.key, item.rows) for item in base.innovations)]
    return gains_over(edition, base, targets, limit=limit)


def completion_gain(edition: Edition, current: RowResult) -> Decimal:
    """How much completing the row (its top level, with evidence) adds to its part's score: SPD, or kematangan."""
    row = edition.row(current.row_id)
    return (
        row_score(row, Answer(level=row.max_level, has_evidence=True), verified=False).score - current.score
    )


def rows_to_complete(edition: Edition, rows: Iterable[RowResult], *, limit: int = 10) -> list[RowResult]:
    """One innovation's rows that completing would raise, the one adding most first (then by row id): the order
    `gains_over` ranks them in, so an innovation's first `limit` are all it can bring to a ranking of `limit`."""
    with localcontext(_CONTEXT):
        raising = [(completion_gain(edition, item), item) for item in rows]
        raising = [(gain, item) for gain, item in raising if gain > 0]
    raising.sort(key=lambda pair: (-pair[0], pair[1].row_id))
    return [item for _gain, item in raising[:limit]]


def gains_over(
    edition: Edition, base: Score, targets: Iterable[tuple[str, Sequence[RowResult]]], *, limit: int = 10
) -> list[Gain]:
    """The `limit` rows whose completion raises the self-assessed IID of `base` most, among `targets`.

    `targets` are ("SPD", the SPD rows) and (innovation key, its rows) in the order of `base.innovations`;
    ties are broken by row id, then by that order. A caller may pass only the innovations that can reach the
    ranking, with only their first rows by `rows_to_complete` (reports.scores does): the ranking is the same.
    """
    params = edition.parameters
    kematangan_sum, n = base.kematangan_sum, base.n
    candidates: list[tuple[Decimal, str, int, Gain]] = []
    with localcontext(_CONTEXT):
        for order, (target, row_results) in enumerate(targets):
            for current in row_results:
                delta = completion_gain(edition, current)
                if delta <= 0:
                    continue
                if target == "SPD":
                    total = _sid_and_total(params, base.spd + delta, kematangan_sum, n)[3]
                else:
                    total = _sid_and_total(params, base.spd, kematangan_sum + delta, n)[3]
                gain = (total - base.total) / params.total_max * 100
                candidates.append(
                    (
                        -gain,
                        current.row_id,
                        order,
                        Gain(target, current.row_id, current.level, current.score, gain),
                    )
                )
    candidates.sort(key=lambda item: item[:3])
    return [item[3] for item in candidates[:limit]]


# --- helpers ------------------------------------------------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _sum(values: Iterable[Decimal]) -> Decimal:
    return sum(values, ZERO)


def _score_rows(
    rows: tuple[Row, ...], answers: Mapping[str, Answer], where: str, *, verified: bool
) -> tuple[RowResult, ...]:
    ids = {row.id for row in rows}
    unknown = sorted(set(answers) - ids)
    if unknown:
        raise ValueError(f"Jawaban {where} untuk indikator yang tidak dikenal: {', '.join(unknown)}.")
    return tuple(_memo_row_score(row, answers.get(row.id), verified) for row in rows)


# (id(row), id(answer), verified) → (row, answer, result). A large cycle scores the same few hundred (row,
# answer) pairs hundreds of thousands of times (`scoring.collect.to_answer` shares equal answers), and a result
# is immutable, so equal inputs share one. Row and answer are kept beside the result and compared by identity:
# an id reused by another object never matches.
_SCORED: dict[tuple[int, int, bool], tuple[Row, Answer | None, RowResult]] = {}
_SCORED_MAX = 20_000


def _memo_row_score(row: Row, answer: Answer | None, verified: bool) -> RowResult:
    key = (id(row), id(answer), verified)
    hit = _SCORED.get(key)
    if hit is not None and hit[0] is row and hit[1] is answer:
        return hit[2]
    result = row_score(row, answer, verified=verified)
    if len(_SCORED) >= _SCORED_MAX:
        _SCORED.clear()
    _SCORED[key] = (row, answer, result)
    return result


def _sid_and_total(
    params: Parameters, spd: Decimal, kematangan_sum: Decimal, n: int
) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """SID = Σ kematangan / max(floor, n) + jumlah_inovasi(n); total = SPD + SID."""
    sid_average = kematangan_sum / max(params.divisor_floor, n)
    jumlah = jumlah_inovasi(n, params)
    sid = sid_average + jumlah
    return sid_average, jumlah, sid, spd + sid


def _check_unique_keys(innovations: Sequence[InnovationInput] | Sequence[InnovationResult]) -> None:
    duplicates = sorted(key for key, count in Counter(item.key for item in innovations).items() if count > 1)
    if duplicates:
        raise ValueError(f"Kunci inovasi ganda: {', '.join(duplicates)}.")


def _urusan_key(name: str) -> str:
    # The catalogue writes "Ketenteraman, Ketertiban Umum, dan ..." and METHOD.md drops the comma; the web
    # app's own choice labels may differ in case too.
    return re.sub(r"[\s,]+", " ", name).strip().casefold()
