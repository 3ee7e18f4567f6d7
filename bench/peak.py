"""Benchmark: the deadline peak on a production-like server, PostgreSQL with 10,000 entries (issue 17).

Run: `.venv/bin/python bench/peak.py [--duration 60] [--innovators 50] [--reviewers 5]` (about 2 minutes; the
first run on a new migration state adds about a minute to build the seeded template database).

1. Database: `seed_demo --entries 10000` is built once into a template database, `bench_peak_tpl_<key>`, the key a
   digest of the migrations, the seed code and its data files (a changed one builds it again; older templates are
   dropped); each run copies it (`CREATE DATABASE bench_peak TEMPLATE ...`, under a second) and drops the copy at
   the end. The server is the one of BENCH_DATABASE_URL (its database name is not used) or 127.0.0.1:5432.
2. People (bench/peak_client.py `prepare_actors`): 50 agencies each with an innovator and a draft entry, 5 more
   reviewers, the demo admin; the cycle is open today.
3. Server: deploy/serve.py, the production runner (collectstatic, migrate, gunicorn with gunicorn.conf.py and the
   task worker `manage.py db_worker`), with 2 gunicorn workers, debug off, whitenoise serving the static files,
   DJANGO_ALLOWED_HOSTS=127.0.0.1, no SSL redirect nor secure cookies (plain HTTP on this machine).
4. Load: everyone signs in through the login form, then all at once, closed loop with a think time (uniform,
   2.5 s on average): innovators autosave the profile and answers and upload a PDF now and then, reviewers page the
   queue and judge rows, the admin downloads the compliance board's XLSX and CSV in turn (a pause of 15 s between).
   10 s of warm-up are not counted; then `--duration` seconds are.
5. Check: the table per kind of request (rate, p50/p95/p99, errors), then the database and the storage against
   what the server acknowledged: the last profile and answer each innovator saved, every uploaded file (its row and
   its bytes in the storage), every verdict, every export in the log. Then the issue's targets, met or not.

Exit status 1 when a request failed or something acknowledged is missing (the run is then not a measurement);
latency targets not met are reported, not an error.
"""

import argparse
import contextlib
import datetime
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import peak_client
import psycopg
import requests
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.registry.upload_samples import VALID_PDF  # noqa: E402  (the project's root is on the path only now)

RUN_DB = "bench_peak"
BUILD_DB = "bench_peak_build"
TEMPLATE_PREFIX = "bench_peak_tpl_"
PASSWORD = "kata-sandi-tenggat-2024"
# What the seeded template depends on: a change to any of them builds it again.
SEED_INPUTS = [
    "registry/synthetic.py",
    "reports/management/commands/seed_demo.py",
    "scoring/editions.py",
    "agencies/importing.py",
    "scoring/data/catalogue-2024.yaml",
    "agencies/data/agencies-parepare.csv",
    "reports/data/official-results-parepare.csv",
]
GROUPS = {"autosave (all)": ("autosave:",), "page views (all)": ("page:",)}


def say(message: str) -> None:
    print(message, flush=True)


def server_url(database: str) -> str:
    """BENCH_DATABASE_URL's server (or 127.0.0.1:5432 as postgres) with another database name."""
    base = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(base)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise SystemExit(f"peak: BENCH_DATABASE_URL must be a PostgreSQL URL, not {parts.scheme}")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, ""))


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(server_url("postgres"), autocommit=True)


def seed_key(entries: int) -> str:
    digest = hashlib.sha256(f"entries={entries}".encode())
    files = sorted(ROOT.glob("*/migrations/*.py")) + [ROOT / name for name in SEED_INPUTS]
    for path in files:
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def databases(connection) -> set[str]:
    return {row[0] for row in connection.execute("SELECT datname FROM pg_database")}


