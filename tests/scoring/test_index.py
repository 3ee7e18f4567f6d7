"""The index engine against the worked examples of METHOD.md and numbers computed by hand.

Every expected number below is worked out in the comment next to it from the method's formulas:
row = bobot * level; SID = sum(kematangan) / max(10, n) + min(n, 200) * 0.38; IID = total / 250 * 100.
"""

import copy
from decimal import Decimal

import pytest
import yaml

from scoring.catalogue import bundled_catalogue_path, load_edition, load_edition_file
from scoring.index import (
    STAGES,
    STATUSES,
    Answer,
    Gain,
    InnovationInput,
    Reason,
    RowResult,
    compute_index,
    enters_measurement,
    gain_ranking,
    jumlah_inovasi,
    kematangan,
    predicate,
    round_half_up,
    row_score,
    score,
    spd_score,
    urusan_spread_warning,
)

EDITION = load_edition_file(bundled_catalogue_path(2024))
PARAMS = EDITION.parameters
D = Decimal


def done(level: int, *, evidence: bool = True) -> Answer:
    return Answer(level=level, has_evidence=evidence, verdict="sesuai")


def all_rows(rows, level: int, **changes: Answer) -> dict[str, Answer]:
    answers = {row.id: done(level) for row in rows}
    answers.update({row_id.replace("_", "-"): answer for row_id, answer in changes.items()})
    return {row_id: answer for row_id, answer in answers.items() if answer is not None}


def spd(level: int, **changes) -> dict[str, Answer]:
    return all_rows(EDITION.spd_rows, level, **changes)


def sid(level: int, **changes) -> dict[str, Answer]:
    return all_rows(EDITION.sid_rows, level, **changes)


def innovations(*answer_sets: dict[str, Answer]) -> list[InnovationInput]:
    return [InnovationInput(str(i), f"Inovasi {i}", answers) for i, answers in enumerate(answer_sets, 1)]


def summary(result) -> tuple:
    return (
        result.n,
        result.spd,
        result.kematangan_sum,
        result.sid_average,
        result.jumlah_inovasi,
        result.sid,
        result.total,
        result.iid,
        result.predicate,
    )


# --- worked examples ----------------------------------------------------------------------------------------


def worked_example_inputs():
    # SPD 45: every row at level 2 gives 2 * 21 = 42; SPD-12 (bobot 2) and SPD-01 (bobot 1) at 3 add 2 + 1.
    spd_answers = spd(2, SPD_12=done(3), SPD_01=done(3))
    # Kematangan 640 over 8 innovations: 5 * 111 = 555, plus 85 = all at level 2 (2 * 37 = 74) with SID-35 (4),
    # SID-16 (3), SID-31 (3) and SID-20 (1) at level 3 (+11), plus two innovations with nothing filled.
    sid_sets = (
        [sid(3)] * 5 + [sid(2, SID_35=done(3), SID_16=done(3), SID_31=done(3), SID_20=done(3))] + [{}, {}]
    )
    return spd_answers, innovations(*sid_sets)


def test_compute_index_worked_example_of_the_method():
    spd_answers, items = worked_example_inputs()

    result = compute_index(EDITION, spd_answers, items, items)

    # SID = 640 / 10 + 8 * 0.38 = 67.04; total = 112.04; IID = 112.04 / 250 * 100 = 44.816 -> 44.82.
    expected = (8, D(45), D(640), D(64), D("3.04"), D("67.04"), D("112.04"), D("44.82"), "Inovatif")
    assert summary(result.self_assessed) == expected
    assert summary(result.verified) == expected
    assert [item.kematangan for item in result.self_assessed.innovations] == [D(111)] * 5 + [
        D(85),
        D(0),
        D(0),
    ]


@pytest.mark.parametrize("n", [200, 250])
def test_compute_index_everything_at_top_with_200_or_more_innovations_is_100(n):
    items = innovations(*[sid(3)] * n)

    result = compute_index(EDITION, spd(3), items, items)

    # 63 + 111 * n / n + min(n, 200) * 0.38 = 63 + 111 + 76 = 250 -> 100.00.
    expected = (n, D(63), D(111 * n), D(111), D(76), D(187), D(250), D("100.00"), "Sangat Inovatif")
    assert summary(result.self_assessed) == expected


