"""The catalogue loader: every shipped edition loads, and every kind of broken file is reported in full."""

import copy
import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from scoring.catalogue import (
    DATA_DIR,
    Band,
    CatalogueError,
    bundled_catalogue_path,
    load_edition,
    load_edition_file,
)

EDITION_FILES = sorted(DATA_DIR.glob("catalogue-*.yaml"))
SHIPPED_2024 = bundled_catalogue_path(2024).read_text(encoding="utf-8")
RAW_2024 = yaml.safe_load(SHIPPED_2024)


def mutated(change) -> str:
    data = copy.deepcopy(RAW_2024)
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems_of(text: str) -> list[str]:
    with pytest.raises(CatalogueError) as caught:
        load_edition(text)
    return caught.value.problems


def row(data: dict, row_id: str) -> dict:
    return next(item for section in ("spd", "sid") for item in data[section] if item["id"] == row_id)


@pytest.fixture(scope="module")
def edition():
    return load_edition(SHIPPED_2024)


def test_edition_files_exist():
    assert [path.name for path in EDITION_FILES] == ["catalogue-2024.yaml"]


@pytest.mark.parametrize("path", EDITION_FILES, ids=lambda path: path.name)
def test_load_edition_file_loads_every_shipped_edition(path: Path):
    edition = load_edition_file(path)

    assert edition.year == int(re.fullmatch(r"catalogue-(\d{4})\.yaml", path.name).group(1))
    assert edition.rows == edition.spd_rows + edition.sid_rows


def test_load_edition_2024_has_20_spd_and_20_sid_rows(edition):
    assert (len(edition.spd_rows), len(edition.sid_rows)) == (20, 20)


def test_load_edition_2024_weight_sums_are_21_and_37(edition):
    assert sum(row.bobot for row in edition.spd_rows) == Decimal(21)
    assert sum(row.bobot for row in edition.sid_rows) == Decimal(37)


def test_load_edition_keeps_file_order(edition):
    assert [row.id for row in edition.spd_rows] == [
        "SPD-01", "SPD-02a", "SPD-02b", "SPD-03", "SPD-04", "SPD-05a", "SPD-05b", "SPD-06", "SPD-07",
        "SPD-08", "SPD-09", "SPD-10a", "SPD-10b", "SPD-11a", "SPD-11b", "SPD-12", "SPD-13a", "SPD-13b",
        "SPD-14", "SPD-15",
    ]  # fmt: skip
    assert [row.id for row in edition.sid_rows] == [f"SID-{number}" for number in range(16, 36)]


def test_load_edition_reads_fractional_weights_exactly(edition):
    assert [edition.row(row_id).bobot for row_id in ("SPD-05a", "SPD-06", "SPD-12")] == [
        Decimal("0.75"),
        Decimal("1.5"),
        Decimal("2"),
    ]
    assert [option.score for option in edition.row("SPD-05a").options] == [
        Decimal("0.75"),
        Decimal("1.5"),
        Decimal("2.25"),
    ]


def test_load_edition_mandatory_rows_are_the_five_of_the_method(edition):
    assert [row.id for row in edition.mandatory_rows] == ["SID-16", "SID-17", "SID-32", "SID-33", "SID-35"]


def test_load_edition_option_groups_of_sid_30_and_sid_33(edition):
    sid_30, sid_33 = edition.row("SID-30"), edition.row("SID-33")

    assert (sid_30.options, list(sid_30.option_groups)) == ((), ["digital", "non_digital"])
    assert list(sid_33.option_groups) == ["orang", "unit", "biaya", "pendapatan", "produk"]
    assert [option.level for option in sid_33.option_groups["biaya"]] == [0, 1, 2, 3]
    assert edition.row("SID-16").option_groups == {}


def test_load_edition_max_level_and_levels(edition):
    assert [edition.max_level(row_id) for row_id in ("SPD-01", "SID-30", "SID-35")] == [3, 3, 3]
    assert edition.row("SPD-01").levels == (0, 1, 2, 3)


def test_edition_row_unknown_id_raises_key_error(edition):
    with pytest.raises(KeyError, match="SID-99"):
        edition.row("SID-99")


def test_load_edition_parameters_of_2024(edition):
    params = edition.parameters

    assert (params.divisor_floor, params.count_cap, params.per_innovation_factor) == (
        10,
        200,
        Decimal("0.38"),
    )
    assert (params.spd_max, params.sid_per_innovation_max, params.jumlah_inovasi_max, params.total_max) == (
        63,
        111,
        76,
        250,
    )
    assert params.levels == (0, 1, 2, 3)
    assert params.predicates == (
        Band("Sangat Inovatif", Decimal("60.01"), Decimal("100.00")),
        Band("Inovatif", Decimal("35.00"), Decimal("60.00")),
        Band("Kurang Inovatif", Decimal("0.01"), Decimal("34.99")),
        Band("Tidak Dapat Dinilai", Decimal("0"), Decimal("0")),
    )
    assert (params.divisor_floor_confidence, params.divisor_floor_strength) == ("inferred", "high")