def drop(connection, name: str) -> None:
    connection.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def manage(*arguments: str, env: dict) -> None:
    """A management command, its output shown only when it fails."""
    done = subprocess.run(
        [sys.executable, "manage.py", *arguments], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(
            f"peak: manage.py {arguments[0]} failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )


def database_from_template(entries: int, django_env: dict) -> tuple[str, float, bool]:
    """(the template's name, seconds spent, whether it was built now), the run database copied from it."""
    started = time.perf_counter()
    template = f"{TEMPLATE_PREFIX}{seed_key(entries)}"
    with admin_connection() as connection:
        built = template not in databases(connection)
        if built:
            say(
                f"peak: building the template {template}: migrate + seed_demo --entries {entries} (once per migration state)"
            )
            drop(connection, BUILD_DB)
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BUILD_DB)))
            env = django_env | {"DATABASE_URL": server_url(BUILD_DB)}
            manage("migrate", "--noinput", "--verbosity", "0", env=env)
            manage("seed_demo", "--entries", str(entries), env=env | {"PYTHONWARNINGS": "ignore"})
            with psycopg.connect(server_url(BUILD_DB), autocommit=True) as build:
                build.execute("VACUUM ANALYZE")
            connection.execute(
                sql.SQL("ALTER DATABASE {} RENAME TO {}").format(
                    sql.Identifier(BUILD_DB), sql.Identifier(template)
                )
            )
            for stale in databases(connection):
                if stale.startswith(TEMPLATE_PREFIX) and stale != template:
                    drop(connection, stale)
        drop(connection, RUN_DB)
        connection.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(sql.Identifier(RUN_DB), sql.Identifier(template))
        )
    return template, time.perf_counter() - started, built


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(folder: Path, port: int) -> dict:
    """The environment of deploy/serve.py: production settings, plain HTTP on 127.0.0.1."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "GUNICORN_", "REGISTRI_"))
        and key not in {"DATABASE_URL", "WEB_CONCURRENCY"}
    }
    return env | {
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "DJANGO_SECURE_COOKIES": "false",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": server_url(RUN_DB),
        "DJANGO_DB_CONN_MAX_AGE": "60",
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_STATIC_ROOT": str(folder / "static"),
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "DJANGO_EMAIL_FILE_PATH": str(folder / "mail"),
        "DJANGO_LOG_LEVEL": "WARNING",
        "REGISTRI_BASE_URL": f"http://127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_ACCESS_LOG": str(folder / "access.log"),
        "GUNICORN_LOG_LEVEL": "warning",
    }


def start_server(env: dict, log: Path, base: str) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "deploy/serve.py"],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        process_group=0,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(
                f"peak: the server exited ({server.returncode}); see {log}:\n{log.read_text()[-3000:]}"
            )
        with contextlib.suppress(requests.RequestException):
            if requests.get(f"{base}/health/", timeout=2).status_code == 200:
                return server
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit(f"peak: the server did not answer /health/ within 120 s; see {log}")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def server_side_errors(folder: Path) -> tuple[int, int]:
    """(responses with status 5xx in gunicorn's access log, error records in the server's and worker's log)."""
    failures = 0
    access = folder / "access.log"
    for line in access.read_text().splitlines() if access.exists() else []:
        with contextlib.suppress(ValueError):
            if int(json.loads(line).get("status", 0)) >= 500:
                failures += 1
    log = (folder / "server.log").read_text(errors="replace")
    errors = log.count('"level": "ERROR"') + log.count('"level": "CRITICAL"') + log.count("Traceback")
    return failures, errors


def last_error(folder: Path) -> str:
    """The last line of the last error the server logged (its exception), or a word saying there is none."""
    found = "none logged"
    for line in (folder / "server.log").read_text(errors="replace").splitlines():
        with contextlib.suppress(ValueError):
            record = json.loads(line)
            if record.get("level") in {"ERROR", "CRITICAL"}:
                found = (record.get("exc_info") or record.get("message", "")).strip().splitlines()[-1]
    return found


def clean_up(folder: Path, keep: bool) -> None:
    if keep:
        say(f"peak: kept database {RUN_DB} and {folder}")
        return
    with admin_connection() as connection:
        drop(connection, RUN_DB)
    shutil.rmtree(folder, ignore_errors=True)


def setup_django(env: dict) -> None:
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "DJANGO_SECRET_KEY", "DJANGO_MEDIA_ROOT")})
    os.environ.update(DJANGO_SETTINGS_MODULE="config.settings", DJANGO_LOG_LEVEL="WARNING")
    os.chdir(ROOT)
    # Django is imported only now that the environment names the run's database.
    import django

    django.setup()


def open_cycle_today() -> None:
    """The demo cycle open today, whatever day the template was seeded (seed_demo's offsets)."""
    # Imported once Django is set up.
    from django.utils import timezone

    from registry.models import Cycle

    today = timezone.localdate()
    Cycle.objects.filter(year=2024, region__code="73.72").update(
        submission_opens=today - datetime.timedelta(days=30),
        submission_closes=today + datetime.timedelta(days=60),
        review_opens=today - datetime.timedelta(days=30),
        review_closes=today + datetime.timedelta(days=90),
    )


