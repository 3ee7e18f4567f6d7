import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.settings import env_bool, env_list


def run_python(code: str, cwd=None, **env_changes) -> subprocess.CompletedProcess:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("DJANGO_") and key != "DATABASE_URL"
    }
    env.update(env_changes)
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120, cwd=cwd
    )


def test_env_bool_is_strict(monkeypatch):
    monkeypatch.setenv("X_FLAG", "yes")
    assert env_bool("X_FLAG", False) is True
    monkeypatch.setenv("X_FLAG", "Off")
    assert env_bool("X_FLAG", True) is False
    monkeypatch.setenv("X_FLAG", "ya")
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG", False)
    monkeypatch.delenv("X_FLAG")
    assert env_bool("X_FLAG", True) is True


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("X_HOSTS", " a.example , b.example,,")
    assert env_list("X_HOSTS", []) == ["a.example", "b.example"]


def test_production_refuses_to_start_without_a_secret_key():
    result = run_python("import config.settings")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_asked():
    result = run_python("import config.settings as s; print(s.DEBUG)", DJANGO_SECRET_KEY="x" * 60)
    assert result.stdout.strip() == "False"


def test_check_deploy_is_clean_in_production_mode():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
            "DJANGO_SECRET_KEY": "p" + "roduction-" * 6 + "0123456789",
            "DJANGO_ALLOWED_HOSTS": "inovasi.pareparekota.go.id",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_sqlite_default_uses_immediate_transactions_and_wal():
    result = run_python(
        "import config.settings as s; o = s.DATABASES['default']['OPTIONS'];"
        "print(o['transaction_mode'], 'journal_mode=WAL' in o['init_command'])",
        DJANGO_DEBUG="true",
    )
    assert result.stdout.split() == ["IMMEDIATE", "True"]


PRODUCTION = {"DJANGO_SECRET_KEY": "x" * 60}


def test_production_logs_are_json_lines_on_stdout():
    code = (
        "import django, logging, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "logging.getLogger('registry').warning('Unggahan ditolak: %s', 'x.pdf')"
    )
    result = run_python(code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "registry"
    assert record["message"] == "Unggahan ditolak: x.pdf"
    assert "time" in record


def test_plain_logs_when_asked_and_a_bad_format_is_refused():
    code = (
        "import django, logging, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'config.settings'; django.setup();"
        "logging.getLogger('registry').warning('halo')"
    )
    plain = run_python(code, DJANGO_LOG_FORMAT="plain", **PRODUCTION)
    assert plain.stdout.strip().endswith("WARNING registry: halo")
    refused = run_python("import config.settings", DJANGO_LOG_FORMAT="xml", **PRODUCTION)
    assert refused.returncode != 0 and "DJANGO_LOG_FORMAT" in refused.stderr


def test_admins_come_from_the_environment():
    result = run_python(
        "import config.settings as s; print(s.ADMINS)",
        DJANGO_ADMINS="Andi Bappeda <andi@parepare.go.id>, it@parepare.go.id",
        **PRODUCTION,
    )
    assert result.stdout.strip() == "[('Andi Bappeda', 'andi@parepare.go.id'), ('', 'it@parepare.go.id')]"


def test_error_tracking_starts_only_with_a_dsn():
    code = "import config.settings, sentry_sdk; print(sentry_sdk.get_client().is_active())"
    assert run_python(code, **PRODUCTION).stdout.strip() == "False"
    dsn = "https://public@errors.example.org/1"
    assert run_python(code, SENTRY_DSN=dsn, **PRODUCTION).stdout.strip() == "True"


@pytest.mark.django_db
def test_a_server_error_is_mailed_to_the_admins(settings, client, admin_user):
    from unittest import mock

    from django.core import mail

    settings.ADMINS = [("IT Bappeda", "it@parepare.go.id")]
    settings.DEBUG = False
    client.raise_request_exception = False
    client.force_login(admin_user)
    with mock.patch("registry.views.Cycle.objects.current_for", side_effect=RuntimeError("rusak")):
        response = client.get("/")
    assert response.status_code == 500
    assert [message.to for message in mail.outbox] == [["it@parepare.go.id"]]
    assert "RuntimeError" in mail.outbox[0].body


def test_the_postgresql_test_database_is_named_after_the_checkout(tmp_path):
    """Two checkouts testing against one server (a developer and CI) must not drop each other's database."""
    code = "import config.settings as s; print(s.DATABASES['default']['TEST']['NAME'])"
    url = "postgres://postgres@127.0.0.1:5432/registri"
    here = run_python(code, DATABASE_URL=url, **PRODUCTION).stdout.strip()
    assert re.fullmatch(r"test_registri_[0-9a-f]{8}", here)
    other_checkout = tmp_path / "registri"
    shutil.copytree(Path(__file__).resolve().parents[1] / "config", other_checkout / "config")
    there = run_python(code, cwd=other_checkout, DATABASE_URL=url, **PRODUCTION).stdout.strip()
    assert re.fullmatch(r"test_registri_[0-9a-f]{8}", there) and there != here
    chosen = run_python(code, DATABASE_URL=url, DJANGO_TEST_DATABASE_NAME="test_registri_ci", **PRODUCTION)
    assert chosen.stdout.strip() == "test_registri_ci"


@pytest.mark.django_db
def test_a_request_with_too_many_fields_gets_an_indonesian_page(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/accounts/login/", {f"field{number}": "x" for number in range(20)})
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_reminder_schedule_settings_come_from_the_environment_and_are_checked():
    code = "import config.settings as s; print(s.REGISTRI_REMINDER_HOUR, s.REGISTRI_REMINDER_DAYS)"
    assert run_python(code, **PRODUCTION).stdout.split() == ["8", "7"]
    chosen = run_python(code, REGISTRI_REMINDER_HOUR="6", REGISTRI_REMINDER_DAYS="3", **PRODUCTION)
    assert chosen.stdout.split() == ["6", "3"]
    for name, value in (("REGISTRI_REMINDER_HOUR", "24"), ("REGISTRI_REMINDER_DAYS", "-1")):
        refused = run_python(code, **{name: value}, **PRODUCTION)
        assert refused.returncode != 0 and name in refused.stderr
