"""Submission reminders that reach every agency (issue 14): its innovators, else its contact e-mail; one a
day per address; run every day by the task worker."""

import datetime
import zoneinfo
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from agencies.models import Agency, Role
from registry.models import Innovation, Notification, ReminderDelivery
from registry.notifications import remind_pending
from registry.reminders import ensure_reminder_schedule, next_reminder_run, send_daily_reminders
from tests.conftest import make_person

pytestmark = pytest.mark.django_db

WITA = zoneinfo.ZoneInfo("Asia/Makassar")
# cycle_2024's submissions close on 22 August 2024.
TODAY = datetime.date(2024, 8, 20)
DATABASE_BACKEND = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def agency(region, code, name, **fields):
    return Agency.objects.create(
        region=region, code=code, name=name, kind=Agency.Kind.PERANGKAT_DAERAH, **fields
    )


def remind(cycle, capture, today=TODAY, **kwargs):
    with capture(execute=True):
        return remind_pending(cycle, today=today, **kwargs)


def sent_to():
    return sorted(address for message in mail.outbox for address in message.to)


def test_an_agency_without_people_is_reminded_at_its_contact_in_indonesian(
    cycle_2024, agency_a, owner, admin_user, django_capture_on_commit_callbacks, settings
):
    settings.REGISTRI_BASE_URL = "https://inovasi.pareparekota.go.id"
    agency_b = agency(cycle_2024.region, "PD-SOS", "Dinas Sosial", contact_email="Dinsos@Example.org")

    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)

    assert (reminded.agencies, reminded.people, reminded.contacts, reminded.unreachable) == (2, 1, 1, [])
    assert sent_to() == ["dinsos@example.org", "owner@example.org"]
    [contact_mail] = [message for message in mail.outbox if message.to == ["dinsos@example.org"]]
    assert "2024" in contact_mail.subject and "22 Agustus 2024" in contact_mail.subject
    assert "Dinas Sosial" in contact_mail.body
    assert "Instansi Anda belum mengajukan inovasinya" in contact_mail.body
    assert "https://inovasi.pareparekota.go.id/accounts/login/" in contact_mail.body
    assert "admin@example.org" in contact_mail.body  # whom to ask for an account
    # Nobody to notify in the app: only the innovator has a notification.
    assert [n.recipient for n in Notification.objects.all()] == [owner]
    delivery = ReminderDelivery.objects.get(address="dinsos@example.org")
    assert delivery.recipient is None and delivery.emailed_at is not None
    assert list(delivery.agencies.all()) == [agency_b]


def test_an_agency_with_active_people_is_not_emailed_at_its_contact(
    cycle_2024, agency_a, owner, django_capture_on_commit_callbacks
):
    agency_a.contact_email = "dinkes@example.org"
    agency_a.save()
    # An agency whose only innovator is inactive is reached at its contact instead.
    agency_b = agency(cycle_2024.region, "PD-SOS", "Dinas Sosial", contact_email="dinsos@example.org")
    make_person("pensiun@example.org", Role.INNOVATOR, cycle_2024.region, [agency_b], is_active=False)

    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)

    assert sent_to() == ["dinsos@example.org", "owner@example.org"]
    assert (reminded.people, reminded.contacts) == (1, 1)


def test_an_agency_with_neither_people_nor_contact_is_reported_unreachable(
    cycle_2024, agency_a, owner, django_capture_on_commit_callbacks
):
    agency(cycle_2024.region, "PD-SOS", "Dinas Sosial")
    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)
    assert reminded.unreachable == ["Dinas Sosial"]
    assert sent_to() == ["owner@example.org"]

    out = StringIO()
    call_command("send_reminders", "--year", "2024", "--today", "2024-08-21", stdout=out)
    assert "Dinas Sosial" in out.getvalue()


def test_agencies_that_handed_in_are_left_alone_but_a_rejected_entry_does_not_count(
    cycle_2024, agency_a, owner, django_capture_on_commit_callbacks
):
    agency_b = agency(cycle_2024.region, "PD-SOS", "Dinas Sosial", contact_email="dinsos@example.org")
    Innovation.objects.create(
        cycle=cycle_2024,
        agency=agency_a,
        name="Posyandu",
        created_by=owner,
        status=Innovation.Status.SUBMITTED,
    )
    Innovation.objects.create(
        cycle=cycle_2024, agency=agency_b, name="Bansos", created_by=owner, status=Innovation.Status.REJECTED
    )
    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)
    assert reminded.agencies == 1
    assert sent_to() == ["dinsos@example.org"]


def test_one_reminder_a_day_per_address(cycle_2024, agency_a, owner, django_capture_on_commit_callbacks):
    region = cycle_2024.region
    # Two agencies share their contact address; a third's contact is the innovator of agency A.
    agency(region, "PD-SOS", "Dinas Sosial", contact_email="tu@example.org")
    agency(region, "PD-PANGAN", "Dinas Pangan", contact_email="TU@example.org")
    agency(region, "PD-ARSIP", "Dinas Arsip", contact_email="Owner@Example.org")

    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)

    assert (reminded.people, reminded.contacts, reminded.already_reminded) == (1, 1, 0)
    assert sent_to() == ["owner@example.org", "tu@example.org"]
    [shared] = [message for message in mail.outbox if message.to == ["tu@example.org"]]
    assert "Dinas Pangan" in shared.body and "Dinas Sosial" in shared.body
    # The innovator's one reminder names both agencies, in the app and by e-mail.
    [notification] = Notification.objects.filter(recipient=owner)
    assert "Dinas Arsip" in notification.message and "Dinas Kesehatan" in notification.message

    again = remind(cycle_2024, django_capture_on_commit_callbacks)
    assert (again.sent, again.already_reminded) == (0, 2)
    assert len(mail.outbox) == 2 and Notification.objects.count() == 1

    tomorrow = remind(
        cycle_2024, django_capture_on_commit_callbacks, today=TODAY + datetime.timedelta(days=1)
    )
    assert (tomorrow.people, tomorrow.contacts) == (1, 1)
    assert len(mail.outbox) == 4