def verdict(met: bool) -> str:
    return "met" if met else "NOT MET"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--innovators", type=int, default=50)
    parser.add_argument("--reviewers", type=int, default=5)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds measured, after the warm-up")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--think", type=float, default=2.5, help="mean seconds between one person's actions")
    parser.add_argument("--export-pause", type=float, default=15.0)
    parser.add_argument("--keep", action="store_true", help="keep the run's database and files afterwards")
    options = parser.parse_args()
    began = time.perf_counter()
    try:
        admin_connection().close()
    except psycopg.OperationalError as refused:
        raise SystemExit(f"peak: PostgreSQL is needed ({server_url('postgres')}): {refused}") from refused

    folder = Path(tempfile.mkdtemp(prefix="bench-peak-"))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = production_env(folder, port)
    template, db_seconds, built = database_from_template(options.entries, env)
    say(
        f"peak: database {RUN_DB} copied from {template} in {db_seconds:.1f} s"
        + (" (template built now, seed included)" if built else " (template reused)")
    )

    setup_django(env)
    started = time.perf_counter()
    open_cycle_today()
    people = peak_client.prepare_actors(
        innovators=options.innovators, reviewers=options.reviewers, password=PASSWORD
    )
    # Django is set up by now.
    from django.db import connections

    connections.close_all()
    say(
        f"peak: {options.innovators} innovators with a draft each, {options.reviewers} reviewers, 1 admin, "
        f"in {time.perf_counter() - started:.1f} s"
    )

    started = time.perf_counter()
    server = start_server(env, folder / "server.log", base)
    server_seconds = time.perf_counter() - started
    say(
        f"peak: deploy/serve.py (collectstatic, migrate, gunicorn 2 workers + db_worker) up in {server_seconds:.1f} s"
    )
    recorder, acks = peak_client.Recorder(), peak_client.Acks()
    persons = peak_client.people_for(
        people,
        base,
        recorder,
        acks,
        password=PASSWORD,
        pdf=VALID_PDF,
        reviewer_pages=20,
        export_pause=options.export_pause,
    )
    try:
        started = time.perf_counter()
        try:
            peak_client.start_all(persons, workers=8)
        except (peak_client.BadAnswer, requests.RequestException) as failure:
            stop_server(server)
            say(
                f"peak: signing in failed, nothing measured: {failure}\n  the server's last error: {last_error(folder)}"
            )
            clean_up(folder, options.keep)
            return 1
        say(
            f"peak: {len(persons)} people signed in through the login form in {time.perf_counter() - started:.1f} s"
        )
        say(f"peak: load for {options.warmup:.0f} s warm-up + {options.duration:.0f} s measured")
        load_before = os.getloadavg()[0]
        cpu = time.process_time()
        peak_client.run_load(
            persons, recorder, warmup=options.warmup, duration=options.duration, think=options.think
        )
        cpu = time.process_time() - cpu
        load_after = os.getloadavg()[0]
    finally:
        stop_server(server)
    counts, problems = peak_client.verify(acks)
    failures, logged_errors = server_side_errors(folder)
    connections.close_all()

    rows = recorder.rows(GROUPS)
    by_kind = {row["kind"]: row for row in rows}
    say("")
    say(
        f"== deadline peak: {options.innovators} innovators, {options.reviewers} reviewers, 1 admin exporting; "
        f"{options.entries:,} entries on PostgreSQL; gunicorn 2 sync workers + db_worker; "
        f"{options.duration:.0f} s measured after {options.warmup:.0f} s warm-up; think time {options.think} s"
    )
    people_count = options.innovators + options.reviewers
    say(
        f"closed loop: each person acts, waits for the answer, thinks {options.think} s on average; without waiting "
        f"on the server the {people_count} innovators and reviewers would make {people_count / options.think:.0f} "
        "actions/s (an action is 1-3 requests)"
    )
    say(peak_client.format_table(rows))
    errors = by_kind["all requests"]["errors"] + recorder.errors_outside_window
    for example in recorder.error_examples():
        say(f"  error: {example}")
    upload = by_kind.get("upload: evidence PDF")
    offered = upload["count"] / options.duration if upload else 0.0
    accepted = (upload["count"] - upload["errors"]) / options.duration if upload else 0.0
    say(
        f"checked afterwards: {counts['profiles']} profiles, {counts['answers']} answers, {counts['uploads']} uploaded "
        f"files, {counts['verdicts']} verdicts, {counts['exports']} exports; "
        f"{counts['unanswered saves']} saves without an answer; server: {failures} responses 5xx, "
        f"{logged_errors} errors logged"
    )
    for problem in problems[:20]:
        say(f"  LOST: {problem}")
    autosave_p95 = by_kind.get("autosave (all)", {}).get("p95", float("inf"))
    pages_p95 = by_kind.get("page views (all)", {}).get("p95", float("inf"))
    say("targets (issue 17):")
    say(
        f"  0 errors: {verdict(errors == 0 and failures == 0)} ({errors} client-side, {failures} 5xx in the access log)"
    )
    say(f"  p95 autosave <= 1 s: {verdict(autosave_p95 <= 1)} ({autosave_p95 * 1000:.0f} ms)")
    say(f"  p95 page views <= 1 s: {verdict(pages_p95 <= 1)} ({pages_p95 * 1000:.0f} ms)")
    say(
        "  uploads accepted at the rate offered: "
        + (verdict(upload["errors"] == 0) if upload else "not exercised (no upload in the window)")
        + f" (offered {offered:.2f}/s, accepted {accepted:.2f}/s)"
    )
    say(f"  nothing lost: {verdict(not problems)} ({len(problems)} problems)")
    say(
        f"load generator CPU: {cpu:.0f} s over {options.warmup + options.duration:.0f} s (it shares the machine's "
        f"{os.cpu_count()} cores); load average (1 min) {load_before:.1f} when the load began, {load_after:.1f} at "
        f"its end (gunicorn, PostgreSQL and this client make about 3-4; more means other processes competed); "
        f"whole run {time.perf_counter() - began:.0f} s"
    )
    clean_up(folder, options.keep)
    return 1 if errors or failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
