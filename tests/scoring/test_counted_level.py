"""Issue 16: the level a row's score counts is the engine's to say (the exports used to divide the score by
the weight to find it)."""

import pytest

from scoring.catalogue import bundled_catalogue_path, load_edition
from scoring.index import Answer, Reason, row_score


@pytest.fixture(scope="module")
def row():
    edition = load_edition(bundled_catalogue_path(2024).read_text(encoding="utf-8"))
    return next(row for row in edition.rows if row.bobot != 1 and row.max_level == 3)


@pytest.mark.parametrize(
    ("answer", "verified", "reason", "level"),
    [
        (None, True, Reason.NO_OPTION, 0),
        (Answer(level=2, has_evidence=False, verdict="sesuai"), True, Reason.NO_EVIDENCE, 0),
        (Answer(level=2, has_evidence=True), False, Reason.WITH_EVIDENCE, 2),
        (Answer(level=2, has_evidence=True), True, Reason.NOT_VERIFIED, 0),
        (Answer(level=3, has_evidence=True, verdict="sesuai"), True, Reason.SESUAI, 3),
        (
            Answer(level=3, has_evidence=True, verdict="tidak_sesuai", verified_level=1),
            True,
            Reason.TIDAK_SESUAI,
            1,
        ),
        (
            Answer(level=3, has_evidence=True, verdict="tidak_sesuai", verified_level=0),
            True,
            Reason.TIDAK_SESUAI,
            0,
        ),
    ],
)
def test_counted_level_is_the_level_the_score_counts(row, answer, verified, reason, level):
    result = row_score(row, answer, verified=verified)
    assert (result.reason, result.counted_level) == (reason, level)
    assert result.score == row.bobot * level
    assert isinstance(result.counted_level, int)
