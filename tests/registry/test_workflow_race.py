"""An approve and a reject of the same entry at the same moment: exactly one wins (PostgreSQL)."""

import threading

import pytest
from django.db import connection, connections

from registry import workflow
from registry.models import Innovation, ReviewEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL, the production database")


@pytest.mark.parametrize("attempt", range(5))
def test_simultaneous_approve_and_reject_one_wins_the_other_is_told(entry, reviewer, admin_user, attempt):
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.IN_REVIEW)
    barrier = threading.Barrier(2)
    outcomes = {}

    def act(name, function, **kwargs):
        page = Innovation.objects.get(pk=entry.pk)  # each reviewer's page, loaded while in review
        try:
            barrier.wait(timeout=10)
            function(page, **kwargs)
            outcomes[name] = "won"
        except workflow.StaleStatus as stale:
            outcomes[name] = str(stale)
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=act, args=("approve", workflow.approve), kwargs={"by": reviewer}),
        threading.Thread(
            target=act, args=("reject", workflow.reject), kwargs={"by": admin_user, "reason": "Tidak layak"}
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["approve", "reject"]
    winners = [name for name, outcome in outcomes.items() if outcome == "won"]
    assert len(winners) == 1
    loser = "reject" if winners == ["approve"] else "approve"
    assert "changed this entry" in outcomes[loser] or "mengubah isian" in outcomes[loser]
    final = Innovation.objects.get(pk=entry.pk).status
    assert final == {"approve": "approved", "reject": "rejected"}[winners[0]]
    assert ReviewEvent.objects.filter(innovation=entry).count() == 1
