"""Fifty simultaneous requests to start the same agency's entry leave exactly one (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from registry.entries import DuplicateEntry, start_entry
from registry.models import Innovation

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL, the production database")


def test_fifty_concurrent_starts_create_one_entry_and_49_clear_refusals(open_cycle, agency_a, owner):
    workers = 50
    barrier = threading.Barrier(workers)
    created, refusals, errors = [], [], []

    def attempt(number):
        try:
            barrier.wait(timeout=30)
            entry = start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Inovasi {number}")
            created.append(entry.pk)
        except DuplicateEntry as duplicate:
            refusals.append(str(duplicate))
        except Exception as error:
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert len(created) == 1
    assert len(refusals) == 49
    assert Innovation.objects.filter(agency=agency_a, cycle=open_cycle).count() == 1
    existing = Innovation.objects.get()
    assert all(existing.name in message and agency_a.name in message for message in refusals)
