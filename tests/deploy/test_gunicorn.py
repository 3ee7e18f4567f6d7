"""Production serving end to end: what `make serve` starts, on PostgreSQL with debug off, spoken to over HTTP.

A database of its own is migrated and loaded with the demo (`seed_demo`) in subprocesses with a
production-like environment (debug off, a secret key, static files collected with whitenoise's manifest
storage, uploads in a temporary folder, e-mail written to files). To keep the journey short, the entry is
prepared with `manage.py shell` before the server starts: profile filled, the five mandatory indicators
answered, four of them with a link as evidence. Everything after that goes through real HTTP to gunicorn,
started by deploy/serve.py (the very launcher `make serve` runs) beside the task worker: health, log in as the
demo innovator, autosave a profile field as htmx does, upload a PDF as the missing evidence, submit, see the
worker (not the web process) e-mail Bappeda, log in as the administrator and download the XLSX export. Then
SIGTERM to the launcher stops gunicorn, its workers and the task worker within seconds, leaving no process.
"""

import io
import json
import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from tests.conftest import ENTRY_PROFILE
from tests.deploy.sandbox import PYTHON, ROOT, base_env, own_postgres_database, postgres_url, secret_key
from tests.registry.upload_samples import VALID_PDF

pytestmark = pytest.mark.postgres_only