def test_load_edition_spread_rule_of_2024(edition):
    rule = edition.parameters.spread_rule

    assert (rule.threshold, rule.consequence, len(rule.urusan)) == (2, None, 6)
    assert rule.urusan[0] == "Pendidikan"


def test_load_edition_row_carries_evidence_confidence_and_details(edition):
    sid_29 = edition.row("SID-29")

    assert sid_29.evidence_kinds == ("image", "screenshot", "pdf")
    assert (sid_29.confidence, sid_29.strength, sid_29.form_no) == ("inferred", "medium", 14)
    assert sid_29.details["notes"] == "86% appears in two levels in the 2024 source"
    assert set(edition.evidence_kinds) == {"pdf", "image", "screenshot", "video", "link", "metadata"}


def test_load_edition_profile_fields(edition):
    tahapan = next(field for field in edition.profile_fields if field.name == "tahapan")

    assert tahapan.values == ("Inisiatif", "Uji coba", "Penerapan")


def test_load_edition_checksum_is_sha256_of_the_text(edition):
    import hashlib

    assert edition.checksum == hashlib.sha256(SHIPPED_2024.encode()).hexdigest()


def test_load_edition_same_text_gives_equal_editions(edition):
    assert load_edition(SHIPPED_2024) == edition


# --- problems ---------------------------------------------------------------------------------------------


def test_load_edition_reports_yaml_syntax_error():
    problems = problems_of("meta: {subject: [unclosed\nscoring: 1\n")

    assert len(problems) == 1
    assert problems[0].startswith("Katalog bukan YAML yang valid: ")
    assert "(baris " in problems[0]


def test_load_edition_reports_top_level_not_a_mapping():
    assert problems_of("- 1\n- 2\n") == ["Katalog harus berupa mapping YAML di tingkat atas."]


def test_load_edition_reports_duplicate_yaml_key():
    lines = SHIPPED_2024.splitlines(keepends=True)
    index = lines.index("  measurement_year: 2024\n")
    text = "".join([*lines[: index + 1], "  measurement_year: 2024\n", *lines[index + 1 :]])

    assert problems_of(text) == [f"Kunci 'measurement_year' muncul dua kali (baris {index + 2})."]


def test_load_edition_reports_missing_section():
    assert problems_of(mutated(lambda data: data.pop("checks"))) == ["Kunci 'checks' tidak ada."]


def test_load_edition_reports_missing_key():
    assert problems_of(mutated(lambda data: data["scoring"].pop("total_max"))) == [
        "Kunci 'scoring.total_max' tidak ada."
    ]


def test_load_edition_reports_missing_row_key():
    assert problems_of(mutated(lambda data: row(data, "SID-16").pop("bobot"))) == [
        "Indikator SID-16: kunci 'bobot' tidak ada."
    ]


def test_load_edition_reports_wrong_type():
    def change(data):
        row(data, "SPD-01")["bobot"] = "satu"

    assert problems_of(mutated(change)) == [
        "Indikator SPD-01: kunci 'bobot' harus berupa bilangan, bukan 'satu'."
    ]


def test_load_edition_reports_duplicate_row_id():
    def change(data):
        data["sid"].append(copy.deepcopy(row(data, "SID-16")))

    assert problems_of(mutated(change)) == [
        "Id indikator SID-16 muncul lebih dari sekali.",
        "Jumlah bobot SID (40) tidak sama dengan checks.sid_bobot_sum (37).",
        "Skor maksimum SID menurut indikator (Σ bobot × level tertinggi = 120) tidak sama dengan "
        "scoring.sid_per_innovation_max (111).",
    ]


def test_load_edition_reports_id_not_matching_number():
    def change(data):
        row(data, "SID-17")["number"] = 18

    assert problems_of(mutated(change)) == [
        "Indikator SID-17: id tidak sesuai dengan part/number/sub (seharusnya SID-18)."
    ]


def test_load_edition_reports_level_outside_range():
    def change(data):
        row(data, "SID-16")["options"][2] = {"level": 4, "score": 12, "label": "Perda"}

    assert problems_of(mutated(change)) == ["Indikator SID-16: level opsi 4 di luar 0-3."]


def test_load_edition_reports_duplicate_level():
    def change(data):
        row(data, "SID-16")["options"][1]["level"] = 1

    assert problems_of(mutated(change)) == [
        "Indikator SID-16: level 1 muncul lebih dari sekali dalam daftar opsi."
    ]