def test_compute_index_fewer_than_10_innovations_are_divided_by_10():
    items = innovations(sid(3), sid(3), sid(3))

    result = compute_index(EDITION, {}, items, items)

    # 333 / 10 (not / 3) + 3 * 0.38 = 33.3 + 1.14 = 34.44; IID = 13.776 -> 13.78.
    assert summary(result.self_assessed) == (
        3, D(0), D(333), D("33.3"), D("1.14"), D("34.44"), D("34.44"), D("13.78"), "Kurang Inovatif",
    )  # fmt: skip


def test_compute_index_more_than_10_innovations_are_divided_by_n():
    items = innovations(*[sid(3)] * 12, *[{}] * 3)

    result = compute_index(EDITION, {}, items, items)

    # 1332 / 15 = 88.8; + 15 * 0.38 = 5.7 -> 94.5; IID = 37.8.
    assert (result.self_assessed.sid_average, result.self_assessed.sid) == (D("88.8"), D("94.5"))
    assert (result.self_assessed.iid, result.self_assessed.predicate) == (D("37.80"), "Inovatif")


def test_compute_index_nothing_filled_is_tidak_dapat_dinilai():
    result = compute_index(EDITION, {}, [], [])

    assert summary(result.self_assessed) == (0, 0, 0, 0, 0, 0, 0, D("0.00"), "Tidak Dapat Dinilai")


# --- predicate boundaries ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("iid", "expected"),
    [
        ("0.00", "Tidak Dapat Dinilai"),
        ("0.01", "Kurang Inovatif"),
        ("34.99", "Kurang Inovatif"),
        ("35.00", "Inovatif"),
        ("60.00", "Inovatif"),
        ("60.01", "Sangat Inovatif"),
        ("100.00", "Sangat Inovatif"),
    ],
)
def test_predicate_boundaries(iid, expected):
    assert predicate(D(iid), PARAMS) == expected


def test_predicate_outside_bands_raises():
    with pytest.raises(ValueError, match=r"100\.01"):
        predicate(D("100.01"), PARAMS)


def test_compute_index_reaches_35_00_inovatif_from_real_answers():
    # n = 10; SPD 63; kematangan 111 + 96 (SID-31, bobot 3, and SID-32, bobot 2, left empty) = 207.
    # SID = 207 / 10 + 10 * 0.38 = 24.5; total = 87.5; IID = 35.00 exactly.
    items = innovations(sid(3), sid(3, SID_31=None, SID_32=None), *[{}] * 8)

    result = compute_index(EDITION, spd(3), items, items).self_assessed

    assert (result.total, result.iid, result.predicate) == (D("87.5"), D("35.00"), "Inovatif")


def test_compute_index_reaches_60_00_inovatif_from_real_answers():
    # n = 10; SPD 63 - 2 = 61 (SPD-12, bobot 2, at level 2); kematangan 7 * 111 + (74 + 1) = 852
    # (all rows at level 2 except SID-20, bobot 1, at 3). SID = 85.2 + 3.8 = 89; total = 150; IID = 60.00.
    items = innovations(*[sid(3)] * 7, sid(2, SID_20=done(3)), {}, {})

    result = compute_index(EDITION, spd(3, SPD_12=done(2)), items, items).self_assessed

    assert (result.total, result.iid, result.predicate) == (D("150"), D("60.00"), "Inovatif")


def test_compute_index_reaches_60_01_sangat_inovatif_from_real_answers():
    # n = 16; SPD 63; kematangan 11 * 111 + 74 = 1295; SID = 1295 / 16 + 16 * 0.38 = 80.9375 + 6.08.
    # total = 150.0175; IID = 60.007 -> 60.01.
    items = innovations(*[sid(3)] * 11, sid(2), *[{}] * 4)

    result = compute_index(EDITION, spd(3), items, items).self_assessed

    assert (result.total, result.iid, result.predicate) == (D("150.0175"), D("60.01"), "Sangat Inovatif")


