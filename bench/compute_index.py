"""Benchmark: `compute_index` over N innovations with all 20 rows answered and evidenced.

Target (issue 4): under 1 s for 1,000 innovations on SQLite, and a query count that does not
grow with the number of innovations. Run: `.venv/bin/python bench/compute_index.py`
(set BENCH_DATABASE_URL=postgres://... to run it on PostgreSQL).
"""

import statistics
import time

from _setup import demo_cycle, start_django

SIZES = (100, 1000)
REPEATS = 7


def measure(cycle):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from scoring.collect import cycle_index
    from scoring.models import _parse_source

    cycle_index(cycle)  # warm the catalogue cache, as a running server has it
    timings = []
    for _ in range(REPEATS):
        reset_queries()
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            index = cycle_index(cycle)
        timings.append(time.perf_counter() - started)
    _parse_source.cache_clear()
    cold_start = time.perf_counter()
    cycle_index(cycle)
    cold = time.perf_counter() - cold_start
    return index, statistics.median(timings), min(timings), cold, len(queries)


def main():
    url = start_django()
    from registry.synthetic import create_synthetic_entries

    cycle, admin = demo_cycle()
    print(f"database: {url.split('://')[0]}")
    print(
        f"{'innovations':>12} {'median s':>10} {'min s':>8} {'cold s':>8} {'queries':>8}  IID (claimed / verified)"
    )
    created = 0
    for size in SIZES:
        create_synthetic_entries(cycle, size - created, created_by=admin, complete=True)
        created = size
        index, median, fastest, cold, queries = measure(cycle)
        result = index.result
        print(
            f"{size:>12} {median:>10.3f} {fastest:>8.3f} {cold:>8.3f} {queries:>8}  "
            f"{result.self_assessed.iid} / {result.verified.iid}"
        )


if __name__ == "__main__":
    main()
