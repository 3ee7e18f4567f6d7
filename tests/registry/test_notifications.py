import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.urls import reverse

from agencies.models import Agency, Role
from registry.context_processors import unread_notifications
from registry.models import Innovation, Notification, ReviewEvent
from registry.notifications import notify_status_change, remind_pending
from registry.tasks import send_notification_email
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db

Status = Innovation.Status


def event_for(entry, *, actor, from_status, to_status, note=""):
    Innovation.objects.filter(pk=entry.pk).update(status=to_status)
    return ReviewEvent.objects.create(
        innovation=entry, actor=actor, from_status=from_status, to_status=to_status, note=note
    )


def recipients(ids):
    return {n.recipient.email for n in Notification.objects.filter(pk__in=ids).select_related("recipient")}


@pytest.fixture
def other_reviewer(other_region):
    return make_person("reviewer@makassar.example.org", Role.REVIEWER, other_region)


def test_submission_notifies_the_regions_bappeda_staff_only(
    entry, owner, member, reviewer, admin_user, other_reviewer, django_capture_on_commit_callbacks
):
    make_person("retired@example.org", Role.REVIEWER, entry.agency.region, is_active=False)
    event = event_for(entry, actor=owner, from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = notify_status_change(event.pk)
    assert recipients(ids) == {"reviewer@example.org", "admin@example.org"}
    assert len(callbacks) == 2
    assert sorted(message.to[0] for message in mail.outbox) == ["admin@example.org", "reviewer@example.org"]
    notification = Notification.objects.get(recipient=reviewer)
    assert (notification.event, notification.innovation) == (event, entry)
    assert "Posyandu Digital" in notification.message
    assert "Dinas Kesehatan" in notification.message


def test_submission_of_an_assigned_entry_notifies_only_its_reviewer(
    entry, owner, reviewer, admin_user, django_capture_on_commit_callbacks
):
    Innovation.objects.filter(pk=entry.pk).update(assigned_reviewer=reviewer)
    event = event_for(entry, actor=owner, from_status=Status.REVISION_REQUESTED, to_status=Status.RESUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify_status_change(event.pk)
    assert recipients(ids) == {"reviewer@example.org"}


def test_submission_of_an_entry_assigned_to_an_inactive_reviewer_goes_to_all_staff(
    entry, owner, reviewer, admin_user, django_capture_on_commit_callbacks
):
    gone = make_person("gone@example.org", Role.REVIEWER, entry.agency.region, is_active=False)
    Innovation.objects.filter(pk=entry.pk).update(assigned_reviewer=gone)
    event = event_for(entry, actor=owner, from_status=Status.DRAFT, to_status=Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify_status_change(event.pk)
    assert recipients(ids) == {"reviewer@example.org", "admin@example.org"}


def test_revision_request_notifies_the_agencys_innovators_and_mails_the_note(
    entry, owner, member, outsider, reviewer, admin_user, django_capture_on_commit_callbacks
):
    note = "Lengkapi SK Kepala Dinas & foto kegiatan"
    event = event_for(
        entry, actor=reviewer, from_status=Status.IN_REVIEW, to_status=Status.REVISION_REQUESTED, note=note
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        ids = notify_status_change(event.pk)
    assert recipients(ids) == {"owner@example.org", "member@example.org"}
    assert len(callbacks) == 2
    for notification in Notification.objects.filter(pk__in=ids):
        assert note in notification.message
        assert notification.emailed_at is not None
    assert sorted(message.to[0] for message in mail.outbox) == ["member@example.org", "owner@example.org"]
    body = mail.outbox[0].body
    assert note in body  # plain text: no HTML escaping of "&"
    assert f"http://127.0.0.1:8000/entries/{entry.pk}/" in body
    assert "Posyandu Digital" in mail.outbox[0].subject

    for pk in ids:
        assert send_notification_email.call(pk) is False
    assert len(mail.outbox) == 2


def test_the_actor_is_never_notified_of_their_own_move(
    entry, owner, member, django_capture_on_commit_callbacks
):
    # Not a move the workflow lets an innovator make; it shows the actor is left out whoever they are.
    event = event_for(entry, actor=owner, from_status=Status.SUBMITTED, to_status=Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        ids = notify_status_change(event.pk)
    assert recipients(ids) == {"member@example.org"}
    assert [message.to for message in mail.outbox] == [["member@example.org"]]


def test_email_task_skips_inactive_recipients_and_uses_the_base_url(entry, owner, member, settings):
    settings.REGISTRI_BASE_URL = "https://inovasi.pareparekota.go.id/"
    sent = Notification.objects.create(recipient=owner, innovation=entry, message="Pesan")
    skipped = Notification.objects.create(recipient=member, innovation=entry, message="Pesan")
    member.is_active = False
    member.save(update_fields=["is_active"])
    assert send_notification_email.call(sent.pk) is True
    assert send_notification_email.call(skipped.pk) is False
    assert [message.to for message in mail.outbox] == [["owner@example.org"]]
    assert f"https://inovasi.pareparekota.go.id/entries/{entry.pk}/" in mail.outbox[0].body
    skipped.refresh_from_db()
    assert skipped.emailed_at is None


@pytest.mark.django_db(transaction=True)
def test_database_backend_mails_only_when_the_worker_runs(entry, owner, reviewer, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    event = event_for(entry, actor=reviewer, from_status=Status.IN_REVIEW, to_status=Status.APPROVED)
    [pk] = notify_status_change(event.pk)
    assert mail.outbox == []
    assert Notification.objects.get(pk=pk).emailed_at is None

    call_command("db_worker", "--batch", "--no-startup-delay")

    assert [message.to for message in mail.outbox] == [["owner@example.org"]]
    assert Notification.objects.get(pk=pk).emailed_at is not None


# The notification pages.


def test_notification_list_shows_only_own_and_marks_them_read(entry, owner, member):
    Notification.objects.create(recipient=member, innovation=entry, message="Untuk anggota lain")
    mine = Notification.objects.create(recipient=owner, innovation=entry, message="Untuk pemilik")
    response = client_for(owner).get(reverse("notification_list"))
    assert [n.message for n in response.context["page"]] == ["Untuk pemilik"]
    assert b"Untuk anggota lain" not in response.content
    assert response.content.count(b'data-testid="notification-new"') == 1
    assert reverse("entry_detail", args=[entry.pk]).encode() in response.content
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert Notification.objects.get(recipient=member).read_at is None


def test_notification_list_query_count_does_not_grow(entry, owner, django_assert_num_queries):
    client = client_for(owner)
    Notification.objects.create(recipient=owner, innovation=entry, message="Satu")
    # Session, user, count, page, mark read, the region in the navigation bar.
    with django_assert_num_queries(6):
        client.get(reverse("notification_list"))
    for message in ("Dua", "Tiga"):
        Notification.objects.create(recipient=owner, innovation=entry, message=message)
    with django_assert_num_queries(6):
        response = client.get(reverse("notification_list"))
    assert len(response.context["page"]) == 3


def test_notification_read_marks_one_and_opens_its_entry(entry, owner):
    notification = Notification.objects.create(recipient=owner, innovation=entry, message="Pesan")
    response = client_for(owner).post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("entry_detail", args=[entry.pk])
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_notification_read_of_another_persons_notification_is_404(entry, owner, outsider):
    notification = Notification.objects.create(recipient=owner, innovation=entry, message="Rahasia")
    response = client_for(outsider).post(reverse("notification_read", args=[notification.pk]))
    assert response.status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_notification_read_refuses_get(entry, owner):
    notification = Notification.objects.create(recipient=owner, innovation=entry, message="Pesan")
    assert client_for(owner).get(reverse("notification_read", args=[notification.pk])).status_code == 405
    notification.refresh_from_db()
    assert notification.read_at is None


def test_unread_count_counts_only_own_unread(entry, owner, member, django_assert_num_queries):
    Notification.objects.create(recipient=owner, innovation=entry, message="Satu")
    Notification.objects.create(recipient=owner, innovation=entry, message="Dua")
    Notification.objects.create(recipient=member, innovation=entry, message="Lain")
    Notification.objects.filter(message="Dua").update(read_at=datetime.datetime.now(datetime.UTC))
    request = RequestFactory().get("/")
    request.user = owner
    with django_assert_num_queries(1):
        assert unread_notifications(request)["unread_notification_count"] == 1


def test_unread_count_is_zero_for_anonymous_visitors():
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert unread_notifications(request) == {"unread_notification_count": 0}


# Reminders before the submission deadline.


@pytest.fixture
def closing_cycle(open_cycle):
    open_cycle.submission_closes = datetime.date(2024, 8, 22)
    open_cycle.submission_opens = datetime.date(2024, 6, 13)
    open_cycle.review_opens = datetime.date(2024, 6, 13)
    open_cycle.review_closes = datetime.date(2024, 9, 30)
    open_cycle.save()
    return open_cycle


def remind(*args):
    from io import StringIO

    out = StringIO()
    call_command("send_reminders", "--year", "2024", *args, stdout=out)
    return out.getvalue()


def test_reminders_go_to_innovators_of_agencies_that_have_not_submitted(
    closing_cycle, agency_a, agency_b, owner, member, outsider, reviewer, django_capture_on_commit_callbacks
):
    agency_c = Agency.objects.create(
        region=agency_a.region, code="PD-DISHUB", name="Dinas Perhubungan", kind=Agency.Kind.PERANGKAT_DAERAH
    )
    agency_d = Agency.objects.create(
        region=agency_a.region, code="PD-LAMA", name="Dinas Lama", kind=Agency.Kind.PERANGKAT_DAERAH
    )
    agency_d.is_active = False
    agency_d.save(update_fields=["is_active"])
    make_person("dishub@example.org", Role.INNOVATOR, agency_a.region, [agency_c])
    make_person("lama@example.org", Role.INNOVATOR, agency_a.region, [agency_d])
    make_person("pensiun@example.org", Role.INNOVATOR, agency_a.region, [agency_c], is_active=False)
    # Agency A has submitted; agency B is still drafting; agency C has no entry at all.
    Innovation.objects.create(
        cycle=closing_cycle,
        agency=agency_a,
        name="Posyandu Digital",
        created_by=owner,
        status=Status.SUBMITTED,
    )
    draft = Innovation.objects.create(
        cycle=closing_cycle, agency=agency_b, name="Sekolah Ramah", created_by=outsider
    )

    with django_capture_on_commit_callbacks(execute=True):
        output = remind("--region", "73.72", "--days", "7", "--today", "2024-08-20")
    reminded = Notification.objects.select_related("recipient")
    assert {n.recipient.email for n in reminded} == {"outsider@example.org", "dishub@example.org"}
    assert sorted(message.to[0] for message in mail.outbox) == ["dishub@example.org", "outsider@example.org"]
    assert reminded.get(recipient=outsider).innovation == draft
    assert reminded.get(recipient__email="dishub@example.org").innovation is None
    assert "Dinas Perhubungan" in reminded.get(recipient__email="dishub@example.org").message
    assert "Kota Parepare" in output

    with django_capture_on_commit_callbacks(execute=True):
        remind("--region", "73.72", "--today", "2024-08-20")
    assert Notification.objects.count() == 2
    assert len(mail.outbox) == 2


def test_reminders_include_entries_sent_back_for_revision(closing_cycle, agency_a, agency_b, owner, member):
    Innovation.objects.create(
        cycle=closing_cycle,
        agency=agency_a,
        name="Posyandu Digital",
        created_by=owner,
        status=Status.REVISION_REQUESTED,
    )
    reminded = remind_pending(closing_cycle, today=datetime.date(2024, 8, 22))
    # Agency B has no innovator: it counts as pending, but nobody is reminded for it.
    assert (reminded.agencies, reminded.people, reminded.already_reminded) == (2, 2, 0)
    assert recipients(reminded.notification_ids) == {"owner@example.org", "member@example.org"}
    assert remind_pending(closing_cycle, today=datetime.date(2024, 8, 22)).already_reminded == 2


@pytest.mark.parametrize("today", ["2024-08-14", "2024-08-23"])
def test_no_reminder_outside_the_window(closing_cycle, owner, today):
    output = remind("--days", "7", "--today", today)
    assert Notification.objects.count() == 0
    assert mail.outbox == []
    assert output.strip()


def test_reminders_for_an_unknown_year_or_region_fail(closing_cycle):
    with pytest.raises(CommandError):
        call_command("send_reminders", "--year", "2030")
    with pytest.raises(CommandError):
        remind("--region", "99.99")