# --- rounding --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2.345", "2.35"), ("2.3449", "2.34"), ("0.005", "0.01"), ("12.165", "12.17"), ("44.816", "44.82")],
)
def test_round_half_up_rounds_half_away_from_zero(value, expected):
    assert round_half_up(D(value)) == D(expected)


def test_round_half_up_other_places():
    assert round_half_up(D("0.125"), 1) == D("0.1")
    assert round_half_up(D("0.15"), 1) == D("0.2")


def test_compute_index_total_giving_half_cent_rounds_up():
    # n = 80; one innovation has only SID-20 (bobot 1) at level 1 -> kematangan 1. SID = 1 / 80 + 80 * 0.38
    # = 0.0125 + 30.4; total = 30.4125; IID = 12.165 exactly -> 12.17 (half-even would give 12.16).
    items = innovations({"SID-20": done(1)}, *[{}] * 79)

    result = compute_index(EDITION, {}, items, items).self_assessed

    assert (result.total, result.iid, result.predicate) == (D("30.4125"), D("12.17"), "Kurang Inovatif")


# --- rows -----------------------------------------------------------------------------------------------------


def test_spd_score_fractional_weights():
    # SPD-05a 0.75 * 3 = 2.25; SPD-06 1.5 * 1 = 1.5; SPD-10b 0.75 * 2 = 1.5 -> 5.25.
    answers = {"SPD-05a": done(3), "SPD-06": done(1), "SPD-10b": done(2)}

    result = spd_score(EDITION, answers, verified=False)

    assert result.score == D("5.25")
    assert [row.score for row in result.rows if row.level is not None] == [D("2.25"), D("1.5"), D("1.5")]


def test_row_score_option_group_does_not_change_the_score():
    sid_30, sid_33 = EDITION.row("SID-30"), EDITION.row("SID-33")

    scores = [
        row_score(sid_30, Answer(2, True, group="digital"), verified=False).score,
        row_score(sid_30, Answer(2, True, group="non_digital"), verified=False).score,
        row_score(sid_30, Answer(2, True), verified=False).score,
        row_score(sid_33, Answer(3, True, group="orang"), verified=False).score,
        row_score(sid_33, Answer(3, True, group="produk"), verified=False).score,
        row_score(sid_33, Answer(1, True, group="biaya"), verified=False).score,
        row_score(sid_33, Answer(0, True, group="biaya"), verified=False).score,
    ]

    assert scores == [D(4), D(4), D(4), D(9), D(9), D(3), D(0)]


def test_row_score_rejects_unknown_option_group():
    with pytest.raises(ValueError, match="SID-30: kelompok opsi 'analog' tidak dikenal"):
        row_score(EDITION.row("SID-30"), Answer(2, True, group="analog"), verified=False)
    with pytest.raises(ValueError, match="SID-16: indikator ini tidak memiliki kelompok opsi"):
        row_score(EDITION.row("SID-16"), Answer(2, True, group="digital"), verified=False)


def test_row_score_no_option_chosen_scores_zero():
    sid_16 = EDITION.row("SID-16")
    expected = RowResult("SID-16", None, D(0), Reason.NO_OPTION, D(3))

    assert row_score(sid_16, None, verified=False) == expected
    assert row_score(sid_16, Answer(has_evidence=True), verified=True) == expected


def test_row_score_d1_option_without_evidence_scores_zero_in_both_scores():
    answer = Answer(3, has_evidence=False, verdict="sesuai")
    expected = RowResult("SID-16", 3, D(0), Reason.NO_EVIDENCE, D(3))

    assert row_score(EDITION.row("SID-16"), answer, verified=False) == expected
    assert row_score(EDITION.row("SID-16"), answer, verified=True) == expected


def test_row_score_self_assessed_uses_chosen_level_whatever_the_verdict():
    sid_16 = EDITION.row("SID-16")
    expected = RowResult("SID-16", 3, D(9), Reason.WITH_EVIDENCE, D(3))

    for verdict in (None, "sesuai", "tidak_sesuai"):
        assert row_score(sid_16, Answer(3, True, verdict), verified=False) == expected