def test_load_edition_reports_duplicate_level_in_option_group():
    def change(data):
        row(data, "SID-30")["option_groups"]["digital"][2]["level"] = 1

    assert problems_of(mutated(change)) == [
        "Indikator SID-30, kelompok opsi 'digital': level 1 muncul lebih dari sekali dalam daftar opsi.",
        "Indikator SID-30: kelompok opsi menawarkan level yang berbeda ('digital': 0, 1, 3; "
        "'non_digital': 0, 1, 2, 3).",
    ]


def test_load_edition_reports_option_score_not_bobot_times_level():
    def change(data):
        row(data, "SID-16")["options"][2]["score"] = 8

    assert problems_of(mutated(change)) == [
        "Indikator SID-16: bobot × 3 (9) tidak sama dengan skor opsi level 3 (8)."
    ]


def test_load_edition_reports_spd_bobot_sum():
    def change(data):
        data["checks"]["spd_bobot_sum"] = 22

    assert problems_of(mutated(change)) == [
        "Jumlah bobot SPD (21) tidak sama dengan checks.spd_bobot_sum (22)."
    ]


def test_load_edition_reports_sid_bobot_sum():
    def change(data):
        data["checks"]["sid_bobot_sum"] = 36

    assert problems_of(mutated(change)) == [
        "Jumlah bobot SID (37) tidak sama dengan checks.sid_bobot_sum (36)."
    ]


def test_load_edition_reports_changed_weight_against_sum_and_maximum():
    def change(data):
        spd_01 = row(data, "SPD-01")
        spd_01["bobot"] = 2
        for option in spd_01["options"]:
            option["score"] = 2 * option["level"]

    assert problems_of(mutated(change)) == [
        "Jumlah bobot SPD (22) tidak sama dengan checks.spd_bobot_sum (21).",
        "Skor maksimum SPD menurut indikator (Σ bobot × level tertinggi = 66) tidak sama dengan "
        "scoring.spd_max (63).",
    ]


def test_load_edition_reports_spd_max_against_rows():
    def change(data):
        data["scoring"]["spd_max"] = 64
        data["scoring"]["total_max"] = 251

    assert problems_of(mutated(change)) == [
        "Skor maksimum SPD menurut indikator (Σ bobot × level tertinggi = 63) tidak sama dengan "
        "scoring.spd_max (64).",
    ]


def test_load_edition_reports_sid_max_against_rows():
    def change(data):
        data["scoring"]["sid_per_innovation_max"] = 112

    assert problems_of(mutated(change)) == [
        "Nilai scoring.total_max (250) tidak sama dengan spd_max + sid_per_innovation_max + "
        "jumlah_inovasi_max (251).",
        "Nilai scoring.sid_max (187) tidak sama dengan sid_per_innovation_max + jumlah_inovasi_max (188).",
        "Skor maksimum SID menurut indikator (Σ bobot × level tertinggi = 111) tidak sama dengan "
        "scoring.sid_per_innovation_max (112).",
    ]


def test_load_edition_reports_total_max():
    def change(data):
        data["scoring"]["total_max"] = 251

    assert problems_of(mutated(change)) == [
        "Nilai scoring.total_max (251) tidak sama dengan spd_max + sid_per_innovation_max + "
        "jumlah_inovasi_max (250)."
    ]


def test_load_edition_reports_count_cap_times_factor():
    def change(data):
        data["scoring"]["skor_jumlah_inovasi"]["formula"] = "min(n, 200) * 0.39"

    assert problems_of(mutated(change)) == [
        "Rumus skor jumlah inovasi: 200 × 0.39 = 78 tidak sama dengan scoring.jumlah_inovasi_max (76)."
    ]


def test_load_edition_reports_unparseable_count_formula():
    def change(data):
        data["scoring"]["skor_jumlah_inovasi"]["formula"] = "min(n, 200) * 0,38"

    assert problems_of(mutated(change)) == [
        "Rumus skor jumlah inovasi tidak dikenali: 'min(n, 200) * 0,38' (bentuk yang diharapkan: "
        "'min(n, <batas>) * <faktor>')."
    ]


def test_load_edition_reports_sid_region_formula_disagreeing_with_scoring():
    def change(data):
        data["sid_region"][0]["formula"] = "min(n, 100) * 0.76"

    assert problems_of(mutated(change)) == [
        "Bagian 'sid_region' baris ke-1: rumus 'min(n, 100) * 0.76' tidak sama dengan rumus di "
        "scoring.skor_jumlah_inovasi."
    ]


def test_load_edition_reports_unparseable_spread_rule():
    def change(data):
        data["scoring"]["skor_jumlah_inovasi"]["urusan_yandas_rule_2024"]["rule"] = "cover two of six urusan"

    assert problems_of(mutated(change)) == [
        "Aturan sebaran urusan tidak dikenali: 'cover two of six urusan' (bentuk yang diharapkan memuat "
        "'at least <k> of the <m>')."
    ]


