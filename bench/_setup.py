"""Shared start of the benchmarks: Django on a fresh database of their own (SQLite in a temp folder by default)."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_django(database_url: str | None = None) -> str:
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    if database_url is None:
        database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")
    # Pages are requested through Django's test client: plain HTTP, no collectstatic.
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("DJANGO_STATIC_STORAGE", "django.contrib.staticfiles.storage.StaticFilesStorage")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    return database_url


def demo_cycle():
    """The Parepare region, the 2024 catalogue and cycle, and its admin, as `seed_demo` makes them."""
    from django.core.management import call_command

    from agencies.models import User
    from registry.models import Cycle

    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    admin = User.objects.get(email="admin@parepare.demo")  # a benchmark may add other administrators
    return Cycle.objects.select_related("edition", "region").get(year=2024), admin


def timed(call, repeats: int):
    """(median seconds, queries of the last call) of `call()` over `repeats` runs."""
    import statistics
    import time

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call()  # warm caches as a running server has them
    timings = []
    for _ in range(repeats):
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call()
            timings.append(time.perf_counter() - started)
    return statistics.median(timings), len(queries)