def test_row_score_d2_sesuai_scores_chosen_level():
    assert row_score(EDITION.row("SID-16"), Answer(3, True, "sesuai"), verified=True) == RowResult(
        "SID-16",
        3,
        D(9),
        Reason.SESUAI,
        D(3),
    )


def test_row_score_d2_tidak_sesuai_scores_reviewer_level():
    answer = Answer(3, True, "tidak_sesuai", verified_level=1)

    assert row_score(EDITION.row("SID-16"), answer, verified=True) == RowResult(
        "SID-16",
        3,
        D(3),
        Reason.TIDAK_SESUAI,
        D(3),
        supported=1,
    )


def test_row_score_d2_tidak_sesuai_without_level_scores_zero():
    assert row_score(EDITION.row("SPD-05a"), Answer(2, True, "tidak_sesuai"), verified=True) == RowResult(
        "SPD-05a",
        2,
        D(0),
        Reason.TIDAK_SESUAI,
        D("0.75"),
        supported=0,
    )


def test_row_score_d2_no_verdict_scores_zero():
    assert row_score(EDITION.row("SID-16"), Answer(3, True), verified=True) == RowResult(
        "SID-16", 3, D(0), Reason.NOT_VERIFIED, D(3)
    )


def test_row_score_rejects_verified_level_above_chosen_level():
    with pytest.raises(
        ValueError, match=r"SID-16: level verifikator 3 harus antara 0 dan level yang dipilih \(2\)"
    ):
        row_score(EDITION.row("SID-16"), Answer(2, True, "tidak_sesuai", verified_level=3), verified=True)


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        (Answer(4, True), r"SID-16: level 4 melebihi level tertinggi indikator \(3\)"),
        (Answer(-1, True), "SID-16: level -1 tidak boleh negatif"),
        (Answer(True, True), "SID-16: level harus bilangan bulat"),
        (Answer(2, True, "ok"), "SID-16: verdict harus 'sesuai', 'tidak_sesuai' atau None"),
        (Answer(2, "ya"), "SID-16: has_evidence harus True atau False"),
    ],
)
def test_row_score_rejects_impossible_answers(answer, message):
    with pytest.raises(ValueError, match=message):
        row_score(EDITION.row("SID-16"), answer, verified=False)


def test_row_score_rejects_level_above_the_rows_own_options():
    # An edition whose SPD-01 stops at level 2 and whose SPD-02a skips level 2 (maxima adjusted: 63 - 1).
    data = yaml.safe_load(bundled_catalogue_path(2024).read_text(encoding="utf-8"))
    data = copy.deepcopy(data)
    spd_rows = {item["id"]: item for item in data["spd"]}
    spd_rows["SPD-01"]["options"].pop(2)
    spd_rows["SPD-02a"]["options"].pop(1)
    data["scoring"]["spd_max"], data["scoring"]["total_max"] = 62, 249
    edition = load_edition(yaml.safe_dump(data, allow_unicode=True))

    with pytest.raises(ValueError, match=r"SPD-01: level 3 melebihi level tertinggi indikator \(2\)"):
        row_score(edition.row("SPD-01"), Answer(3, True), verified=False)
    with pytest.raises(ValueError, match=r"SPD-02a: level 2 tidak ditawarkan \(level yang ada: 0, 1, 3\)"):
        row_score(edition.row("SPD-02a"), Answer(2, True), verified=False)


def test_kematangan_rejects_unknown_row_ids():
    item = InnovationInput("a", "A", {"SPD-01": done(3), "SID-99": done(1)})

    with pytest.raises(
        ValueError, match="Jawaban SID inovasi 'a' untuk indikator yang tidak dikenal: SID-99, SPD-01"
    ):
        kematangan(EDITION, item, verified=False)


def test_score_rejects_duplicate_innovation_keys():
    item = InnovationInput("a", "A", {})

    with pytest.raises(ValueError, match="Kunci inovasi ganda: a"):
        score(EDITION, {}, [item, item], verified=False)


