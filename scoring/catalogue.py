"""One edition of the IID indicator catalogue: parse the YAML file into frozen dataclasses and validate it.

No Django here. The web app, the management commands and the tests load an edition through `load_edition`,
so a corrected file an admin uploads passes the same checks as the shipped one. Every number the index needs
(weights, maxima, divisor floor, count cap, factor, predicate bands, the urusan spread rule) is read from the
file; nothing of an edition is written in code.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from pathlib import Path
from types import MappingProxyType

import yaml

DATA_DIR = Path(__file__).resolve().parent / "data"
CONFIDENCES = ("confirmed", "inferred")
STRENGTHS = ("high", "medium", "low")
PARTS = {"spd": "SPD", "sid": "SID"}
CENT = Decimal("0.01")

# The 2024 file states the count rule only as a formula string; it is parsed strictly so that a differently
# written rule fails loudly instead of being misread.
FORMULA_RE = re.compile(r"min\(\s*n\s*,\s*(\d+)\s*\)\s*\*\s*(\d+(?:\.\d+)?)")
SPREAD_RULE_RE = re.compile(r"\bat least (\d+) of the (\d+)\b")
SPREAD_RULE_KEY = "urusan_yandas_rule"
# A profile field's word minimum, as the 2024 file states it in the field's `rule` ("min 300 words; ...").
MIN_WORDS_RE = re.compile(r"\b(?:min(?:imum)?|at least)\s+(\d+)\s+words\b", re.IGNORECASE)


class CatalogueError(ValueError):
    """The catalogue file is not a valid edition; `problems` lists every problem found, in Indonesian."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("Katalog tidak valid:\n" + "\n".join(f"- {problem}" for problem in self.problems))


@dataclass(frozen=True)
class Option:
    level: int
    score: Decimal
    label: str


@dataclass(frozen=True)
class Row:
    """One scoring row: an indicator, or a sub-row (a/b) of an SPD indicator."""

    id: str
    number: int
    sub: str | None
    part: str
    variable: str
    name: str
    bobot: Decimal
    mandatory: bool
    options: tuple[Option, ...]
    # Rows with option groups (SID-30, SID-33) have empty `options`; the filler picks a group, then an option.
    option_groups: Mapping[str, tuple[Option, ...]] = field(hash=False)
    evidence_kinds: tuple[str, ...]
    evidence_description: str
    confidence: str
    strength: str | None
    form_no: int | None
    # Guidance for the filler and reviewer (measure, components, notes, changes, ...), read-only.
    details: Mapping[str, object] = field(hash=False)
    # The evidence guidance in English (`evidence.description_en`, from revision 2 of 2024); "" when absent.
    evidence_description_en: str = ""

    @cached_property
    def all_options(self) -> tuple[Option, ...]:
        if self.options:
            return self.options
        return tuple(option for group in self.option_groups.values() for option in group)

    @cached_property
    def levels(self) -> tuple[int, ...]:
        """Levels an answer may take: 0 (nothing, or "Tidak dapat diukur") and every offered level."""
        return tuple(sorted({0, *(option.level for option in self.all_options)}))

    @cached_property
    def max_level(self) -> int:
        return max(option.level for option in self.all_options)

    @property
    def max_score(self) -> Decimal:
        return self.bobot * self.max_level


@dataclass(frozen=True)
class Band:
    name: str
    min: Decimal
    max: Decimal

    def contains(self, value: Decimal) -> bool:
        return self.min <= value <= self.max


@dataclass(frozen=True)
class SpreadRule:
    """The urusan spread rule: at least `threshold` of the basic-service urusan must be covered."""

    urusan: tuple[str, ...]
    threshold: int
    text: str
    consequence: str | None
    confidence: str | None


@dataclass(frozen=True)
class Parameters:
    levels: tuple[int, ...]
    divisor_floor: int
    count_cap: int
    per_innovation_factor: Decimal
    spd_max: Decimal
    sid_per_innovation_max: Decimal
    jumlah_inovasi_max: Decimal
    total_max: Decimal
    predicates: tuple[Band, ...]
    spread_rule: SpreadRule
    divisor_floor_confidence: str
    divisor_floor_strength: str | None
    jumlah_inovasi_confidence: str
    jumlah_inovasi_strength: str | None