def test_an_address_claimed_by_another_run_is_not_reminded_again(
    cycle_2024, agency_a, owner, django_capture_on_commit_callbacks
):
    # Another run (another worker, the page) claimed the address a moment earlier.
    ReminderDelivery.objects.create(address="owner@example.org", sent_on=TODAY, cycle=cycle_2024, message="x")
    reminded = remind(cycle_2024, django_capture_on_commit_callbacks)
    assert (reminded.people, reminded.already_reminded) == (0, 1)
    assert mail.outbox == []
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderDelivery.objects.create(
            address="owner@example.org", sent_on=TODAY, cycle=cycle_2024, message="y"
        )


def test_reminding_one_agency_reminds_only_its_addresses(
    cycle_2024, agency_a, owner, outsider, agency_b, django_capture_on_commit_callbacks
):
    reminded = remind(cycle_2024, django_capture_on_commit_callbacks, agency_ids=[agency_b.pk])
    assert (reminded.agencies, reminded.people) == (1, 1)
    assert sent_to() == ["outsider@example.org"]


# The daily run by the task worker.


def at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=WITA)


def waiting_runs():
    return DBTaskResult.objects.filter(
        task_path=send_daily_reminders.module_path, status=TaskResultStatus.READY
    ).order_by("run_after")


def test_next_run_is_the_next_reminder_hour_in_local_time(settings):
    settings.REGISTRI_REMINDER_HOUR = 8
    assert next_reminder_run(at(TODAY, 7, 59)) == at(TODAY, 8)
    assert next_reminder_run(at(TODAY, 8)) == at(TODAY + datetime.timedelta(days=1), 8)
    assert next_reminder_run(at(TODAY, 23, 30)) == at(TODAY + datetime.timedelta(days=1), 8)
    settings.REGISTRI_REMINDER_HOUR = 6
    assert next_reminder_run(at(TODAY, 7)) == at(TODAY + datetime.timedelta(days=1), 6)


def test_nothing_is_scheduled_with_a_backend_that_keeps_no_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert ensure_reminder_schedule() is None
    assert not waiting_runs().exists()


def test_migrate_queues_exactly_one_daily_run(settings):
    settings.TASKS = DATABASE_BACKEND
    call_command("migrate", verbosity=0)
    call_command("migrate", verbosity=0)
    assert waiting_runs().count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_reminds_once_a_day_and_queues_the_next_day(
    cycle_2024, agency_a, owner, settings, monkeypatch
):
    settings.TASKS = DATABASE_BACKEND
    settings.REGISTRI_REMINDER_HOUR = 8
    settings.REGISTRI_REMINDER_DAYS = 7
    agency(cycle_2024.region, "PD-SOS", "Dinas Sosial", contact_email="dinsos@example.org")
    clock = {"now": at(TODAY - datetime.timedelta(days=1), 21)}
    monkeypatch.setattr("django.utils.timezone.now", lambda: clock["now"])

    def work(now):
        clock["now"] = now
        call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)

    # Installed in the evening: the first run waits for eight the next morning, however often it is ensured.
    assert ensure_reminder_schedule() == at(TODAY, 8)
    assert ensure_reminder_schedule() == at(TODAY, 8)
    assert list(waiting_runs().values_list("run_after", flat=True)) == [at(TODAY, 8)]
    work(at(TODAY, 7, 59))
    assert mail.outbox == []

    work(at(TODAY, 8, 0))
    assert sent_to() == ["dinsos@example.org", "owner@example.org"]
    assert list(waiting_runs().values_list("run_after", flat=True)) == [
        at(TODAY + datetime.timedelta(days=1), 8)
    ]
    done = DBTaskResult.objects.get(
        task_path=send_daily_reminders.module_path, status=TaskResultStatus.SUCCESSFUL
    )
    assert done.return_value["contacts"] == 1 and done.return_value["people"] == 1

    # A duplicated run the same day (queued by hand, a second worker) sends nothing twice and leaves one waiting.
    send_daily_reminders.using(run_after=at(TODAY, 9)).enqueue()
    work(at(TODAY, 9, 30))
    assert len(mail.outbox) == 2
    assert list(waiting_runs().values_list("run_after", flat=True)) == [
        at(TODAY + datetime.timedelta(days=1), 8)
    ]

    work(at(TODAY + datetime.timedelta(days=1), 8, 1))
    assert len(mail.outbox) == 4
    assert list(waiting_runs().values_list("run_after", flat=True)) == [
        at(TODAY + datetime.timedelta(days=2), 8)
    ]

    # After the deadline no cycle is due: the run sends nothing and still queues the next day.
    work(at(datetime.date(2024, 8, 23), 8))
    assert len(mail.outbox) == 4
    assert waiting_runs().count() == 1
