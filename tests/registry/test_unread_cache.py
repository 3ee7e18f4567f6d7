"""The unread notification count of the navigation bar, cached where the cache is shared (issue 17)."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from registry.models import Innovation, Notification, ReviewEvent
from registry.notifications import notify_status_change
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(settings):
    # What REGISTRI_REDIS_URL sets up; the tests' local memory stands in for Redis within one process.
    settings.REGISTRI_UNREAD_CACHE_SECONDS = 300
    cache.clear()
    yield
    cache.clear()


def badge(client) -> str | None:
    html = client.get(reverse("home")).content.decode()
    marker = 'data-testid="unread-count">'
    return html.split(marker, 1)[1].split("<", 1)[0] if marker in html else None


def test_without_a_shared_cache_the_count_is_read_every_time(entry, owner, django_assert_num_queries):
    Notification.objects.create(recipient=owner, innovation=entry, message="Satu")
    client = client_for(owner)
    assert badge(client) == "1"
    Notification.objects.create(recipient=owner, innovation=entry, message="Dua")  # no invalidation needed
    assert badge(client) == "2"


def test_the_cached_count_follows_new_and_read_notifications(
    shared_cache, entry, owner, reviewer, django_capture_on_commit_callbacks
):
    client = client_for(owner)
    assert badge(client) is None
    Innovation.objects.filter(pk=entry.pk).update(status="in_review")
    event = ReviewEvent.objects.create(
        innovation=entry, actor=reviewer, from_status="in_review", to_status="revision_requested", note="x"
    )
    with django_capture_on_commit_callbacks(execute=True):
        notify_status_change(event.pk)
    assert badge(client) == "1"
    notification = Notification.objects.get(recipient=owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("notification_read", args=[notification.pk]))
    assert badge(client) is None


def test_the_cached_count_costs_no_query(shared_cache, entry, owner):
    Notification.objects.create(recipient=owner, innovation=entry, message="Satu")
    client = client_for(owner)
    assert badge(client) == "1"
    with CaptureQueriesContext(connection) as queries:
        assert badge(client) == "1"
    assert not [query for query in queries if "registry_notification" in query["sql"]]