def test_load_edition_reports_spread_rule_count_not_matching_list():
    def change(data):
        data["scoring"]["skor_jumlah_inovasi"]["urusan_yandas_rule_2024"]["urusan"].pop()

    assert problems_of(mutated(change)) == [
        "Aturan sebaran urusan menyebut 6 urusan, tetapi "
        "scoring.skor_jumlah_inovasi.urusan_yandas_rule_2024.urusan berisi 5."
    ]


def test_load_edition_reports_predicate_gap():
    def change(data):
        data["scoring"]["predicates"][1]["min"] = 35.01

    assert problems_of(mutated(change)) == [
        "Rentang predikat tidak bersambung: tidak ada predikat untuk 35.00 "
        "(antara 'Kurang Inovatif' dan 'Inovatif')."
    ]


def test_load_edition_reports_predicate_overlap():
    def change(data):
        data["scoring"]["predicates"][0]["min"] = 60.0

    assert problems_of(mutated(change)) == [
        "Rentang predikat tumpang tindih: 'Inovatif' (35.00-60.00) dan 'Sangat Inovatif' (60.00-100.00)."
    ]


def test_load_edition_reports_predicates_not_covering_0_to_100():
    def change(data):
        predicates = data["scoring"]["predicates"]
        predicates.pop()  # Tidak Dapat Dinilai, 0
        predicates[0]["max"] = 99.99

    assert problems_of(mutated(change)) == [
        "Rentang predikat harus mulai dari 0.00, bukan 0.01.",
        "Rentang predikat harus berakhir di 100.00, bukan 99.99.",
    ]


def test_load_edition_reports_predicate_bound_finer_than_a_cent():
    def change(data):
        data["scoring"]["predicates"][1]["max"] = 60.005

    assert problems_of(mutated(change)) == ["Predikat 'Inovatif': batas 60.005 bukan kelipatan 0.01."]


def test_load_edition_reports_unknown_evidence_kind():
    def change(data):
        row(data, "SID-35")["evidence"]["kinds"] = ["video", "fax"]

    assert problems_of(mutated(change)) == [
        "Indikator SID-35: jenis bukti 'fax' tidak ada di evidence_kinds."
    ]


def test_load_edition_reports_options_and_option_groups_together():
    def change(data):
        row(data, "SID-30")["options"] = copy.deepcopy(row(data, "SID-31")["options"])

    assert problems_of(mutated(change)) == [
        "Indikator SID-30: harus memiliki tepat satu dari 'options' atau 'option_groups'."
    ]


def test_load_edition_reports_bad_confidence():
    def change(data):
        row(data, "SPD-03")["confidence"] = "maybe"
        row(data, "SPD-04").pop("strength")

    assert problems_of(mutated(change)) == [
        "Indikator SPD-03: 'confidence' harus 'confirmed' atau 'inferred', bukan 'maybe'.",
        "Indikator SPD-04: fakta 'inferred' tanpa 'strength' (high/medium/low).",
    ]


def test_load_edition_lists_all_problems_at_once():
    def change(data):
        data["scoring"]["total_max"] = 251
        data["scoring"]["predicates"][1]["min"] = 35.01
        row(data, "SPD-01")["options"][1]["level"] = 1
        row(data, "SID-16")["options"][2]["score"] = 8
        row(data, "SID-35")["evidence"]["kinds"] = ["video", "fax"]
        data["sid"].append(copy.deepcopy(row(data, "SID-20")))
        data["checks"]["spd_bobot_sum"] = 20

    assert problems_of(mutated(change)) == [
        "Rentang predikat tidak bersambung: tidak ada predikat untuk 35.00 "
        "(antara 'Kurang Inovatif' dan 'Inovatif').",
        "Nilai scoring.total_max (251) tidak sama dengan spd_max + sid_per_innovation_max + "
        "jumlah_inovasi_max (250).",
        "Indikator SPD-01: level 1 muncul lebih dari sekali dalam daftar opsi.",
        "Indikator SID-16: bobot × 3 (9) tidak sama dengan skor opsi level 3 (8).",
        "Indikator SID-35: jenis bukti 'fax' tidak ada di evidence_kinds.",
        "Id indikator SID-20 muncul lebih dari sekali.",
        "Jumlah bobot SPD (21) tidak sama dengan checks.spd_bobot_sum (20).",
        "Jumlah bobot SID (38) tidak sama dengan checks.sid_bobot_sum (37).",
    ]


def test_load_edition_file_reports_missing_file(tmp_path):
    missing = tmp_path / "catalogue-2030.yaml"

    with pytest.raises(CatalogueError) as caught:
        load_edition_file(missing)

    assert len(caught.value.problems) == 1
    assert caught.value.problems[0].startswith(f"Berkas katalog {missing} tidak dapat dibaca: ")
