"""Empty lists say what happens next and link to it: "nothing yet" is told apart from "nothing matches"."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from registry.models import Cycle, Innovation
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db
QUEUE = reverse("review_queue")


def in_indonesian(day: datetime.date) -> str:
    with translation.override("id"):
        return date_format(day, "j F Y")


def empty_cell(html: str, testid: str = "list-empty") -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : start + 1200]


def test_queue_before_any_submission_says_when_submissions_close_and_links_onward(
    open_cycle, entry, reviewer, admin_user
):
    # `entry` is a draft: drafts are not in the queue.
    html = client_for(reviewer).get(QUEUE).content.decode()
    cell = empty_cell(html, "queue-empty")
    closes = in_indonesian(open_cycle.submission_closes)
    assert f"Belum ada isian yang diajukan untuk periode 2024. Pengajuan ditutup pada {closes}" in cell
    assert f'href="{reverse("compliance_board")}?state=none"' in cell
    assert "clear-filters" not in cell
    # An administrator is sent to the "Belum mengajukan" list, where reminders are sent.
    cell = empty_cell(client_for(admin_user).get(QUEUE).content.decode(), "queue-empty")
    assert f'href="{reverse("pending_agencies")}"' in cell


def test_queue_after_submissions_closed_says_so(open_cycle, reviewer):
    today = timezone.localdate()
    Cycle.objects.filter(pk=open_cycle.pk).update(
        submission_opens=today - datetime.timedelta(days=30),
        submission_closes=today - datetime.timedelta(days=2),
    )
    cell = empty_cell(client_for(reviewer).get(QUEUE).content.decode(), "queue-empty")
    closed = in_indonesian(today - datetime.timedelta(days=2))
    assert f"Tidak ada isian yang diajukan untuk periode 2024; pengajuan ditutup pada {closed}." in cell


def test_queue_with_entries_but_no_match_offers_to_clear_the_filters(entry, reviewer):
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED)
    client = client_for(reviewer)
    response = client.get(QUEUE, {"q": "tidak-ada-yang-begini"})
    cell = empty_cell(response.content.decode(), "queue-empty")
    assert "Tidak ada yang cocok dengan filter ini." in cell
    assert 'href="?" data-testid="clear-filters"' in cell
    assert "Belum ada isian" not in cell
    # The link clears them: the entry is back.
    assert [row["pk"] for row in client.get(QUEUE + "?").context["rows"]] == [entry.pk]
    # A sort order alone narrows nothing: an empty queue sorted is still "nothing submitted yet".
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.DRAFT)
    cell = empty_cell(client.get(QUEUE, {"ordering": "name"}).content.decode(), "queue-empty")
    assert "Belum ada isian yang diajukan" in cell and "clear-filters" not in cell


def test_queue_without_a_cycle_sends_the_admin_to_the_cycles(region, admin_user, reviewer):
    cell = empty_cell(client_for(admin_user).get(QUEUE).content.decode(), "queue-empty")
    assert "Belum ada periode pengukuran yang berjalan" in cell
    assert f'href="{reverse("cycle_list")}"' in cell
    cell = empty_cell(client_for(reviewer).get(QUEUE).content.decode(), "queue-empty")
    assert "Administrator membukanya di menu Periode pengukuran." in cell


def test_region_without_agencies_calls_the_admin_to_import_them(region, admin_user, reviewer):
    for url in (reverse("home"), reverse("agency_list")):
        html = client_for(admin_user).get(url).content.decode()
        assert "0 instansi aktif" not in html
        marker = "no-agencies" if url == reverse("home") else "list-empty"
        cell = empty_cell(html, marker)
        assert f'href="{reverse("agency_import")}"' in cell and f'href="{reverse("agency_create")}"' in cell
    cell = empty_cell(client_for(reviewer).get(reverse("home")).content.decode(), "no-agencies")
    assert "Administratornya yang mengimpor." in cell and reverse("agency_import") not in cell


def test_agency_and_people_lists_tell_no_match_from_nothing_yet(admin_user, agency_a):
    client = client_for(admin_user)
    cell = empty_cell(client.get(reverse("agency_list"), {"q": "tidak-ada"}).content.decode())
    assert 'data-testid="clear-filters"' in cell and reverse("agency_import") not in cell
    cell = empty_cell(client.get(reverse("person_list"), {"is_active": "false"}).content.decode())
    assert "Tidak ada yang cocok dengan filter ini." in cell and 'href="?"' in cell


def test_cycle_list_notifications_and_export_log_empty_states_link_onward(region, admin_user):
    client = client_for(admin_user)
    cell = empty_cell(client.get(reverse("cycle_list")).content.decode())
    assert f'href="{reverse("cycle_create")}" data-testid="empty-next"' in cell
    cell = empty_cell(client.get(reverse("notification_list")).content.decode())
    assert f'href="{reverse("entry_list")}" data-testid="empty-next"' in cell
    cell = empty_cell(client.get(reverse("export_log")).content.decode())
    assert f'href="{reverse("compliance_board")}" data-testid="empty-next"' in cell


def test_official_results_and_showcase_empty_states(region, admin_user, reviewer, client):
    cell = empty_cell(client_for(admin_user).get(reverse("official_results")).content.decode())
    assert 'href="#add-result"' in cell
    cell = empty_cell(client_for(reviewer).get(reverse("official_results")).content.decode())
    assert "Administrator mencatatnya" in cell
    html = client.get(reverse("showcase")).content.decode()
    assert "Belum ada inovasi yang disetujui." in empty_cell(html, "no-results")
    html = client.get(reverse("showcase"), {"q": "tidak-ada"}).content.decode()
    assert 'data-testid="clear-filters"' in empty_cell(html, "no-results")


def test_innovator_entry_list_links_to_starting_the_entry(open_cycle, agency_a):
    innovator = make_person("baru@example.org", "innovator", agency_a.region, [agency_a])
    cell = empty_cell(client_for(innovator).get(reverse("entry_list")).content.decode())
    assert f'href="{reverse("entry_start", args=[agency_a.pk])}" data-testid="empty-next"' in cell
    # Before the cycle is opened, the innovator is told who opens it.
    Cycle.objects.all().delete()
    cell = empty_cell(client_for(innovator).get(reverse("entry_list")).content.decode())
    assert "Bappeda belum membuka periode pengukuran tahun ini" in cell


def test_replication_list_empty_state(open_cycle, owner):
    cell = empty_cell(client_for(owner).get(reverse("replication_list")).content.decode())
    assert f'href="{reverse("entry_list")}" data-testid="empty-next"' in cell
