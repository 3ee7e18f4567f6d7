"""Every benchmark of bench/, one after the other: what `make bench` runs (about 10-15 minutes on 2 cores).

On PostgreSQL when it answers (BENCH_DATABASE_URL's server, else 127.0.0.1:5432 as postgres): each benchmark gets
a fresh database of its own, `bench_make_<name>`, dropped afterwards; bench/peak.py makes its own. Without
PostgreSQL they run on SQLite in temp folders and the deadline peak (gunicorn on PostgreSQL) is skipped.
Each benchmark prints its table at its end; a summary of times and exit statuses follows the last one. The exit
status is 1 when any benchmark failed.

    .venv/bin/python bench/run_all.py [NAME ...]     # e.g. `review_queue peak`; default: all
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH = Path(__file__).resolve().parent
# The cheap ones first; then those that seed 10,000 entries; the deadline peak last. Any other bench/*.py after.
ORDER = ["compute_index", "submission_form", "exports", "review_queue", "pages", "peak"]
NOT_BENCHMARKS = {"run_all", "peak_client"}


def benchmarks(wanted: list[str]) -> list[str]:
    found = {path.stem for path in BENCH.glob("*.py") if not path.stem.startswith("_")} - NOT_BENCHMARKS
    names = [name for name in ORDER if name in found] + sorted(found - set(ORDER))
    unknown = set(wanted) - found
    if unknown:
        raise SystemExit(f"bench: no such benchmark: {', '.join(sorted(unknown))} (have {', '.join(names)})")
    return [name for name in names if not wanted or name in wanted]


def postgres_server() -> str | None:
    """The PostgreSQL server's URL (database `postgres`), or None when nothing answers."""
    url = os.environ.get("BENCH_DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/postgres"
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "pgsql"}:
        return None
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 5432), 2).close()
    except OSError:
        return None
    return urlunsplit((parts.scheme, parts.netloc, "/postgres", parts.query, ""))


def with_database(server: str, name: str) -> str:
    parts = urlsplit(server)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, ""))


def admin(server: str, statement: str) -> None:
    # psycopg is a dependency of the project; imported here so that --help works without it.
    import psycopg

    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(statement)


def main() -> int:
    names = benchmarks(sys.argv[1:])
    server = postgres_server()
    print(
        f"bench: {', '.join(names)} on "
        + (
            f"PostgreSQL ({urlsplit(server).hostname}:{urlsplit(server).port or 5432})"
            if server
            else "SQLite"
        ),
        flush=True,
    )
    results = []
    for name in names:
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        env.pop("BENCH_DATABASE_URL", None)
        database = None
        if name == "peak":
            if server is None:
                results.append((name, 0.0, "skipped: needs PostgreSQL"))
                continue
            env["BENCH_DATABASE_URL"] = server
        elif server:
            database = f"bench_make_{name}"
            admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            admin(server, f'CREATE DATABASE "{database}"')
            env["BENCH_DATABASE_URL"] = with_database(server, database)
        print(f"\n===== bench/{name}.py", flush=True)
        started = time.perf_counter()
        try:
            code = subprocess.run(
                [sys.executable, str(BENCH / f"{name}.py")], env=env, cwd=BENCH.parent
            ).returncode
        finally:
            if database:
                admin(server, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        results.append((name, time.perf_counter() - started, "ok" if code == 0 else f"FAILED (exit {code})"))
    print("\n===== summary", flush=True)
    for name, seconds, status in results:
        print(f"{'bench/' + name + '.py':<28} {seconds:>7.0f} s  {status}")
    print(f"{'total':<28} {sum(seconds for _name, seconds, _status in results):>7.0f} s")
    return 1 if any(status.startswith("FAILED") for _name, _seconds, status in results) else 0


if __name__ == "__main__":
    sys.exit(main())
