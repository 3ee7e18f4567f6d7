"""The scenario file of METHOD.md section 6: plain answers in, the two scores out as one JSON object.

The innovations listed in a scenario are exactly those entering n, for both scores: the caller has filtered
them. Anything the engine could misread (unknown keys or row ids, impossible levels, wrong types) is an error
naming its place, never a silent zero.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from scoring.catalogue import Edition
from scoring.index import (
    TIDAK_SESUAI,
    VERDICTS,
    Answer,
    IndexResult,
    InnovationInput,
    Score,
    check_answer,
    compute_index,
)

SCORE_KEYS = (
    "n",
    "spd",
    "kematangan_sum",
    "sid_average",
    "jumlah_inovasi",
    "sid",
    "total",
    "iid",
    "predicate",
)
_TOP_KEYS = {"edition", "spd", "innovations"}
_INNOVATION_KEYS = {"name", "answers", "urusan"}
_ANSWER_KEYS = {"level", "evidence", "verdict", "verified_level", "group"}


class ScenarioError(ValueError):
    """The scenario cannot be scored; `problems` names every problem found with its place in the file."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Skenario tidak valid:\n" + "\n".join(f"- {problem}" for problem in self.problems))


@dataclass(frozen=True)
class Scenario:
    edition: int
    spd_answers: Mapping[str, Answer] = field(hash=False)
    innovations: tuple[InnovationInput, ...]


def parse_scenario(text: str) -> Scenario:
    """Read the JSON and check its shape and types; the catalogue is checked by `check_scenario`."""
    problems: list[str] = []
    data = _load_json(text, problems)
    if not isinstance(data, dict):
        raise ScenarioError([*problems, "Skenario harus berupa objek JSON."])
    _unknown_keys(problems, data, _TOP_KEYS, "skenario")
    edition = data.get("edition")
    if "edition" not in data:
        problems.append("edition: tidak ada.")
    elif not _is_int(edition):
        problems.append(f"edition: harus bilangan bulat (tahun), bukan {_show(edition)}.")

    spd_answers = _parse_answers(problems, data.get("spd", {}), "spd")
    innovations_raw = data.get("innovations", [])
    innovations = []
    if not isinstance(innovations_raw, list):
        problems.append(f"innovations: harus berupa daftar, bukan {_show(innovations_raw)}.")
        innovations_raw = []
    for index, raw in enumerate(innovations_raw):
        where = f"innovations[{index}]"
        if not isinstance(raw, dict):
            problems.append(f"{where}: harus berupa objek, bukan {_show(raw)}.")
            continue
        _unknown_keys(problems, raw, _INNOVATION_KEYS, where)
        name = raw.get("name", f"Inovasi {index + 1}")
        if not isinstance(name, str):
            problems.append(f"{where}.name: harus berupa teks, bukan {_show(name)}.")
        urusan = raw.get("urusan")
        if urusan is not None and not isinstance(urusan, str):
            problems.append(f"{where}.urusan: harus berupa teks atau null, bukan {_show(urusan)}.")
        if "answers" not in raw:
            problems.append(f"{where}.answers: tidak ada.")
        answers = _parse_answers(problems, raw.get("answers", {}), f"{where}.answers")
        innovations.append(
            InnovationInput(where, str(name), answers, urusan if isinstance(urusan, str) else None)
        )
    if problems:
        raise ScenarioError(problems)
    return Scenario(edition, spd_answers, tuple(innovations))


def check_scenario(scenario: Scenario, edition: Edition) -> None:
    """Raise ScenarioError if the scenario's edition, row ids or levels do not fit the loaded catalogue."""
    problems = []
    if scenario.edition != edition.year:
        problems.append(
            f"edition: {scenario.edition} tidak sama dengan katalog yang dimuat ({edition.year})."
        )
    parts = [("spd", edition.spd_rows, scenario.spd_answers)]
    parts += [(f"{item.key}.answers", edition.sid_rows, item.answers) for item in scenario.innovations]
    for where, rows, answers in parts:
        by_id = {row.id: row for row in rows}
        for row_id, answer in answers.items():
            row = by_id.get(row_id)
            if row is None:
                kind = "SPD" if where == "spd" else "SID"
                problems.append(f"{where}.{row_id}: bukan indikator {kind} katalog {edition.year}.")
                continue
            try:
                check_answer(row, answer)
            except ValueError as error:
                problems.append(f"{where}.{row_id}: {str(error).removeprefix(f'Indikator {row_id}: ')}")
    if problems:
        raise ScenarioError(problems)


