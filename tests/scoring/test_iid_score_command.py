"""`manage.py iid_score`: prints the scenario's scores; a bad file is a message on stderr and a non-zero exit.

No test here has database access: the command must not need it.
"""

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.catalogue import bundled_catalogue_path
from tests.scoring.test_scenario import EXAMPLE, EXPECTED, EXPECTED_TEXT

PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def example_file(tmp_path):
    path = tmp_path / "scenario.json"
    path.write_text(EXAMPLE, encoding="utf-8")
    return path


def write(tmp_path, text: str, name: str = "scenario.json") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_iid_score_prints_the_method_example(example_file, capsys):
    call_command("iid_score", str(example_file))

    out, err = capsys.readouterr()
    assert out == EXPECTED_TEXT + "\n"
    assert json.loads(out, parse_float=Decimal) == EXPECTED
    assert err == ""


def test_iid_score_with_explicit_catalogue(example_file, capsys):
    call_command("iid_score", str(example_file), "--catalogue", str(bundled_catalogue_path(2024)))

    assert capsys.readouterr().out == EXPECTED_TEXT + "\n"


def test_iid_score_warns_about_urusan_spread_on_stderr(tmp_path, capsys):
    path = write(
        tmp_path, json.dumps({"edition": 2024, "innovations": [{"answers": {}, "urusan": "Kesehatan"}]})
    )

    call_command("iid_score", str(path))

    out, err = capsys.readouterr()
    assert json.loads(out)["self_assessed"]["n"] == 1
    assert err == (
        "Inovasi daerah baru mencakup 1 dari 6 urusan wajib pelayanan dasar (Kesehatan); aturan 2024 "
        "mensyaratkan minimal 2. Konsekuensinya bagi skor belum diketahui, jadi skor tidak diubah.\n"
    )


def test_iid_score_missing_scenario_file(tmp_path):
    with pytest.raises(CommandError, match=r"Berkas skenario .*missing\.json tidak dapat dibaca"):
        call_command("iid_score", str(tmp_path / "missing.json"))


def test_iid_score_malformed_json(tmp_path):
    with pytest.raises(CommandError, match="JSON tidak valid"):
        call_command("iid_score", str(write(tmp_path, '{"edition": 2024,')))


def test_iid_score_unknown_row_and_bad_level(tmp_path):
    text = json.dumps({"edition": 2024, "spd": {"SPD-99": {"level": 1, "evidence": True}}})

    with pytest.raises(CommandError) as caught:
        call_command("iid_score", str(write(tmp_path, text)))

    assert str(caught.value) == "Skenario tidak valid:\n- spd.SPD-99: bukan indikator SPD katalog 2024."


def test_iid_score_edition_without_bundled_catalogue(tmp_path):
    path = write(tmp_path, '{"edition": 1999}')

    with pytest.raises(CommandError, match="Tidak ada katalog bawaan untuk edisi 1999"):
        call_command("iid_score", str(path))


def test_iid_score_edition_not_matching_given_catalogue(tmp_path):
    path = write(tmp_path, '{"edition": 2023}')

    with pytest.raises(CommandError, match=r"edition: 2023 tidak sama dengan katalog yang dimuat \(2024\)"):
        call_command("iid_score", str(path), "--catalogue", str(bundled_catalogue_path(2024)))


def test_iid_score_invalid_catalogue(example_file, tmp_path):
    catalogue = write(tmp_path, "meta: [unclosed\n", "catalogue.yaml")

    with pytest.raises(CommandError, match="Katalog tidak valid:\n- Katalog bukan YAML yang valid"):
        call_command("iid_score", str(example_file), "--catalogue", str(catalogue))


def test_iid_score_exit_code_and_stderr_from_manage_py(tmp_path, example_file):
    bad = write(tmp_path, "{", "bad.json")

    good = subprocess.run(
        [sys.executable, "manage.py", "iid_score", str(example_file)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )
    failed = subprocess.run(
        [sys.executable, "manage.py", "iid_score", str(bad)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=False,
    )

    assert (good.returncode, good.stdout, good.stderr) == (0, EXPECTED_TEXT + "\n", "")
    assert (failed.returncode, failed.stdout) == (1, "")
    assert failed.stderr.startswith("CommandError: Skenario tidak valid:\n- JSON tidak valid: ")
