"""Properties of the index that must hold for any answers."""

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.catalogue import bundled_catalogue_path, load_edition_file
from scoring.index import VERDICTS, Answer, InnovationInput, compute_index

EDITION = load_edition_file(bundled_catalogue_path(2024))
FAST = settings(max_examples=100, deadline=None)


@st.composite
def answer_for(draw, row) -> Answer:
    level = draw(st.none() | st.sampled_from(row.levels))
    return Answer(
        level=level,
        has_evidence=draw(st.booleans()),
        verdict=draw(st.sampled_from((None, *VERDICTS))),
        verified_level=draw(st.integers(0, level or 0)),
    )


@st.composite
def answers_for(draw, rows) -> dict[str, Answer]:
    chosen = draw(st.lists(st.sampled_from(rows), unique_by=lambda row: row.id, max_size=len(rows)))
    return {row.id: draw(answer_for(row)) for row in chosen}


@st.composite
def region(draw, max_innovations: int = 12):
    """SPD answers and up to 12 innovations, drawn from a pool of at most 3 answer sets to keep it fast."""
    spd_answers = draw(answers_for(EDITION.spd_rows))
    pool = draw(st.lists(answers_for(EDITION.sid_rows), min_size=1, max_size=3))
    picks = draw(st.lists(st.sampled_from(range(len(pool))), max_size=max_innovations))
    items = [InnovationInput(str(i), f"Inovasi {i}", pool[pick]) for i, pick in enumerate(picks)]
    return spd_answers, items


@st.composite
def improvement(draw, answer: Answer | None, row) -> Answer:
    """The same answer with a level not lower and evidence not removed."""
    answer = answer or Answer()
    levels = [level for level in row.levels if answer.level is None or level >= answer.level]
    level = draw(st.sampled_from(levels))
    if answer.level is None and draw(st.booleans()):
        level = None
    evidence = answer.has_evidence or draw(st.booleans())
    return replace(answer, level=level, has_evidence=evidence)


@FAST
@given(region())
def test_compute_index_iid_between_0_and_100(data):
    spd_answers, items = data

    result = compute_index(EDITION, spd_answers, items, items)

    for kind in (result.self_assessed, result.verified):
        assert 0 <= kind.iid <= 100
        assert 0 <= kind.total <= EDITION.parameters.total_max


@settings(max_examples=50, deadline=None)  # up to 250 innovations per example; 50 keep it under 2 s
@given(
    st.integers(0, 12) | st.sampled_from([199, 200, 201, 250]),
    answers_for(EDITION.sid_rows),
    answers_for(EDITION.spd_rows),
)
def test_compute_index_iid_at_most_100_for_any_number_of_innovations(n, sid_answers, spd_answers):
    items = [InnovationInput(str(i), "", sid_answers) for i in range(n)]

    result = compute_index(EDITION, spd_answers, items, items)

    assert 0 <= result.self_assessed.iid <= 100


@FAST
@given(region(), st.data())
def test_compute_index_more_evidence_or_higher_level_never_lowers_self_assessed(data, draw):
    spd_answers, items = data
    before = compute_index(EDITION, spd_answers, items, items).self_assessed
    targets = ["SPD", *range(len(items))]
    target = draw.draw(st.sampled_from(targets))
    if target == "SPD":
        row = draw.draw(st.sampled_from(EDITION.spd_rows))
        spd_answers = {**spd_answers, row.id: draw.draw(improvement(spd_answers.get(row.id), row))}
    else:
        row = draw.draw(st.sampled_from(EDITION.sid_rows))
        item = items[target]
        answers = {**item.answers, row.id: draw.draw(improvement(item.answers.get(row.id), row))}
        items = [*items[:target], replace(item, answers=answers), *items[target + 1 :]]

    after = compute_index(EDITION, spd_answers, items, items).self_assessed

    assert after.total >= before.total
    assert after.iid >= before.iid


@FAST
@given(region())
def test_compute_index_verified_never_above_self_assessed_for_the_same_innovations(data):
    spd_answers, items = data

    result = compute_index(EDITION, spd_answers, items, items)

    assert result.verified.spd <= result.self_assessed.spd
    assert result.verified.total <= result.self_assessed.total
    assert result.verified.iid <= result.self_assessed.iid
    for verified, claimed in zip(result.verified.innovations, result.self_assessed.innovations, strict=True):
        assert verified.kematangan <= claimed.kematangan