def test_compute_index_explains_every_row():
    spd_answers, items = worked_example_inputs()
    spd_answers["SPD-03"] = Answer(2, has_evidence=False)
    spd_answers["SPD-04"] = Answer(2, True, "tidak_sesuai", verified_level=1)
    spd_answers["SPD-09"] = Answer(2, True)

    result = compute_index(EDITION, spd_answers, items, items)

    for kind in (result.self_assessed, result.verified):
        assert [row.row_id for row in kind.spd_rows] == [row.id for row in EDITION.spd_rows]
        for innovation in kind.innovations:
            assert [row.row_id for row in innovation.rows] == [row.id for row in EDITION.sid_rows]
        rows = [*kind.spd_rows, *(row for innovation in kind.innovations for row in innovation.rows)]
        assert all(isinstance(row.reason, Reason) for row in rows)
        assert all(row.bobot == EDITION.row(row.row_id).bobot for row in rows)
    explained = {row.row_id: (row.reason, row.supported) for row in result.verified.spd_rows}
    assert [explained[row_id] for row_id in ("SPD-03", "SPD-04", "SPD-09")] == [
        (Reason.NO_EVIDENCE, None),
        (Reason.TIDAK_SESUAI, 1),
        (Reason.NOT_VERIFIED, None),
    ]


def test_compute_index_verified_counts_only_the_innovations_passed_for_it():
    # D3 is the caller's: self-assessed 11 innovations (10 at 111, one empty), verified only the 10 approved.
    # Self: 1110 / 11 + 11 * 0.38 = 100.9090... + 4.18 = 105.0890...; IID = 42.0356... -> 42.04.
    # Verified: 1110 / 10 + 10 * 0.38 = 114.8; IID = 45.92. Fewer counted innovations can raise the score.
    approved = innovations(*[sid(3)] * 10)
    submitted = [*approved, InnovationInput("11", "Inovasi 11", {})]

    result = compute_index(EDITION, {}, submitted, approved)

    assert (result.self_assessed.n, result.self_assessed.iid) == (11, D("42.04"))
    assert (result.verified.n, result.verified.iid, result.verified.total) == (10, D("45.92"), D("114.8"))


def test_jumlah_inovasi_is_capped():
    assert [jumlah_inovasi(n, PARAMS) for n in (0, 1, 8, 200, 201, 500)] == [
        D(0), D("0.38"), D("3.04"), D(76), D(76), D(76),
    ]  # fmt: skip


def test_jumlah_inovasi_rejects_negative_n():
    with pytest.raises(ValueError, match="-1"):
        jumlah_inovasi(-1, PARAMS)


# --- D3: which innovations count --------------------------------------------------------------------------------

# For an innovation at the Penerapan stage: (enters the self-assessed n, enters the verified n).
PENERAPAN_TABLE = {
    "draft": (False, False),
    "submitted": (True, False),
    "in_review": (True, False),
    "revision_requested": (True, False),
    "resubmitted": (True, False),
    "approved": (True, True),
    "rejected": (False, False),
}


@pytest.mark.parametrize("stage", STAGES)
@pytest.mark.parametrize("status", STATUSES)
def test_enters_measurement_every_status_and_stage(status, stage):
    expected = PENERAPAN_TABLE[status] if stage == "penerapan" else (False, False)

    assert (
        enters_measurement(status, stage, verified=False),
        enters_measurement(status, stage, verified=True),
    ) == expected


def test_enters_measurement_table_covers_every_status():
    assert set(PENERAPAN_TABLE) == set(STATUSES)
    assert STAGES == ("inisiatif", "uji_coba", "penerapan")


@pytest.mark.parametrize(("status", "stage"), [("sent", "penerapan"), ("approved", "implementation")])
def test_enters_measurement_rejects_unknown_values(status, stage):
    with pytest.raises(ValueError, match="tidak dikenal"):
        enters_measurement(status, stage, verified=False)


# --- D4: urusan spread ----------------------------------------------------------------------------------------


def test_urusan_spread_warning_one_basic_urusan():
    assert urusan_spread_warning(EDITION, ["Kesehatan", "Kesehatan", "Pariwisata", None]) == (
        "Inovasi daerah baru mencakup 1 dari 6 urusan wajib pelayanan dasar (Kesehatan); aturan 2024 "
        "mensyaratkan minimal 2. Konsekuensinya bagi skor belum diketahui, jadi skor tidak diubah."
    )


