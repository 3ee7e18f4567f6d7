"""A score assembled from already computed parts (`score_from_results`, `score_from_totals`, `RunningSum`) is
exactly `score()`: the one formula, whichever way the kematangan were gathered."""

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import index as engine
from scoring.catalogue import bundled_catalogue_path, load_edition_file
from scoring.index import (
    Answer,
    InnovationInput,
    RunningSum,
    kematangan,
    row_score,
    score,
    score_from_results,
    score_from_totals,
    spd_score,
)
from tests.scoring.test_properties import region

EDITION = load_edition_file(bundled_catalogue_path(2024))
D = Decimal


@settings(max_examples=100, deadline=None)
@given(region(max_innovations=20), st.booleans(), st.randoms(use_true_random=False))
def test_assembled_scores_equal_score(data, verified, shuffler):
    spd_answers, items = data
    expected = score(EDITION, spd_answers, items, verified=verified)
    spd = spd_score(EDITION, spd_answers, verified=verified)
    results = [kematangan(EDITION, item, verified=verified) for item in items]
    assert score_from_results(EDITION, spd, results) == expected
    # Streamed in any order, only the running sum and n are kept: every figure but the per-innovation list.
    running = RunningSum()
    shuffler.shuffle(results)
    for result in results:
        running.add(result.kematangan)
    assert running.score(EDITION, spd) == replace(expected, innovations=())


def test_score_from_totals_worked_example():
    # test_exports.py's region by hand: SPD 3 + 3 = 6 claimed; kematangan 20 and 2, n = 2:
    # SID = 22 / max(10, 2) + 2 × 0.38 = 2.96; total 8.96; IID 8.96 / 250 × 100 = 3.584 → 3.58.
    spd = spd_score(
        EDITION,
        {
            "SPD-01": Answer(level=3, has_evidence=True),
            "SPD-06": Answer(level=2, has_evidence=True),
            "SPD-12": Answer(level=2),
        },
        verified=False,
    )
    assert spd.score == 6
    running = RunningSum()
    running.add(D(20))
    running.add(D(2))
    result = running.score(EDITION, spd)
    assert (result.n, result.kematangan_sum, result.sid, result.total, result.iid) == (
        2,
        22,
        D("2.96"),
        D("8.96"),
        D("3.58"),
    )
    assert result.predicate == "Kurang Inovatif"
    assert result == score_from_totals(EDITION, spd, D(22), 2)


def test_score_from_totals_refuses_results_that_do_not_match_n():
    spd = spd_score(EDITION, {}, verified=False)
    one = kematangan(EDITION, InnovationInput("1", "Satu", {}), verified=False)
    with pytest.raises(ValueError, match="n = 2"):
        score_from_totals(EDITION, spd, one.kematangan, 2, (one,))


def test_score_from_results_rejects_duplicate_keys():
    spd = spd_score(EDITION, {}, verified=False)
    one = kematangan(EDITION, InnovationInput("a", "Satu", {}), verified=False)
    with pytest.raises(ValueError, match="Kunci inovasi ganda: a"):
        score_from_results(EDITION, spd, [one, one])


def test_shared_row_scores_equal_fresh_ones():
    """Row results are shared between equal inputs (`_memo_row_score`); each must be what `row_score` gives."""
    rows = EDITION.sid_rows
    shared = [
        Answer(level=level, has_evidence=evidence, verdict=verdict, verified_level=0)
        for level in (None, 1, 2)
        for evidence in (False, True)
        for verdict in (None, "sesuai", "tidak_sesuai")
    ]
    picker = random.Random(7)
    for _ in range(300):
        answers = {}
        for row in rows:
            answer = picker.choice([None, *shared])
            if answer is not None and answer.level is not None and answer.level not in row.levels:
                answer = replace(answer, level=row.levels[-1])
            if answer is not None:
                answers[row.id] = answer
        item = InnovationInput("x", "X", answers)
        for verified in (False, True):
            result = kematangan(EDITION, item, verified=verified)
            assert result.rows == tuple(
                row_score(row, answers.get(row.id), verified=verified) for row in rows
            )


def test_shared_row_scores_never_mix_rows_or_answers():
    row = EDITION.sid_rows[0]
    heavier = replace(row, bobot=row.bobot * 2)  # another edition's row with the same id
    answer = Answer(level=row.levels[-1], has_evidence=True, verdict="sesuai")
    first = engine._memo_row_score(row, answer, False)
    assert engine._memo_row_score(heavier, answer, False).score == 2 * first.score
    assert engine._memo_row_score(row, replace(answer, has_evidence=False), False).score == 0
    assert engine._memo_row_score(row, answer, True) == row_score(row, answer, verified=True)


def test_an_invalid_answer_is_refused_every_time():
    row = EDITION.sid_rows[0]
    wrong = Answer(level=row.max_level + 1, has_evidence=True)
    item = InnovationInput("x", "X", {row.id: wrong})
    for _ in range(2):
        with pytest.raises(ValueError, match=row.id):
            kematangan(EDITION, item, verified=False)


def test_variable_scores_average_sid_rows_over_each_scores_own_n():
    """Averages of thirds (rounded once, in the engine's precision), for both scores."""
    from scoring.index import compute_index, variable_scores

    def innovation(key, level, verdict="sesuai"):
        answer = Answer(level=level, has_evidence=True, verdict=verdict, verified_level=1)
        return InnovationInput(key=key, name=key, answers={"SID-16": answer, "SID-17": answer})

    claimed = [innovation("a", 1), innovation("b", 2), innovation("c", 2, "tidak_sesuai")]
    result = compute_index(EDITION, {"SPD-01": Answer(level=2, has_evidence=True)}, claimed, claimed[:2])
    by_name = {(item.part, item.name): item for item in variable_scores(EDITION, result)}
    infrastruktur = by_name[("SID", "Infrastruktur")]
    # SID-16 (bobot 3) and SID-17 (bobot 2) are Infrastruktur: (5 + 10 + 10) / 3 claimed; verified
    # (5 + 10) / 2 over its own n of 2 (the refused third is not counted there).
    assert abs(infrastruktur.claimed - D(25) / 3) < D("1e-25") and infrastruktur.verified == D("7.5")
    assert infrastruktur.maximum == 30
    for score_, kind in ((result.self_assessed, "claimed"), (result.verified, "verified")):
        sid = [getattr(item, kind) for item in by_name.values() if item.part == "SID"]
        spd = [getattr(item, kind) for item in by_name.values() if item.part == "SPD"]
        assert abs(sum(sid) * score_.n - score_.kematangan_sum) < D("1e-25")
        assert sum(spd) == score_.spd
    assert by_name[("SID", "Kecanggihan Produk")].claimed == 0
