"""The scenario file of METHOD.md section 6: parsing, errors and the exact output."""

import json
from decimal import Decimal

import pytest

from scoring.catalogue import bundled_catalogue_path, load_edition_file
from scoring.index import Answer, InnovationInput
from scoring.scenario import Scenario, ScenarioError, parse_scenario, render_json, score_scenario

EDITION = load_edition_file(bundled_catalogue_path(2024))
D = Decimal

# The example of METHOD.md section 6, verbatim.
EXAMPLE = """{
  "edition": 2024,
  "spd": {"SPD-01": {"level": 3, "evidence": true, "verdict": "sesuai"},
          "SPD-02a": {"level": 2, "evidence": true, "verdict": "tidak_sesuai", "verified_level": 1}},
  "innovations": [
    {"name": "Posyandu Digital",
     "answers": {"SID-16": {"level": 2, "evidence": true, "verdict": "sesuai"},
                 "SID-17": {"level": 1, "evidence": false}}}
  ]
}"""

# Worked by hand. Self-assessed: SPD-01 1 * 3 = 3, SPD-02a 1 * 2 = 2 -> spd 5; SID-16 3 * 2 = 6, SID-17 has no
# evidence -> 0 (D1); kematangan 6; n = 1 -> 6 / max(10, 1) = 0.6; jumlah 1 * 0.38; sid 0.98; total 5.98;
# IID 5.98 / 250 * 100 = 2.392 -> 2.39. Verified: SPD-01 sesuai 3, SPD-02a tidak sesuai at level 1 -> 1,
# spd 4; SID-16 sesuai 6, SID-17 still 0; total 4.98; IID 1.992 -> 1.99.
EXPECTED = {
    "edition": 2024,
    "self_assessed": {
        "n": 1,
        "spd": D("5.0"),
        "kematangan_sum": D("6.0"),
        "sid_average": D("0.6"),
        "jumlah_inovasi": D("0.38"),
        "sid": D("0.98"),
        "total": D("5.98"),
        "iid": D("2.39"),
        "predicate": "Kurang Inovatif",
    },
    "verified": {
        "n": 1,
        "spd": D("4.0"),
        "kematangan_sum": D("6.0"),
        "sid_average": D("0.6"),
        "jumlah_inovasi": D("0.38"),
        "sid": D("0.98"),
        "total": D("4.98"),
        "iid": D("1.99"),
        "predicate": "Kurang Inovatif",
    },
}
EXPECTED_TEXT = (
    '{"edition": 2024, '
    '"self_assessed": {"n": 1, "spd": 5.0, "kematangan_sum": 6.0, "sid_average": 0.6, "jumlah_inovasi": 0.38, '
    '"sid": 0.98, "total": 5.98, "iid": 2.39, "predicate": "Kurang Inovatif"}, '
    '"verified": {"n": 1, "spd": 4.0, "kematangan_sum": 6.0, "sid_average": 0.6, "jumlah_inovasi": 0.38, '
    '"sid": 0.98, "total": 4.98, "iid": 1.99, "predicate": "Kurang Inovatif"}}'
)


def run(text: str) -> dict:
    return score_scenario(parse_scenario(text), EDITION)


def problems_of(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        run(text)
    return caught.value.problems


def scenario(**parts) -> str:
    return json.dumps({"edition": 2024, **parts})


def test_score_scenario_method_example():
    assert json.loads(render_json(run(EXAMPLE)), parse_float=Decimal) == EXPECTED


def test_render_json_method_example_text():
    assert render_json(run(EXAMPLE)) == EXPECTED_TEXT


def test_parse_scenario_method_example():
    assert parse_scenario(EXAMPLE) == Scenario(
        edition=2024,
        spd_answers={
            "SPD-01": Answer(3, True, "sesuai"),
            "SPD-02a": Answer(2, True, "tidak_sesuai", verified_level=1),
        },
        innovations=(
            InnovationInput(
                "innovations[0]",
                "Posyandu Digital",
                {"SID-16": Answer(2, True, "sesuai"), "SID-17": Answer(1, False)},
            ),
        ),
    )


def test_score_scenario_empty_region_is_tidak_dapat_dinilai():
    output = run(scenario())

    assert render_json(output["self_assessed"]) == (
        '{"n": 0, "spd": 0.0, "kematangan_sum": 0.0, "sid_average": 0.0, "jumlah_inovasi": 0.0, "sid": 0.0, '
        '"total": 0.0, "iid": 0.0, "predicate": "Tidak Dapat Dinilai"}'
    )


def test_score_scenario_every_listed_innovation_counts_for_both_scores():
    # Two innovations, nothing reviewed: both still enter n for the verified score (the caller filtered them).
    output = run(scenario(innovations=[{"name": "A", "answers": {}}, {"name": "B", "answers": {}}]))

    assert (output["self_assessed"]["n"], output["verified"]["n"]) == (2, 2)
    assert output["verified"]["jumlah_inovasi"] == D("0.76")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("5"), "5.0"),
        (D("5.00"), "5.0"),
        (D("0.60"), "0.6"),
        (D("100.00"), "100.0"),
        (D("150.0175"), "150.0175"),
        (D("1E+2"), "100.0"),
        (
            D("100.90909090909090909090909090909090909090909090909"),
            "100.90909090909090909090909090909090909090909090909",
        ),
    ],
)
def test_render_json_writes_decimals_exactly(value, expected):
    assert render_json(value) == expected