def test_urusan_spread_warning_no_urusan():
    assert urusan_spread_warning(EDITION, []) == (
        "Inovasi daerah baru mencakup 0 dari 6 urusan wajib pelayanan dasar; aturan 2024 mensyaratkan "
        "minimal 2. Konsekuensinya bagi skor belum diketahui, jadi skor tidak diubah."
    )


def test_urusan_spread_warning_none_when_two_covered_whatever_the_spelling():
    covered = ["kesehatan", "Ketenteraman, ketertiban umum dan pelindungan masyarakat"]

    assert urusan_spread_warning(EDITION, covered) is None


def test_urusan_spread_does_not_change_the_score():
    spd_answers, items = worked_example_inputs()
    with_urusan = [InnovationInput(item.key, item.name, item.answers, "Pariwisata") for item in items]

    assert compute_index(EDITION, spd_answers, with_urusan, with_urusan).self_assessed.iid == D("44.82")


# --- gain ranking -------------------------------------------------------------------------------------------


def gain_case():
    spd_answers = spd(
        3,
        SPD_12=done(1),  # 2 of 6: completing adds 4 -> 4 / 250 * 100 = 1.6
        SPD_05a=done(2),  # 1.5 of 2.25: adds 0.75 -> 0.3
        SPD_10a=done(2),  # the same, 0.3
        SPD_08=done(3, evidence=False),  # 0 of 4.5 (D1): adds 4.5 -> 1.8
    )
    a = InnovationInput(
        "A", "Inovasi A", sid(3, SID_35=done(1), SID_20=None)
    )  # SID-35 4 of 12; SID-20 0 of 3
    b = InnovationInput("B", "Inovasi B", sid(3, SID_35=done(1)))
    # n = 2, divisor 10: SID-35 adds 8 / 10 = 0.8 -> 0.32 points; SID-20 adds 3 / 10 = 0.3 -> 0.12 points.
    return spd_answers, [a, b]


def test_gain_ranking_orders_by_gain_then_row_id():
    spd_answers, items = gain_case()

    assert gain_ranking(EDITION, spd_answers, items) == [
        Gain("SPD", "SPD-08", 3, D(0), D("1.8")),
        Gain("SPD", "SPD-12", 1, D(2), D("1.6")),
        Gain("A", "SID-35", 1, D(4), D("0.32")),
        Gain("B", "SID-35", 1, D(4), D("0.32")),
        Gain("SPD", "SPD-05a", 2, D("1.5"), D("0.3")),
        Gain("SPD", "SPD-10a", 2, D("1.5"), D("0.3")),
        Gain("A", "SID-20", None, D(0), D("0.12")),
    ]


def test_gain_ranking_limit():
    spd_answers, items = gain_case()

    assert [(gain.target, gain.row_id) for gain in gain_ranking(EDITION, spd_answers, items, limit=3)] == [
        ("SPD", "SPD-08"),
        ("SPD", "SPD-12"),
        ("A", "SID-35"),
    ]


def test_gain_ranking_matches_rerunning_the_index():
    spd_answers, items = gain_case()
    first = gain_ranking(EDITION, spd_answers, items, limit=1)[0]
    base = score(EDITION, spd_answers, items, verified=False)

    improved = score(EDITION, {**spd_answers, first.row_id: done(3)}, items, verified=False)

    assert improved.iid - base.iid == first.gain


def test_gains_from_a_computed_score_equal_the_ranking():
    """The dashboard ranks gains from the score it already has: same list as ranking from the answers."""
    from scoring.index import gains_from_score

    spd_answers = {"SPD-01": Answer(level=1, has_evidence=True)}
    items = [
        InnovationInput(key="a", name="A", answers={"SID-16": Answer(level=1, has_evidence=True)}),
        InnovationInput(key="b", name="B", answers={"SID-17": Answer(level=2, has_evidence=True)}),
    ]
    base = score(EDITION, spd_answers, items, verified=False)
    assert gains_from_score(EDITION, base, limit=7) == gain_ranking(EDITION, spd_answers, items, limit=7)
    assert len(gains_from_score(EDITION, base, limit=7)) == 7
