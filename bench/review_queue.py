"""Benchmark: the review queue over 10,000 entries, next to the Django admin changelist of the same model.

Target (issue 6): at least 10x faster than the admin changelist, with a query count that does not grow
with the page size. Run: `.venv/bin/python bench/review_queue.py [ENTRIES]` (default 10000; the data is
`seed_demo --entries N` on a fresh database of the benchmark's own).
"""

import sys

from _setup import demo_cycle, start_django, timed

REPEATS = 15


def main():
    entries = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    url = start_django()
    import time

    from django.test import Client
    from django.urls import reverse

    from agencies.models import User
    from registry.synthetic import create_synthetic_entries

    cycle, admin = demo_cycle()
    started = time.perf_counter()
    create_synthetic_entries(cycle, entries, created_by=admin)
    # A running database has statistics (autovacuum, or ANALYZE after an import); a freshly seeded one does not,
    # and PostgreSQL's plans without them are not the ones production gets.
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"database: {url.split('://')[0]}; {entries} entries seeded in {time.perf_counter() - started:.0f} s"
    )
    superuser = User.objects.create_superuser(
        email="bench@example.org", password="x", full_name="Bench", region=cycle.region
    )
    reviewer = User.objects.get(role="reviewer")
    queue_client, admin_client = Client(), Client()
    queue_client.force_login(reviewer)
    admin_client.force_login(superuser)
    queue_url = reverse("review_queue")
    changelist = reverse("admin:registry_innovation_changelist")
    cases = [
        ("review queue, page 1", lambda: queue_client.get(queue_url)),
        ("review queue, page 40", lambda: queue_client.get(queue_url, {"page": 40})),
        (
            "review queue, status + kind filter",
            lambda: queue_client.get(queue_url, {"status": "approved", "kind": "perangkat_daerah"}),
        ),
        (
            "review queue, mandatory complete",
            lambda: queue_client.get(queue_url, {"completeness": "complete"}),
        ),
        ("review queue, text search", lambda: queue_client.get(queue_url, {"q": "Sintetis 0042"})),
        # What any page of the application costs here: session, person, base template and its
        # navigation, with an empty list. The queue cannot be cheaper than this.
        ("floor: notifications page, empty", lambda: queue_client.get(reverse("notification_list"))),
        ("admin changelist, page 1", lambda: admin_client.get(changelist)),
        ("admin changelist, page 40", lambda: admin_client.get(changelist, {"p": 40})),
        (
            "admin changelist, status filter",
            lambda: admin_client.get(changelist, {"cycle__year": 2024, "q": "Sintetis"}),
        ),
    ]
    print(f"{'request':<40} {'median ms':>10} {'queries':>8}")
    results = {}
    for label, call in cases:
        response = call()
        assert response.status_code == 200, (label, response.status_code)
        median, queries = timed(call, REPEATS)
        results[label] = median
        print(f"{label:<40} {median * 1000:>10.1f} {queries:>8}")
    ratio = results["admin changelist, page 1"] / results["review queue, page 1"]
    print(f"admin changelist / review queue (page 1): {ratio:.1f}x")
    floor = results["admin changelist, page 1"] / results["floor: notifications page, empty"]
    print(f"admin changelist / the cheapest page of the application: {floor:.1f}x")


if __name__ == "__main__":
    main()