def test_render_json_nested_values():
    assert (
        render_json({"a": [1, None, True, "é"], "b": D("0.38")}) == '{"a": [1, null, true, "é"], "b": 0.38}'
    )


# --- errors -------------------------------------------------------------------------------------------------


def test_parse_scenario_malformed_json():
    problems = problems_of('{"edition": 2024,')

    assert len(problems) == 1
    assert problems[0].startswith("JSON tidak valid: ")
    assert "(baris 1, kolom 18)" in problems[0]


def test_parse_scenario_not_an_object():
    assert problems_of("[1, 2]") == ["Skenario harus berupa objek JSON."]


def test_parse_scenario_nan_is_not_a_number():
    assert problems_of('{"edition": NaN}') == ["JSON tidak valid: NaN bukan bilangan JSON yang sah."]


def test_parse_scenario_duplicate_key():
    assert problems_of('{"edition": 2024, "edition": 2024}') == [
        "Kunci 'edition' muncul lebih dari sekali dalam satu objek."
    ]


def test_parse_scenario_missing_edition():
    assert problems_of("{}") == ["edition: tidak ada."]


def test_check_scenario_other_edition():
    assert problems_of('{"edition": 2023}') == ["edition: 2023 tidak sama dengan katalog yang dimuat (2024)."]


def test_parse_scenario_unknown_keys():
    text = scenario(spd={"SPD-01": {"level": 3, "evidence": True, "evidense": True}}, region="Parepare")

    assert problems_of(text) == [
        "skenario: kunci 'region' tidak dikenal (yang dikenal: edition, innovations, spd).",
        "spd.SPD-01: kunci 'evidense' tidak dikenal (yang dikenal: evidence, group, level, verdict, verified_level).",
    ]


def test_check_scenario_unknown_row_ids():
    text = scenario(
        spd={"SPD-99": {"level": 1, "evidence": True}, "SID-16": {"level": 1, "evidence": True}},
        innovations=[{"name": "A", "answers": {"SPD-01": {"level": 1, "evidence": True}}}],
    )

    assert problems_of(text) == [
        "spd.SPD-99: bukan indikator SPD katalog 2024.",
        "spd.SID-16: bukan indikator SPD katalog 2024.",
        "innovations[0].answers.SPD-01: bukan indikator SID katalog 2024.",
    ]


def test_check_scenario_levels_outside_the_row():
    text = scenario(
        spd={"SPD-01": {"level": 4, "evidence": True}},
        innovations=[
            {"name": "A", "answers": {"SID-16": {"level": 2, "evidence": True}}},
            {"name": "B", "answers": {"SID-17": {"level": -1, "evidence": True}}},
        ],
    )

    assert problems_of(text) == [
        "spd.SPD-01: level 4 melebihi level tertinggi indikator (3).",
        "innovations[1].answers.SID-17: level -1 tidak boleh negatif.",
    ]


def test_check_scenario_verified_level_above_chosen_level():
    text = scenario(
        spd={"SPD-02a": {"level": 1, "evidence": True, "verdict": "tidak_sesuai", "verified_level": 2}}
    )

    assert problems_of(text) == [
        "spd.SPD-02a: level verifikator 2 harus antara 0 dan level yang dipilih (1)."
    ]


def test_parse_scenario_wrong_types():
    text = scenario(
        spd={
            "SPD-01": {"level": "3", "evidence": "yes"},
            "SPD-03": {"level": 2.0, "evidence": True, "verdict": "ok"},
            "SPD-04": {"level": True, "evidence": True, "verdict": "sesuai", "verified_level": 1},
            "SPD-06": [3],
        },
        innovations={"name": "A"},
    )

    assert problems_of(text) == [
        'spd.SPD-01.level: harus bilangan bulat atau null, bukan "3".',
        'spd.SPD-01.evidence: harus true atau false, bukan "yes".',
        "spd.SPD-03.level: harus bilangan bulat atau null, bukan 2.0.",
        'spd.SPD-03.verdict: harus "sesuai", "tidak_sesuai" atau null, bukan "ok".',
        "spd.SPD-04.level: harus bilangan bulat atau null, bukan true.",
        'spd.SPD-04.verified_level: hanya berlaku untuk verdict "tidak_sesuai".',
        "spd.SPD-06: harus berupa objek {level, evidence, ...}, bukan [3].",
        'innovations: harus berupa daftar, bukan {"name": "A"}.',
    ]


def test_parse_scenario_missing_answer_keys_and_innovation_answers():
    text = scenario(spd={"SPD-01": {"verdict": "sesuai"}}, innovations=[{"name": 7}, "B"])

    assert problems_of(text) == [
        "spd.SPD-01.level: tidak ada.",
        "spd.SPD-01.evidence: tidak ada.",
        "innovations[0].name: harus berupa teks, bukan 7.",
        "innovations[0].answers: tidak ada.",
        'innovations[1]: harus berupa objek, bukan "B".',
    ]


def test_check_scenario_option_group():
    text = scenario(
        innovations=[
            {"answers": {"SID-30": {"level": 2, "evidence": True, "group": "digital"}}},
            {"answers": {"SID-33": {"level": 2, "evidence": True, "group": "hektar"}}},
        ]
    )

    with pytest.raises(ScenarioError) as caught:
        run(text)

    assert caught.value.problems == [
        "innovations[1].answers.SID-33: kelompok opsi 'hektar' tidak dikenal "
        "(pilihan: orang, unit, biaya, pendapatan, produk)."
    ]