PASSWORD = "inovasi-parepare"  # seed_demo's
INNOVATOR = "inovator.dinkes@parepare.demo"
ADMIN = "admin@parepare.demo"
PDF = VALID_PDF  # a PDF that parses: the upload checks read it with pypdf
# The entry of Dinas Kesehatan for the demo cycle, complete but for SID-16's evidence (uploaded over HTTP).
PREPARE = f"""
import datetime
from agencies.models import Agency, User
from registry.entries import save_profile, start_entry
from registry.models import Answer, Cycle, Evidence
owner = User.objects.get(email={INNOVATOR!r})
cycle = Cycle.objects.get(region__code="73.72", year=2024)
entry = start_entry(agency=Agency.objects.get(code="PD-DINKES"), cycle=cycle, by=owner, name="Posyandu Digital")
profile = {ENTRY_PROFILE!r}
profile["implementation_date"] = datetime.date(2023, 2, 1)
assert save_profile(entry, profile, expected_version=entry.version)
for code in ("SID-16", "SID-17", "SID-32", "SID-33", "SID-35"):
    answer = Answer.objects.create(
        innovation=entry,
        indicator=cycle.edition.indicators.get(code=code),
        level=1,
        option_group="orang" if code == "SID-33" else "",
    )
    if code != "SID-16":
        url = "https://www.youtube.com/watch?v=abc" if code == "SID-35" else "https://example.org/a.pdf"
        Evidence.objects.create(
            answer=answer, kind="link", url=url, document_number="1/2023",
            document_date=datetime.date(2023, 1, 10), subject="SK", created_by=owner,
        )
print(entry.pk)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def children_of(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    """A migrated PostgreSQL database with the demo, and the environment production would have."""
    server = postgres_url()
    if server is None:
        pytest.skip("production serving is tested on PostgreSQL, the production database")
    folder = tmp_path_factory.mktemp("serve")
    with own_postgres_database(server) as database_url:
        env = base_env() | {
            "DJANGO_SECRET_KEY": secret_key(),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url,
            # The test speaks plain HTTP to gunicorn, without nginx in front.
            "DJANGO_SECURE_SSL_REDIRECT": "false",
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_STATIC_ROOT": str(folder / "static"),
            "DJANGO_MEDIA_ROOT": str(folder / "media"),
            "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "DJANGO_EMAIL_FILE_PATH": str(folder / "mail"),
            "WEB_CONCURRENCY": "2",
        }
        for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
            subprocess.run(
                [PYTHON, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True
            )
        entry_pk = int(
            subprocess.run(
                [PYTHON, "manage.py", "shell", "-c", PREPARE],
                cwd=ROOT,
                env=env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout.split()[-1]
        )
        yield {"env": env, "folder": folder, "entry": entry_pk, "database_url": database_url}


def serve(production, log: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = production["env"] | {"GUNICORN_BIND": f"127.0.0.1:{port}"}
    launcher = subprocess.Popen(
        [PYTHON, "deploy/serve.py", *extra], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    return launcher, f"http://127.0.0.1:{port}"


def wait_until_healthy(session, base: str, launcher, log: Path, timeout: float = 90):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert launcher.poll() is None, log.read_text()
        try:
            response = session.get(f"{base}/health/", timeout=5)
            if response.status_code == 200:
                return response
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"gunicorn did not answer within {timeout} s:\n{log.read_text()}")


def started_pids(log: Path) -> dict[str, int]:
    return {
        name: int(pid) for name, pid in re.findall(r"serve: (\w+) started \(pid (\d+)\)", log.read_text())
    }


def log_in(session, base: str, email: str):
    session.get(f"{base}/accounts/login/")
    response = session.post(
        f"{base}/accounts/login/",
        data={"username": email, "password": PASSWORD, "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        allow_redirects=False,
    )
    assert response.status_code == 302 and response.headers["Location"] == "/", response.text[:500]


def query(production, sql: str, *params):
    import psycopg

    with psycopg.connect(production["database_url"]) as connection:
        return connection.execute(sql, params).fetchall()


def test_gunicorn_and_worker_serve_the_whole_journey_and_stop_together(production, tmp_path):
    import openpyxl
    import requests

    log = tmp_path / "serve.log"
    launcher, base = serve(production, log)
    try:
        innovator = requests.Session()
        health = wait_until_healthy(innovator, base, launcher, log)
        assert {"status": "ok", "database": "ok"}.items() <= health.json().items()
        pids = started_pids(log)
        gunicorn_workers = children_of(pids["gunicorn"])
        assert len(gunicorn_workers) == 2  # WEB_CONCURRENCY
        # Debug is off: static files come hashed from the manifest, an unknown page is the plain 404.
        login_page = innovator.get(f"{base}/accounts/login/")
        assert re.search(r"/static/[\w/.-]+\.[0-9a-f]{12}\.css", login_page.text)
        missing = innovator.get(f"{base}/tidak-ada/")
        assert missing.status_code == 404 and "Traceback" not in missing.text

        log_in(innovator, base, INNOVATOR)
        entry = production["entry"]
        profile_page = innovator.get(f"{base}/entries/{entry}/profile/")
        version = re.search(r'name="version" value="(\d+)"', profile_page.text)[1]
        autosave = innovator.post(
            f"{base}/entries/{entry}/profile/",
            data=ENTRY_PROFILE | {"version": version, "goals": "Tujuan yang disimpan otomatis"},
            headers={"HX-Request": "true", "X-CSRFToken": innovator.cookies["csrftoken"]},
        )
        assert autosave.status_code == 200 and 'id="save-status"' in autosave.text
        assert query(production, "SELECT goals FROM registry_innovation WHERE id = %s", entry) == [
            ("Tujuan yang disimpan otomatis",)
        ]

        upload = innovator.post(
            f"{base}/entries/{entry}/indicators/SID-16/evidence/",
            data={"document_number": "7/2023", "document_date": "2023-04-02", "subject": "SK Inovasi"},
            files={"file": ("sk-inovasi.pdf", io.BytesIO(PDF), "application/pdf")},
            headers={"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": innovator.cookies["csrftoken"]},
        )
        assert upload.status_code == 200 and "sk-inovasi.pdf" in upload.text
        stored = list((production["folder"] / "media").rglob("*.pdf"))
        assert len(stored) == 1 and stored[0].read_bytes() == PDF

        submitted = innovator.post(
            f"{base}/entries/{entry}/submit/",
            data={"csrfmiddlewaretoken": innovator.cookies["csrftoken"]},
            allow_redirects=False,
        )
        assert submitted.status_code == 302
        assert query(production, "SELECT status FROM registry_innovation WHERE id = %s", entry) == [
            ("submitted",)
        ]

        # The submission notifies Bappeda's reviewer and administrator; the worker sends the e-mail.
        mail_folder = production["folder"] / "mail"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(list(mail_folder.glob("*.log"))) < 2:
            time.sleep(0.5)
        mail = "\n".join(path.read_text() for path in mail_folder.glob("*.log"))
        assert "To: verifikator@parepare.demo" in mail and f"To: {ADMIN}" in mail, log.read_text()
        tasks = query(
            production,
            "SELECT status, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path LIKE %s",
            "%send_notification_email",
        )
        assert len(tasks) == 2 and all(status == "SUCCESSFUL" and workers for status, workers in tasks)

        admin = requests.Session()
        log_in(admin, base, ADMIN)
        export = admin.get(f"{base}/laporan/ekspor.xlsx", params={"tahun": 2024})
        assert export.status_code == 200
        assert export.headers["Content-Type"].startswith("application/vnd.openxmlformats")
        workbook = openpyxl.load_workbook(io.BytesIO(export.content), read_only=True)
        assert {"Ringkasan", "Inovasi", "Bukti", "Kepatuhan"} <= set(workbook.sheetnames)
        listed = [cell for row in workbook["Inovasi"].iter_rows(values_only=True) for cell in row]
        assert "Posyandu Digital" in listed

        # The access log is JSON lines with the request's fields (DJANGO_LOG_FORMAT defaults to json).
        access = [json.loads(line) for line in log.read_text().splitlines() if '"gunicorn.access"' in line]
        assert {"path": "/health/", "status": 200, "method": "GET"}.items() <= access[0].items()
        assert any(entry_log["path"] == "/laporan/ekspor.xlsx" for entry_log in access)
    finally:
        if launcher.poll() is None:
            launcher.send_signal(signal.SIGTERM)
        stopped_at = time.monotonic()
        code = launcher.wait(timeout=60)
    assert code == 0, log.read_text()
    assert time.monotonic() - stopped_at < 10
    everything = [pids["gunicorn"], pids["worker"], *gunicorn_workers]
    assert [pid for pid in everything if alive(pid)] == []
    assert "serve: SIGTERM received, stopping both" in log.read_text()


def test_when_the_worker_dies_gunicorn_is_stopped_and_the_launcher_fails(production, tmp_path):
    import requests

    log = tmp_path / "serve.log"
    launcher, base = serve(production, log, "--skip-setup")
    try:
        wait_until_healthy(requests.Session(), base, launcher, log)
        pids = started_pids(log)
        gunicorn_workers = children_of(pids["gunicorn"])
        os.kill(pids["worker"], signal.SIGKILL)
        code = launcher.wait(timeout=60)
    finally:
        if launcher.poll() is None:
            launcher.kill()
    assert code != 0
    assert "serve: worker exited (-9); stopping the other" in log.read_text()
    assert [pid for pid in [pids["gunicorn"], *gunicorn_workers] if alive(pid)] == []


def test_security_headers_through_gunicorn_behind_a_tls_proxy(production, tmp_path):
    """The headers a browser gets from the real server (issue 13), as nginx passes them on with TLS in front."""
    import requests

    log = tmp_path / "serve.log"
    behind_tls = production | {
        "env": production["env"] | {"DJANGO_BEHIND_TLS_PROXY": "true", "DJANGO_SECURE_HSTS_SECONDS": "3600"}
    }
    launcher, base = serve(behind_tls, log)
    try:
        session = requests.Session()
        wait_until_healthy(session, base, launcher, log)
        # What nginx adds to every request it forwards (deploy/nginx); the Referer is checked on HTTPS posts.
        session.headers.update(
            {
                "X-Forwarded-Proto": "https",
                "Referer": f"https://{base.removeprefix('http://')}/accounts/login/",
            }
        )
        login_page = session.get(f"{base}/accounts/login/")
        showcase = session.get(f"{base}/etalase/")
        log_in(session, base, INNOVATOR)
        home = session.get(f"{base}/")
        stylesheet = session.get(
            base + re.search(r'href="(/static/css/registri\.[0-9a-f]{12}\.css)"', home.text)[1]
        )
        plain_http = requests.get(f"{base}/accounts/login/")
    finally:
        launcher.send_signal(signal.SIGTERM)
        launcher.wait(timeout=60)

    for page in (login_page, showcase, home):
        assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
        policy = dict(
            part.strip().split(" ", 1) for part in page.headers["Content-Security-Policy"].split(";")
        )
        assert policy == {
            "default-src": "'self'",
            "script-src": "'self'",
            "style-src": "'self'",
            "img-src": "'self' data:",
            "object-src": "'none'",
            "base-uri": "'none'",
            "form-action": "'self'",
            "frame-ancestors": "'none'",
        }
        assert page.headers["X-Content-Type-Options"] == "nosniff"
        assert page.headers["X-Frame-Options"] == "DENY"
        assert page.headers["Referrer-Policy"] == "same-origin"
        assert page.headers["Strict-Transport-Security"] == "max-age=3600; includeSubDomains; preload"
        # gunicorn names itself but not its version (nginx in front replaces the header with its own).
        assert not re.search(r"\d", page.headers.get("Server", ""))
    assert "no-store" in home.headers["Cache-Control"] and "private" in home.headers["Cache-Control"]
    assert "no-store" not in showcase.headers.get("Cache-Control", "")
    assert stylesheet.status_code == 200 and "no-store" not in stylesheet.headers.get("Cache-Control", "")
    # Without TLS in front there is no HSTS: a browser must only learn it over HTTPS.
    assert plain_http.status_code == 200 and "Strict-Transport-Security" not in plain_http.headers
