"""Benchmark: the compliance exports (XLSX, streamed CSV, PDF) of a cycle with thousands of innovations.

Target: the XLSX of 5,000 innovations in under 5 s; the streamed CSV request's memory (rows, then the cycle's IID
and the log row) does not grow with the number of innovations.
Run: `.venv/bin/python bench/exports.py [SIZES]` (default `1000,5000`: the cycle is seeded with synthetic
entries up to each size in turn, on a fresh database of the benchmark's own). Times are medians without
tracemalloc; peak memory is measured in a separate run under tracemalloc (which slows Python down).
"""

import statistics
import sys
import time
import tracemalloc

from _setup import demo_cycle, start_django

REPEATS = 3


def measure(call, repeats: int = REPEATS) -> tuple[float, float]:
    """(median seconds, peak MB under tracemalloc) of `call()`."""
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append(time.perf_counter() - started)
    tracemalloc.start()
    call()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return statistics.median(timings), peak / 1e6


def main():
    sizes = [int(size) for size in (sys.argv[1] if len(sys.argv) > 1 else "1000,5000").split(",")]
    url = start_django()
    from registry.models import Evidence, Innovation
    from registry.synthetic import create_synthetic_entries

    cycle, admin = demo_cycle()
    print(f"database: {url.split('://')[0]}")
    print(f"{'innovations':>11} {'what':<34} {'median s':>9} {'peak MB':>8} {'bytes':>11}")
    for size in sizes:
        started = time.perf_counter()
        create_synthetic_entries(
            cycle, size - Innovation.objects.filter(cycle=cycle).count(), created_by=admin
        )
        seeded = time.perf_counter() - started
        evidence = Evidence.objects.filter(answer__innovation__cycle=cycle).count()
        print(f"{size:>11} seeded in {seeded:.0f} s; {evidence} evidence items")
        run(size, cycle)


def run(size: int, cycle) -> None:
    from reports import exports
    from reports.compliance_views import _logged_stream
    from reports.data import gather_csv, gather_export
    from reports.filters import ComplianceFilter

    def data():
        return gather_export(ComplianceFilter({}, region=cycle.region))

    gathered = data()
    written = {}

    def whole(fmt, source=None):
        written[fmt] = len(exports.build_file(source or data(), fmt))

    def csv_request():
        # Exactly the web view's stream: rows read a chunk at a time, each chunk passes through the checksum and
        # is dropped; then the cycle's IID is computed from running sums and the log row written.
        source = gather_csv(ComplianceFilter({}, region=cycle.region))
        size = 0
        for chunk in _logged_stream(source, "bench.csv", None):
            size += len(chunk)
        written["csv"] = size

    def csv_writer(source):
        tally = exports.Tally()
        for chunk in exports.csv_chunks(source):
            tally.add(chunk)

    cases = [
        ("gather (cycle_index + rows)", data, ""),
        ("XLSX, whole request", lambda: whole("xlsx"), "xlsx"),
        ("XLSX writer only (data gathered)", lambda: whole("xlsx", gathered), ""),
        ("CSV streamed, whole request + log", csv_request, "csv"),
        ("CSV writer only (data gathered)", lambda: csv_writer(gathered), ""),
        ("PDF, whole request", lambda: whole("pdf"), "pdf"),
        ("PDF writer only (data gathered)", lambda: whole("pdf", gathered), ""),
    ]
    for label, call, fmt in cases:
        median, peak = measure(call)
        print(f"{size:>11} {label:<34} {median:>9.2f} {peak:>8.1f} {written.get(fmt, '')!s:>11}")


if __name__ == "__main__":
    main()