@dataclass(frozen=True)
class ProfileField:
    name: str
    type: str | None
    values: tuple[str, ...]
    confidence: str | None
    details: Mapping[str, object] = field(hash=False)
    min_words: int | None = None  # the least words the field's `rule` asks for (rancang_bangun: 300)


@dataclass(frozen=True)
class Edition:
    year: int
    subject: str
    checksum: str  # SHA-256 of the file text, so a computed index can be traced to its exact catalogue
    spd_rows: tuple[Row, ...]
    sid_rows: tuple[Row, ...]
    parameters: Parameters
    evidence_kinds: Mapping[str, str] = field(hash=False)
    profile_fields: tuple[ProfileField, ...] = ()
    subject_en: str = ""  # `meta.subject_en`, the subject in English where the file gives it
    _by_id: Mapping[str, Row] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", MappingProxyType({row.id: row for row in self.rows}))

    @property
    def rows(self) -> tuple[Row, ...]:
        return self.spd_rows + self.sid_rows

    @property
    def mandatory_rows(self) -> tuple[Row, ...]:
        return tuple(row for row in self.rows if row.mandatory)

    def row(self, row_id: str) -> Row:
        try:
            return self._by_id[row_id]
        except KeyError:
            raise KeyError(f"Indikator {row_id} tidak ada di katalog {self.year}.") from None

    def max_level(self, row_id: str) -> int:
        return self.row(row_id).max_level

    def profile_field(self, name: str) -> ProfileField | None:
        """The profile field the catalogue calls `name` (its `field` key), or None when it lists none so."""
        return next((item for item in self.profile_fields if item.name == name), None)


def bundled_catalogue_path(year: int) -> Path:
    return DATA_DIR / f"catalogue-{year}.yaml"


def load_edition_file(path: str | os.PathLike[str]) -> Edition:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogueError([f"Berkas katalog {path} tidak dapat dibaca: {error}."]) from error
    return load_edition(text)


def load_edition(text: str) -> Edition:
    """Parse and validate one edition file; raise CatalogueError listing every problem found."""
    problems: list[str] = []
    loader = _Loader(text)
    try:
        data = loader.get_single_data()
    except yaml.YAMLError as error:
        raise CatalogueError([_yaml_problem(error)]) from error
    finally:
        loader.dispose()
    problems.extend(loader.duplicate_keys)
    if not isinstance(data, dict):
        raise CatalogueError([*problems, "Katalog harus berupa mapping YAML di tingkat atas."])

    read = _Reader(problems)
    meta = read.get(data, "meta", "dict")
    scoring = read.get(data, "scoring", "dict")
    kinds_raw = read.get(data, "evidence_kinds", "dict")
    checks = read.get(data, "checks", "dict")

    year = read.get(meta, "measurement_year", "int", path="meta")
    subject = read.get(meta, "subject", "str", path="meta")
    subject_en = read.get(meta, "subject_en", "str", path="meta", required=False)
    evidence_kinds = _parse_evidence_kinds(read, kinds_raw)
    parameters, levels = _parse_parameters(read, scoring)

    raw_sections: dict[str, list] = {}
    sections: dict[str, list[Row | None]] = {}
    for section in PARTS:
        raw_rows = read.get(data, section, "list")
        if raw_rows is not None and not raw_rows:
            problems.append(f"Bagian '{section}' tidak berisi indikator.")
        raw_sections[section] = raw_rows or []
        sections[section] = [
            _parse_row(read, raw, index, section, levels, evidence_kinds)
            for index, raw in enumerate(raw_rows or ())
        ]
    _check_duplicate_ids(problems, [row for rows in sections.values() for row in rows if row is not None])
    _check_sums(read, raw_sections, sections, checks, scoring)
    _check_sid_region(read, data, parameters)
    profile_fields = _parse_profile_fields(read, data)

    if problems:
        raise CatalogueError(problems)
    return Edition(
        year=year,
        subject=subject,
        checksum=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        spd_rows=tuple(sections["spd"]),
        sid_rows=tuple(sections["sid"]),
        parameters=parameters,
        evidence_kinds=MappingProxyType(dict(evidence_kinds)),
        profile_fields=profile_fields,
        subject_en=subject_en or "",
    )