def score_scenario(scenario: Scenario, edition: Edition) -> dict:
    """The output object of METHOD.md section 6, with Decimal numbers (see `render_json`)."""
    check_scenario(scenario, edition)
    innovations = list(scenario.innovations)
    return scenario_output(compute_index(edition, scenario.spd_answers, innovations, innovations))


def scenario_output(result: IndexResult) -> dict:
    return {
        "edition": result.year,
        "self_assessed": _score_output(result.self_assessed),
        "verified": _score_output(result.verified),
    }


def render_json(value: object) -> str:
    """JSON text in which every Decimal is written exactly (5 as 5.0, 0.38 as 0.38), never through float."""
    if isinstance(value, Decimal):
        return _decimal_text(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(key)}: {render_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(render_json(item) for item in value) + "]"
    if value is None or isinstance(value, bool | int | str):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"Tidak dapat menulis {type(value).__name__} sebagai JSON.")


# --- helpers ------------------------------------------------------------------------------------------------


def _score_output(score: Score) -> dict:
    return {key: getattr(score, key) for key in SCORE_KEYS}


def _decimal_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ValueError(f"Bilangan tidak hingga tidak dapat ditulis sebagai JSON: {value}.")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text if "." in text else f"{text}.0"


def _load_json(text: str, problems: list[str]) -> object:
    duplicates: list[str] = []

    def pairs(items: list[tuple[str, object]]) -> dict:
        keys = [key for key, _value in items]
        duplicates.extend(sorted({key for key in keys if keys.count(key) > 1}))
        return dict(items)

    def constant(name: str) -> None:
        raise ValueError(f"{name} bukan bilangan JSON yang sah")

    try:
        data = json.loads(text, object_pairs_hook=pairs, parse_constant=constant)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"JSON tidak valid: {error.msg} (baris {error.lineno}, kolom {error.colno})."]
        ) from error
    except ValueError as error:
        raise ScenarioError([f"JSON tidak valid: {error}."]) from error
    problems.extend(f"Kunci {key!r} muncul lebih dari sekali dalam satu objek." for key in duplicates)
    return data


def _parse_answers(problems: list[str], raw: object, where: str) -> dict[str, Answer]:
    if not isinstance(raw, dict):
        problems.append(f"{where}: harus berupa objek {{id indikator: jawaban}}, bukan {_show(raw)}.")
        return {}
    answers = {}
    for row_id, item in raw.items():
        answer = _parse_answer(problems, item, f"{where}.{row_id}")
        if answer is not None:
            answers[row_id] = answer
    return answers


def _parse_answer(problems: list[str], raw: object, where: str) -> Answer | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: harus berupa objek {{level, evidence, ...}}, bukan {_show(raw)}.")
        return None
    start = len(problems)
    _unknown_keys(problems, raw, _ANSWER_KEYS, where)
    for key in ("level", "evidence"):
        if key not in raw:
            problems.append(f"{where}.{key}: tidak ada.")
    level = raw.get("level")
    evidence = raw.get("evidence", False)
    verdict = raw.get("verdict")
    verified_level = raw.get("verified_level", 0)
    group = raw.get("group")
    if level is not None and not _is_int(level):
        problems.append(f"{where}.level: harus bilangan bulat atau null, bukan {_show(level)}.")
    if not isinstance(evidence, bool):
        problems.append(f"{where}.evidence: harus true atau false, bukan {_show(evidence)}.")
    if verdict is not None and verdict not in VERDICTS:
        problems.append(f'{where}.verdict: harus "sesuai", "tidak_sesuai" atau null, bukan {_show(verdict)}.')
    if not _is_int(verified_level):
        problems.append(f"{where}.verified_level: harus bilangan bulat, bukan {_show(verified_level)}.")
    elif "verified_level" in raw and verdict != TIDAK_SESUAI:
        problems.append(f'{where}.verified_level: hanya berlaku untuk verdict "tidak_sesuai".')
    if group is not None and not isinstance(group, str):
        problems.append(f"{where}.group: harus berupa teks atau null, bukan {_show(group)}.")
    if len(problems) > start:
        return None
    return Answer(
        level=level, has_evidence=evidence, verdict=verdict, verified_level=verified_level, group=group
    )


def _unknown_keys(problems: list[str], raw: dict, known: set[str], where: str) -> None:
    for key in raw:
        if key not in known:
            problems.append(
                f"{where}: kunci {key!r} tidak dikenal (yang dikenal: {', '.join(sorted(known))})."
            )


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _show(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)
