"""Fifty simultaneous requests to start the same agency's entry leave exactly as many as the cycle's ceiling
(PostgreSQL)."""

import pytest
from django.db import connection

from registry.entries import DuplicateEntry, EntryLimitReached, start_entry
from registry.models import Cycle, Innovation
from registry.workflow import reject, start_review, submit
from tests.conftest import run_together

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL, the production database")


def test_fifty_concurrent_starts_create_one_entry_and_49_clear_refusals(open_cycle, agency_a, owner):
    created, errors = run_together(
        50, lambda number: start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Inovasi {number}")
    )
    assert [repr(error) for error in errors if not isinstance(error, DuplicateEntry)] == []
    refusals = [str(error) for error in errors]
    assert len(created) == 1
    assert len(refusals) == 49
    assert Innovation.objects.filter(agency=agency_a, cycle=open_cycle).count() == 1
    existing = Innovation.objects.get()
    assert all(existing.name in message and agency_a.name in message for message in refusals)


@pytest.mark.parametrize("ceiling", [1, 3])
def test_fifty_concurrent_starts_fill_exactly_the_ceiling(open_cycle, agency_a, owner, ceiling):
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=ceiling)
    open_cycle.refresh_from_db()
    created, errors = run_together(
        50, lambda number: start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Inovasi {number}")
    )
    assert len(created) == ceiling
    assert len(errors) == 50 - ceiling
    assert all(type(error) is (DuplicateEntry if ceiling == 1 else EntryLimitReached) for error in errors)
    entries = Innovation.objects.filter(agency=agency_a, cycle=open_cycle)
    assert sorted(entries.values_list("slot", flat=True)) == list(range(1, ceiling + 1))


def test_concurrent_starts_after_a_rejection_take_only_the_freed_place(open_cycle, agency_a, owner, reviewer):
    Cycle.objects.filter(pk=open_cycle.pk).update(entries_per_agency=3)
    open_cycle.refresh_from_db()
    entries = [start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Awal {n}") for n in range(3)]
    middle = entries[1]
    submit(middle, by=owner)
    start_review(middle, by=reviewer)
    reject(middle, by=reviewer, reason="Bukan inovasi")
    created, errors = run_together(
        20, lambda number: start_entry(agency=agency_a, cycle=open_cycle, by=owner, name=f"Baru {number}")
    )
    assert len(created) == 1 and created[0].slot == 2
    assert len(errors) == 19 and all(isinstance(error, EntryLimitReached) for error in errors)