# --- YAML ---------------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """SafeLoader that records duplicate mapping keys; plain PyYAML silently keeps the last one."""

    def __init__(self, stream: str):
        super().__init__(stream)
        self.duplicate_keys: list[str] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set[str] = set()
        for key_node, _value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                if key_node.value in seen:
                    self.duplicate_keys.append(
                        f"Kunci '{key_node.value}' muncul dua kali (baris {key_node.start_mark.line + 1})."
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)


def _yaml_problem(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    where = f" (baris {mark.line + 1}, kolom {mark.column + 1})" if mark is not None else ""
    return f"Katalog bukan YAML yang valid: {problem}{where}."


def _freeze(value: object) -> object:
    if isinstance(value, dict):
        return MappingProxyType({key: _freeze(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(item) for item in value)
    return value


# --- typed reading with problem collection ------------------------------------------------------------------

_KIND_LABELS = {
    "int": "bilangan bulat",
    "number": "bilangan",
    "str": "teks",
    "list": "daftar",
    "dict": "mapping",
    "bool": "boolean (true/false)",
}


def _is_kind(value: object, kind: str) -> bool:
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return isinstance(value, int | float) and not isinstance(value, bool) and value == value
    if kind == "str":
        return isinstance(value, str) and bool(value.strip())
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, dict)
    return isinstance(value, bool)


def _decimal(value: int | float) -> Decimal:
    # str() gives the shortest text that round-trips, i.e. the literal written in the file (0.75, 1.5).
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


class _Reader:
    def __init__(self, problems: list[str]):
        self.problems = problems

    def problem(self, context: str, message: str) -> None:
        self.problems.append(f"{context}: {message}" if context else message[0].upper() + message[1:])

    def get(
        self,
        mapping: object,
        key: str,
        kind: str,
        *,
        path: str = "",
        context: str = "",
        required: bool = True,
    ):
        """mapping[key] checked against `kind` (numbers become Decimal); None when absent or wrong.

        A missing parent (None) was reported already, so it yields None silently.
        """
        if not isinstance(mapping, dict):
            return None
        name = f"{path}.{key}" if path else key
        if key not in mapping or (mapping[key] is None and not required):
            if required:
                self.problem(context, f"kunci '{name}' tidak ada.")
            return None
        value = mapping[key]
        if not _is_kind(value, kind):
            self.problem(context, f"kunci '{name}' harus berupa {_KIND_LABELS[kind]}, bukan {value!r}.")
            return None
        return _decimal(value) if kind == "number" else value

    def confidence(self, mapping: object, key: str, strength_key: str, *, path: str = "", context: str = ""):
        confidence = self.get(mapping, key, "str", path=path, context=context)
        strength = self.get(mapping, strength_key, "str", path=path, context=context, required=False)
        prefix = f"{path}." if path else ""
        if confidence is not None and confidence not in CONFIDENCES:
            self.problem(context, f"'{prefix}{key}' harus 'confirmed' atau 'inferred', bukan {confidence!r}.")
        if strength is not None and strength not in STRENGTHS:
            self.problem(
                context, f"'{prefix}{strength_key}' harus high, medium atau low, bukan {strength!r}."
            )
        if confidence == "inferred" and strength is None and isinstance(mapping, dict):
            self.problem(context, f"fakta 'inferred' tanpa '{prefix}{strength_key}' (high/medium/low).")
        return confidence, strength


def _fmt(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- sections -----------------------------------------------------------------------------------------------


def _parse_evidence_kinds(read: _Reader, raw: dict | None) -> dict[str, str] | None:
    if raw is None:
        return None
    if not raw:
        read.problem("", "bagian 'evidence_kinds' kosong.")
    for key, description in raw.items():
        if not isinstance(key, str) or not isinstance(description, str):
            read.problem("evidence_kinds", f"jenis bukti {key!r} harus berupa teks dengan keterangan teks.")
    return raw


def _parse_parameters(
    read: _Reader, scoring: dict | None
) -> tuple[Parameters | None, tuple[int, ...] | None]:
    """The edition's numbers; the levels come back on their own so the rows can be checked against them
    even when another parameter is wrong."""
    if scoring is None:
        return None, None
    start = len(read.problems)
    levels = _parse_levels(read, read.get(scoring, "levels", "list", path="scoring"))
    maxima = {
        key: read.get(scoring, key, "number", path="scoring")
        for key in ("spd_max", "sid_per_innovation_max", "jumlah_inovasi_max", "total_max")
    }
    sid_max = read.get(scoring, "sid_max", "number", path="scoring", required=False)

    floor_raw = read.get(scoring, "divisor_floor", "dict", path="scoring")
    divisor_floor = read.get(floor_raw, "value", "int", path="scoring.divisor_floor")
    if divisor_floor is not None and divisor_floor < 1:
        read.problem("", f"Nilai scoring.divisor_floor.value harus minimal 1, bukan {divisor_floor}.")
    floor_confidence = read.confidence(floor_raw, "confidence", "strength", path="scoring.divisor_floor")

    count = read.get(scoring, "skor_jumlah_inovasi", "dict", path="scoring")
    path = "scoring.skor_jumlah_inovasi"
    cap, factor = _parse_count_formula(read, read.get(count, "formula", "str", path=path))
    count_confidence = read.confidence(count, "formula_confidence", "formula_strength", path=path)
    count_max = read.get(count, "max", "number", path=path, required=False)
    spread_rule = _parse_spread_rule(read, count)
    predicates = _parse_bands(read, read.get(scoring, "predicates", "list", path="scoring"))

    spd_max, sid_max_one = maxima["spd_max"], maxima["sid_per_innovation_max"]
    jumlah_max, total_max = maxima["jumlah_inovasi_max"], maxima["total_max"]
    if None not in (spd_max, sid_max_one, jumlah_max, total_max) and total_max != (
        expected := spd_max + sid_max_one + jumlah_max
    ):
        read.problem(
            "",
            f"Nilai scoring.total_max ({_fmt(total_max)}) tidak sama dengan spd_max + sid_per_innovation_max + "
            f"jumlah_inovasi_max ({_fmt(expected)}).",
        )
    if None not in (sid_max, sid_max_one, jumlah_max) and sid_max != (expected := sid_max_one + jumlah_max):
        read.problem(
            "",
            f"Nilai scoring.sid_max ({_fmt(sid_max)}) tidak sama dengan sid_per_innovation_max + "
            f"jumlah_inovasi_max ({_fmt(expected)}).",
        )
    if None not in (cap, factor, jumlah_max) and cap * factor != jumlah_max:
        read.problem(
            "",
            f"Rumus skor jumlah inovasi: {cap} × {_fmt(factor)} = {_fmt(cap * factor)} tidak sama dengan "
            f"scoring.jumlah_inovasi_max ({_fmt(jumlah_max)}).",
        )
    if None not in (count_max, jumlah_max) and count_max != jumlah_max:
        read.problem(
            "",
            f"Nilai {path}.max ({_fmt(count_max)}) tidak sama dengan scoring.jumlah_inovasi_max "
            f"({_fmt(jumlah_max)}).",
        )
    if len(read.problems) > start:
        return None, levels
    parameters = Parameters(
        levels=levels,
        divisor_floor=divisor_floor,
        count_cap=cap,
        per_innovation_factor=factor,
        spd_max=spd_max,
        sid_per_innovation_max=sid_max_one,
        jumlah_inovasi_max=jumlah_max,
        total_max=total_max,
        predicates=predicates,
        spread_rule=spread_rule,
        divisor_floor_confidence=floor_confidence[0],
        divisor_floor_strength=floor_confidence[1],
        jumlah_inovasi_confidence=count_confidence[0],
        jumlah_inovasi_strength=count_confidence[1],
    )
    return parameters, levels


def _parse_levels(read: _Reader, raw: list | None) -> tuple[int, ...] | None:
    if raw is None:
        return None
    if not raw or any(not _is_kind(level, "int") for level in raw) or raw != list(range(len(raw))):
        read.problem(
            "", f"Nilai scoring.levels harus berupa daftar level berurutan mulai dari 0, bukan {raw!r}."
        )
        return None
    return tuple(raw)


def _parse_count_formula(read: _Reader, formula: str | None) -> tuple[int | None, Decimal | None]:
    if formula is None:
        return None, None
    match = FORMULA_RE.fullmatch(formula.strip())
    if match is None:
        read.problem(
            "",
            f"rumus skor jumlah inovasi tidak dikenali: {formula!r} (bentuk yang diharapkan: "
            "'min(n, <batas>) * <faktor>').",
        )
        return None, None
    return int(match.group(1)), Decimal(match.group(2))


def _parse_spread_rule(read: _Reader, count: dict | None) -> SpreadRule | None:
    if count is None:
        return None
    path = "scoring.skor_jumlah_inovasi"
    keys = [key for key in count if isinstance(key, str) and key.startswith(SPREAD_RULE_KEY)]
    if len(keys) != 1:
        found = ", ".join(keys) if keys else "tidak ada"
        read.problem("", f"Bagian {path} harus memuat tepat satu aturan '{SPREAD_RULE_KEY}...' ({found}).")
        return None
    path = f"{path}.{keys[0]}"
    raw = read.get(count, keys[0], "dict", path="scoring.skor_jumlah_inovasi")
    text = read.get(raw, "rule", "str", path=path)
    urusan = read.get(raw, "urusan", "list", path=path)
    consequence = read.get(raw, "consequence", "str", path=path, required=False)
    confidence = read.get(raw, "confidence", "str", path=path, required=False)
    if urusan is not None and (not urusan or any(not _is_kind(item, "str") for item in urusan)):
        read.problem("", f"Nilai {path}.urusan harus berupa daftar nama urusan, bukan {urusan!r}.")
        urusan = None
    if text is None:
        return None
    matches = SPREAD_RULE_RE.findall(text)
    if len(matches) != 1:
        read.problem(
            "",
            f"aturan sebaran urusan tidak dikenali: {text!r} (bentuk yang diharapkan memuat "
            "'at least <k> of the <m>').",
        )
        return None
    threshold, of = (int(number) for number in matches[0])
    if urusan is None:
        return None
    if of != len(urusan):
        read.problem(
            "", f"aturan sebaran urusan menyebut {of} urusan, tetapi {path}.urusan berisi {len(urusan)}."
        )
        return None
    if threshold > of:
        read.problem("", f"aturan sebaran urusan meminta {threshold} dari {of} urusan.")
        return None
    return SpreadRule(tuple(urusan), threshold, text, consequence, confidence)


def _parse_bands(read: _Reader, raw: list | None) -> tuple[Band, ...] | None:
    if raw is None:
        return None
    bands: list[Band] = []
    complete = True
    for index, item in enumerate(raw):
        context = f"Predikat ke-{index + 1}"
        if not isinstance(item, dict):
            read.problem(context, "harus berupa mapping {name, min, max}.")
            complete = False
            continue
        name = read.get(item, "name", "str", context=context)
        context = f"Predikat {name!r}" if name else context
        low = read.get(item, "min", "number", context=context)
        high = read.get(item, "max", "number", context=context)
        if None in (name, low, high):
            complete = False
            continue
        for bound in (low, high):
            if bound != bound.quantize(CENT):
                read.problem(context, f"batas {_fmt(bound)} bukan kelipatan 0.01.")
                complete = False
        if low > high:
            read.problem(context, f"min {low:.2f} lebih besar dari max {high:.2f}.")
            complete = False
        bands.append(Band(name, low, high))
    names = [band.name for band in bands]
    for name in sorted({name for name in names if names.count(name) > 1}):
        read.problem("", f"nama predikat {name!r} muncul lebih dari sekali.")
    if not raw:
        read.problem("", "Daftar scoring.predicates kosong.")
    elif complete:
        _check_band_coverage(read, bands)
    return tuple(bands)


def _check_band_coverage(read: _Reader, bands: list[Band]) -> None:
    """The bands must cover 0.00-100.00 at 0.01 resolution, each value in exactly one band."""
    ordered = sorted(bands, key=lambda band: (band.min, band.max))
    if ordered[0].min != 0:
        read.problem("", f"rentang predikat harus mulai dari 0.00, bukan {ordered[0].min:.2f}.")
    if (top := max(band.max for band in ordered)) != 100:
        read.problem("", f"rentang predikat harus berakhir di 100.00, bukan {top:.2f}.")
    for before, after in itertools.pairwise(ordered):
        if after.min <= before.max:
            read.problem(
                "",
                f"rentang predikat tumpang tindih: {before.name!r} ({before.min:.2f}-{before.max:.2f}) dan "
                f"{after.name!r} ({after.min:.2f}-{after.max:.2f}).",
            )
        elif after.min != before.max + CENT:
            first, last = before.max + CENT, after.min - CENT
            missing = f"{first:.2f}" if first == last else f"{first:.2f}-{last:.2f}"
            read.problem(
                "",
                f"rentang predikat tidak bersambung: tidak ada predikat untuk {missing} "
                f"(antara {before.name!r} dan {after.name!r}).",
            )


def _parse_row(
    read: _Reader,
    raw: object,
    index: int,
    section: str,
    levels: tuple[int, ...] | None,
    evidence_kinds: dict[str, str] | None,
) -> Row | None:
    start = len(read.problems)
    context = f"Bagian '{section}' baris ke-{index + 1}"
    if not isinstance(raw, dict):
        read.problem(context, "indikator harus berupa mapping.")
        return None
    row_id = read.get(raw, "id", "str", context=context)
    context = f"Indikator {row_id}" if row_id else context
    number = read.get(raw, "number", "int", context=context)
    sub = read.get(raw, "sub", "str", context=context, required=False)
    part = read.get(raw, "part", "str", context=context)
    variable = read.get(raw, "variable", "str", context=context)
    name = read.get(raw, "name", "str", context=context)
    bobot = read.get(raw, "bobot", "number", context=context)
    mandatory = read.get(raw, "mandatory", "bool", context=context, required=False)
    form_no = read.get(raw, "form_no", "int", context=context, required=False)
    confidence, strength = read.confidence(raw, "confidence", "strength", context=context)

    if part is not None and part != PARTS[section]:
        read.problem(context, f"part {part!r} tidak sesuai dengan bagian '{section}' ({PARTS[section]}).")
    if None not in (row_id, number, part):
        expected_id = f"{part}-{number:02d}{sub or ''}"
        if row_id != expected_id:
            read.problem(context, f"id tidak sesuai dengan part/number/sub (seharusnya {expected_id}).")
    if bobot is not None and bobot <= 0:
        read.problem(context, f"bobot harus lebih dari 0, bukan {_fmt(bobot)}.")
        bobot = None

    options, option_groups = _parse_row_options(read, raw, context, bobot, levels)
    kinds, description, description_en = _parse_row_evidence(read, raw, context, evidence_kinds)

    if len(read.problems) > start:
        return None
    known = {
        "id", "number", "sub", "part", "variable", "name", "bobot", "mandatory", "options", "option_groups",
        "evidence", "confidence", "strength", "form_no",
    }  # fmt: skip
    return Row(
        id=row_id,
        number=number,
        sub=sub,
        part=part,
        variable=variable,
        name=name,
        bobot=bobot,
        mandatory=bool(mandatory),
        options=options,
        option_groups=MappingProxyType(option_groups),
        evidence_kinds=kinds,
        evidence_description=description,
        evidence_description_en=description_en,
        confidence=confidence,
        strength=strength,
        form_no=form_no,
        details=MappingProxyType({key: _freeze(value) for key, value in raw.items() if key not in known}),
    )


def _parse_row_options(
    read: _Reader, raw: dict, context: str, bobot: Decimal | None, levels: tuple[int, ...] | None
) -> tuple[tuple[Option, ...], dict[str, tuple[Option, ...]]]:
    has_options, has_groups = "options" in raw, "option_groups" in raw
    if has_options == has_groups:
        read.problem(context, "harus memiliki tepat satu dari 'options' atau 'option_groups'.")
        return (), {}
    if has_options:
        options = read.get(raw, "options", "list", context=context)
        return _parse_options(read, options, context, bobot, levels), {}
    groups_raw = read.get(raw, "option_groups", "dict", context=context)
    if groups_raw is None:
        return (), {}
    if not groups_raw:
        read.problem(context, "'option_groups' kosong.")
    groups = {}
    for group_name, group_raw in groups_raw.items():
        group_context = f"{context}, kelompok opsi {group_name!r}"
        if not isinstance(group_raw, list):
            read.problem(group_context, f"harus berupa daftar opsi, bukan {group_raw!r}.")
            continue
        groups[str(group_name)] = _parse_options(read, group_raw, group_context, bobot, levels)
    offered = {name: sorted(option.level for option in options) for name, options in groups.items()}
    if len({tuple(group_levels) for group_levels in offered.values()}) > 1:
        listing = "; ".join(f"{name!r}: {', '.join(map(str, lv))}" for name, lv in offered.items())
        read.problem(context, f"kelompok opsi menawarkan level yang berbeda ({listing}).")
    return (), groups


def _parse_options(
    read: _Reader, raw: list | None, context: str, bobot: Decimal | None, levels: tuple[int, ...] | None
) -> tuple[Option, ...]:
    if raw is None:
        return ()
    if not raw:
        read.problem(context, "daftar opsi kosong.")
    options = []
    seen: set[int] = set()
    for position, item in enumerate(raw):
        option_context = f"{context}, opsi ke-{position + 1}"
        if not isinstance(item, dict):
            read.problem(option_context, "harus berupa mapping {level, score, label}.")
            continue
        level = read.get(item, "level", "int", context=option_context)
        score = read.get(item, "score", "number", context=option_context)
        label = read.get(item, "label", "str", context=option_context)
        if level is None:
            continue
        if levels is not None and level not in levels:
            read.problem(context, f"level opsi {level} di luar {levels[0]}-{levels[-1]}.")
            continue
        if level in seen:
            read.problem(context, f"level {level} muncul lebih dari sekali dalam daftar opsi.")
            continue
        seen.add(level)
        if None not in (bobot, score) and bobot * level != score:
            read.problem(
                context,
                f"bobot × {level} ({_fmt(bobot * level)}) tidak sama dengan skor opsi level {level} "
                f"({_fmt(score)}).",
            )
        if score is not None and label is not None:
            options.append(Option(level, score, label))
    return tuple(options)


def _parse_row_evidence(
    read: _Reader, raw: dict, context: str, evidence_kinds: dict[str, str] | None
) -> tuple[tuple[str, ...], str, str]:
    """The evidence kinds, the guidance and its optional English wording (`description_en`, a text).

    Other keys under `evidence` are ignored, as they always were: editions stored before revision 2 are
    parsed again from their text and must keep parsing.
    """
    evidence = read.get(raw, "evidence", "dict", context=context)
    kinds = read.get(evidence, "kinds", "list", path="evidence", context=context)
    description = read.get(evidence, "description", "str", path="evidence", context=context)
    description_en = read.get(
        evidence, "description_en", "str", path="evidence", context=context, required=False
    )
    if kinds is not None and not kinds:
        read.problem(context, "evidence.kinds kosong.")
    for kind in kinds or ():
        if evidence_kinds is not None and kind not in evidence_kinds:
            read.problem(context, f"jenis bukti {kind!r} tidak ada di evidence_kinds.")
    return tuple(kinds or ()), description or "", description_en or ""


def _check_duplicate_ids(problems: list[str], rows: list[Row]) -> None:
    seen: set[str] = set()
    for row in rows:
        if row.id in seen:
            problems.append(f"Id indikator {row.id} muncul lebih dari sekali.")
        seen.add(row.id)


def _check_sums(
    read: _Reader,
    raw_sections: dict[str, list],
    sections: dict[str, list[Row | None]],
    checks: dict | None,
    scoring: dict | None,
) -> None:
    """Weight sums against `checks`, and the rows' own maxima against the stated maxima.

    The weight sum needs only every row's bobot; the maximum needs every row whole. A section missing
    either is skipped for that check: the row's own problem is reported already, and a sum over the
    remaining rows would add a misleading second message. A malformed maximum was reported with the
    parameters.
    """
    targets = {"spd": ("spd_bobot_sum", "spd_max"), "sid": ("sid_bobot_sum", "sid_per_innovation_max")}
    for section, (check_key, max_key) in targets.items():
        expected_sum = read.get(checks, check_key, "number", path="checks")
        weights = [_row_bobot(raw) for raw in raw_sections[section]]
        if weights and None not in weights and expected_sum is not None:
            bobot_sum = sum(weights, Decimal(0))
            if bobot_sum != expected_sum:
                read.problem(
                    "",
                    f"jumlah bobot {PARTS[section]} ({_fmt(bobot_sum)}) tidak sama dengan "
                    f"checks.{check_key} ({_fmt(expected_sum)}).",
                )
        stated_max = scoring.get(max_key) if isinstance(scoring, dict) else None
        rows = sections[section]
        if not rows or None in rows or not _is_kind(stated_max, "number"):
            continue
        row_max = sum((row.max_score for row in rows), Decimal(0))
        if row_max != _decimal(stated_max):
            read.problem(
                "",
                f"skor maksimum {PARTS[section]} menurut indikator "
                f"(Σ bobot × level tertinggi = {_fmt(row_max)}) "
                f"tidak sama dengan scoring.{max_key} ({_fmt(_decimal(stated_max))}).",
            )


def _row_bobot(raw: object) -> Decimal | None:
    bobot = raw.get("bobot") if isinstance(raw, dict) else None
    return _decimal(bobot) if _is_kind(bobot, "number") and bobot > 0 else None


def _check_sid_region(read: _Reader, data: dict, parameters: Parameters | None) -> None:
    """The optional `sid_region` restatement of indicator 36 must agree with the scoring section."""
    items = read.get(data, "sid_region", "list", required=False)
    for index, item in enumerate(items or ()):
        context = f"Bagian 'sid_region' baris ke-{index + 1}"
        if not isinstance(item, dict):
            read.problem(context, "harus berupa mapping.")
            continue
        maximum = read.get(item, "max", "number", context=context, required=False)
        formula = read.get(item, "formula", "str", context=context, required=False)
        if parameters is None:
            continue
        if maximum is not None and maximum != parameters.jumlah_inovasi_max:
            read.problem(
                context,
                f"max {_fmt(maximum)} tidak sama dengan scoring.jumlah_inovasi_max "
                f"({_fmt(parameters.jumlah_inovasi_max)}).",
            )
        if formula is not None:
            match = FORMULA_RE.fullmatch(formula.strip())
            if match is None or (int(match.group(1)), Decimal(match.group(2))) != (
                parameters.count_cap,
                parameters.per_innovation_factor,
            ):
                read.problem(
                    context, f"rumus {formula!r} tidak sama dengan rumus di scoring.skor_jumlah_inovasi."
                )


def _parse_profile_fields(read: _Reader, data: dict) -> tuple[ProfileField, ...]:
    raw = read.get(data, "profile_fields", "list")
    fields = []
    for index, item in enumerate(raw or ()):
        context = f"profile_fields ke-{index + 1}"
        if not isinstance(item, dict):
            read.problem(context, "harus berupa mapping.")
            continue
        name = read.get(item, "field", "str", context=context)
        kind = read.get(item, "type", "str", context=context, required=False)
        values = read.get(item, "values", "list", context=context, required=False)
        confidence = read.get(item, "confidence", "str", context=context, required=False)
        # Free text, read only for a word minimum: any other rule stays in `details`, as it always did.
        rule = item.get("rule") if isinstance(item.get("rule"), str) else ""
        if values is not None and any(not _is_kind(value, "str") for value in values):
            read.problem(context, f"values harus berupa daftar teks, bukan {values!r}.")
        if name is None:
            continue
        own = {"field", "type", "values", "confidence"}
        details = {key: _freeze(value) for key, value in item.items() if key not in own}
        minimum = MIN_WORDS_RE.search(rule)
        fields.append(
            ProfileField(
                name,
                kind,
                tuple(values or ()),
                confidence,
                MappingProxyType(details),
                min_words=int(minimum.group(1)) if minimum else None,
            )
        )
    return tuple(fields)
