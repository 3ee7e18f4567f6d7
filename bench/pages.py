"""Benchmark: every page of the navigation at 10,000 entries, next to the cheapest signed-in page and the admin.

Targets (issue 17), checked here rather than by timed tests:

- every page of the navigation costs at most 5x the cheapest signed-in page (the empty notifications list);
- the index dashboard costs at most 3x the compliance board;
- the review queue serves at least 4x the Django admin changelist's throughput (admin time / queue time).

Run: `.venv/bin/python bench/pages.py [ENTRIES]` (default 10000). The data is `seed_demo --entries N` on the
benchmark's own database (`BENCH_DATABASE_URL`, else SQLite in a temp folder); a database that already holds
the entries is reused as it is, so a second run measures without seeding again.
"""

import sys
import time

from _setup import demo_cycle, start_django, timed

REPEATS = 9

FLOOR = "notifications (floor)"
TARGET_FLOOR = 5.0
TARGET_DASHBOARD = 3.0
TARGET_QUEUE = 4.0


def main():
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    url = start_django()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from agencies.models import User
    from registry.models import Innovation
    from registry.synthetic import create_synthetic_entries

    cycle, admin = demo_cycle()
    started = time.perf_counter()
    held = Innovation.objects.filter(cycle=cycle).count()
    if held < entries:
        create_synthetic_entries(cycle, entries - held, created_by=admin)
        # Statistics as a running database has them (autovacuum, or ANALYZE after an import).
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
    held = Innovation.objects.filter(cycle=cycle).count()
    print(f"database: {url.split('://')[0]}; {held} entries ready in {time.perf_counter() - started:.0f} s")
    superuser = User.objects.filter(email="bench@example.org").first() or User.objects.create_superuser(
        email="bench@example.org", password="x", full_name="Bench", region=cycle.region
    )
    staff, reviewer_client, admin_client = Client(), Client(), Client()
    staff.force_login(admin)
    reviewer_client.force_login(User.objects.get(role="reviewer"))
    admin_client.force_login(superuser)
    changelist = reverse("admin:registry_innovation_changelist")
    queue = reverse("review_queue")

    def page(name, client=staff, **params):
        return lambda: client.get(reverse(name), params)

    navigation = [
        (FLOOR, page("notification_list")),
        ("home", page("home")),
        ("innovations", page("entry_list")),
        ("replicate", page("replication_list")),
        ("agencies", page("agency_list")),
        ("people", page("person_list")),
        ("cycles", page("cycle_list")),
        ("review queue", page("review_queue", reviewer_client)),
        ("review queue, mandatory complete", page("review_queue", reviewer_client, completeness="complete")),
        ("review queue, incomplete", page("review_queue", reviewer_client, completeness="incomplete")),
        ("index dashboard", page("dashboard")),
        ("index dashboard, sorted by verified", page("dashboard", ordering="-verified", page="3")),
        ("compliance board", page("compliance_board")),
        ("not submitted yet", page("pending_agencies")),
        ("official results", page("official_results")),
        ("hand-off package", page("handoff")),
        ("export history", page("export_log")),
        ("catalogue", page("edition_list")),
        ("showcase", page("showcase")),
    ]
    others = [
        ("admin changelist", lambda: admin_client.get(changelist)),
        ("admin changelist, page 40", lambda: admin_client.get(changelist, {"p": 40})),
        ("review queue, page 40", lambda: reviewer_client.get(queue, {"page": 40})),
    ]
    print(f"{'request':<40} {'median ms':>10} {'queries':>8} {'x floor':>8}")
    results = {}
    for label, call in [*navigation, *others]:
        response = call()
        assert response.status_code == 200, (label, response.status_code)
        median, queries = timed(call, REPEATS)
        results[label] = median
        ratio = median / results[FLOOR]
        print(f"{label:<40} {median * 1000:>10.1f} {queries:>8} {ratio:>8.1f}")

    failures = []
    worst = max((label for label, _call in navigation), key=results.get)
    worst_ratio = results[worst] / results[FLOOR]
    print(f"\nslowest navigation page / floor: {worst_ratio:.1f}x ({worst}); target <= {TARGET_FLOOR:g}x")
    if worst_ratio > TARGET_FLOOR:
        failures.append("navigation")
    dashboard = results["index dashboard"] / results["compliance board"]
    print(f"index dashboard / compliance board: {dashboard:.1f}x; target <= {TARGET_DASHBOARD:g}x")
    if dashboard > TARGET_DASHBOARD:
        failures.append("dashboard")
    throughput = results["admin changelist"] / results["review queue"]
    print(f"review queue throughput / admin changelist: {throughput:.1f}x; target >= {TARGET_QUEUE:g}x")
    if throughput < TARGET_QUEUE:
        failures.append("review queue")
    print("targets met" if not failures else f"targets missed: {', '.join(failures)}")


if __name__ == "__main__":
    main()
