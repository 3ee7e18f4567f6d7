"""The "Belum mengajukan" page: the agencies without an entry handed in, how each is reached, and reminding them
from the page (issue 14)."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Role
from registry.models import Cycle, Innovation, ReminderDelivery
from tests.conftest import client_for, cycle_like, make_person, open_windows

pytestmark = pytest.mark.django_db

PAGE = "pending_agencies"


@pytest.fixture
def cycle(region, edition_2024):
    return Cycle.objects.create(region=region, year=2024, edition=edition_2024, **open_windows())


@pytest.fixture
def contact_agency(region):
    return Agency.objects.create(
        region=region,
        code="PD-SOS",
        name="Dinas Sosial",
        kind=Agency.Kind.PERANGKAT_DAERAH,
        contact_email="dinsos@example.org",
    )


@pytest.fixture
def lone_agency(region):
    return Agency.objects.create(
        region=region, code="PD-ARSIP", name="Dinas Arsip", kind=Agency.Kind.PERANGKAT_DAERAH
    )


def rows(response):
    return {row.code: row for row in response.context["rows"]}


def flashed(response):
    return [str(message) for message in response.context["messages"]]


def test_only_the_regions_administrators_may_open_or_use_the_page(
    cycle, agency_a, owner, reviewer, other_region, contact_agency, client
):
    assert client.get(reverse(PAGE)).status_code == 302
    for person in (owner, reviewer):
        assert client_for(person).get(reverse(PAGE)).status_code == 403
        assert client_for(person).post(reverse("pending_remind", args=[contact_agency.pk])).status_code == 403
        assert client_for(person).post(reverse("pending_remind_all")).status_code == 403

    foreign_admin = make_person("admin@makassar.example.org", Role.ADMIN, other_region)
    cycle_like(cycle, other_region)
    Agency.objects.create(
        region=other_region, code="PD-X", name="Dinas Makassar", kind=Agency.Kind.PERANGKAT_DAERAH
    )
    response = client_for(foreign_admin).get(reverse(PAGE))
    assert list(rows(response)) == ["PD-X"]
    assert (
        client_for(foreign_admin).post(reverse("pending_remind", args=[contact_agency.pk])).status_code == 404
    )
    assert mail.outbox == []


def test_the_page_lists_pending_agencies_with_how_each_is_reached(
    cycle, admin_user, agency_a, owner, member, agency_b, contact_agency, lone_agency
):
    # Agency B has handed in: it is not listed.
    Innovation.objects.create(
        cycle=cycle, agency=agency_b, name="Sekolah", created_by=owner, status=Innovation.Status.SUBMITTED
    )
    response = client_for(admin_user).get(reverse(PAGE))
    listed = rows(response)
    assert sorted(listed) == ["PD-ARSIP", "PD-DINKES", "PD-SOS"]
    assert (listed["PD-DINKES"].reach, listed["PD-DINKES"].people_count) == ("people", 2)
    assert listed["PD-SOS"].reach == "contact"
    assert listed["PD-ARSIP"].reach == "unreachable"
    page = response.content.decode()
    assert "dinsos@example.org" in page
    assert reverse("agency_edit", args=[lone_agency.pk]) in page  # where to add the missing contact
    assert page.count('data-testid="remind"') == 2  # nothing to click for the unreachable one
    assert response.context["counts"] == {"people": 1, "contact": 1, "unreachable": 1}


def test_the_compliance_board_links_the_page_for_administrators(open_cycle, admin_user, reviewer):
    assert reverse(PAGE) in client_for(admin_user).get(reverse("compliance_board")).content.decode()
    assert reverse(PAGE) not in client_for(reviewer).get(reverse("compliance_board")).content.decode()


def test_one_click_reminds_the_agency_and_a_second_click_the_same_day_sends_nothing(
    cycle, admin_user, agency_a, owner, contact_agency, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pending_remind", args=[contact_agency.pk]), follow=True)
    assert [message.to for message in mail.outbox] == [["dinsos@example.org"]]
    assert "Dinas Sosial" in mail.outbox[0].body
    assert flashed(response) == ["Dinas Sosial sudah diingatkan: 1 e-mail dikirim."]
    listed = rows(response)
    assert listed["PD-SOS"].reminded_today and listed["PD-SOS"].last_reminded_at is not None
    assert listed["PD-DINKES"].last_reminded_at is None
    assert 'data-testid="reminded-today"' in response.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pending_remind", args=[contact_agency.pk]), follow=True)
    assert flashed(response) == ["Dinas Sosial sudah diingatkan hari ini; tidak ada yang dikirim."]
    assert len(mail.outbox) == 1


def test_remind_all_reaches_every_agency_once_a_day_and_reports_the_unreachable(
    cycle, admin_user, agency_a, owner, contact_agency, lone_agency, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pending_remind_all"), follow=True)
    assert sorted(message.to[0] for message in mail.outbox) == ["dinsos@example.org", "owner@example.org"]
    assert flashed(response) == [
        "Pengingat terkirim: 1 ke inovator dan 1 ke kontak instansi; 0 alamat sudah diingatkan hari ini.",
        "1 instansi tidak punya inovator aktif maupun e-mail kontak dan tidak terjangkau.",
    ]
    assert ReminderDelivery.objects.filter(sent_on=timezone.localdate()).count() == 2

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pending_remind_all"), follow=True)
    assert flashed(response)[0] == "Semua sudah diingatkan hari ini; tidak ada yang dikirim."
    assert len(mail.outbox) == 2
    assert client.get(reverse("pending_remind_all")).status_code == 405


def test_no_reminder_once_submissions_have_closed(cycle, admin_user, agency_a, owner):
    cycle.submission_closes = timezone.localdate() - timezone.timedelta(days=1)
    cycle.submission_opens = cycle.submission_closes - timezone.timedelta(days=30)
    cycle.save()
    response = client_for(admin_user).post(reverse("pending_remind_all"), follow=True)
    assert mail.outbox == []
    assert "tidak ada pengingat yang dikirim" in flashed(response)[0]
    assert 'data-testid="remind' not in response.content.decode()


def test_the_page_query_count_does_not_grow_with_agencies(
    cycle, admin_user, region, django_assert_num_queries
):
    client = client_for(admin_user)
    first = Agency.objects.create(
        region=region, code="PD-1", name="Dinas 1", kind=Agency.Kind.PERANGKAT_DAERAH
    )
    make_person("satu@example.org", Role.INNOVATOR, region, [first])
    # Session, user, the current cycle, the rows (one query however many), the unread count of the navigation.
    with django_assert_num_queries(5):
        response = client.get(reverse(PAGE))
    assert len(response.context["rows"]) == 1
    kecamatan = Agency.objects.create(
        region=region, code="KEC-1", name="Kecamatan 1", kind=Agency.Kind.KECAMATAN
    )
    Agency.objects.create(
        region=region,
        code="KEL-1",
        name="Kelurahan 1",
        kind=Agency.Kind.KELURAHAN,
        parent=kecamatan,
        contact_email="kel1@example.org",
    )
    client.post(reverse("pending_remind_all"))
    with django_assert_num_queries(5):
        response = client.get(reverse(PAGE))
    assert len(response.context["rows"]) == 3
