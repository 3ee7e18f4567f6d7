"""What the deploy tests share: the checkout, a production-like environment, and a database of their own."""

import os
import secrets
import uuid
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"


def base_env() -> dict[str, str]:
    """A clean environment for a subprocess: nothing of pytest's test settings (tests/environment.py) leaks in."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR")
    return {name: os.environ[name] for name in keep if name in os.environ}


def postgres_url() -> str | None:
    """The PostgreSQL server the suite runs on, if it runs on one (make test's second pass)."""
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@contextmanager
def own_postgres_database(server_url: str):
    """A fresh database with a unique name on the suite's server, dropped afterwards (even after a failure)."""
    import psycopg

    name = f"registri_deploy_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def secret_key() -> str:
    return secrets.token_urlsafe(50)
