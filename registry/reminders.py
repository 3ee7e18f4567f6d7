"""The daily submission reminders, run by the task worker: no cron, no extra server.

`send_daily_reminders` (registry/tasks.py) reminds the pending agencies of every cycle whose submissions close
within REGISTRI_REMINDER_DAYS days, then queues itself for the next REGISTRI_REMINDER_HOUR o'clock (the
installation's time zone) with the database backend's `run_after`. `ensure_reminder_schedule` queues that run
when none is waiting: after every `migrate` (which `make run`, `make serve` and each update run before the
worker starts) and at the end of each run, so exactly one run waits at any time. Should a run be queued twice
all the same, the reminder log (ReminderDelivery) keeps each address to one reminder a day and the extra run
finds the next one already queued.
"""

import datetime
import logging

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from registry.notifications import cycles_due, remind_pending

logger = logging.getLogger(__name__)


def run_daily_reminders(*, now: datetime.datetime | None = None) -> dict:
    """Remind every cycle due on the local day of `now`; a summary for the task's result and the log."""
    today = timezone.localdate(now or timezone.now())
    summary = {
        "day": today.isoformat(),
        "cycles": 0,
        "people": 0,
        "contacts": 0,
        "already": 0,
        "unreachable": 0,
    }
    cycles = cycles_due(today=today, days=settings.REGISTRI_REMINDER_DAYS).select_related("region")
    for cycle in cycles.order_by("region__name", "year"):
        reminded = remind_pending(cycle, today=today)
        summary["cycles"] += 1
        summary["people"] += reminded.people
        summary["contacts"] += reminded.contacts
        summary["already"] += reminded.already_reminded
        summary["unreachable"] += len(reminded.unreachable)
        logger.info(
            "Reminders %s %s: %s people, %s contacts, %s already reminded today, unreachable: %s",
            cycle.region.name,
            cycle.year,
            reminded.people,
            reminded.contacts,
            reminded.already_reminded,
            ", ".join(reminded.unreachable) or "-",
        )
    return summary


def next_reminder_run(now: datetime.datetime) -> datetime.datetime:
    """The first REGISTRI_REMINDER_HOUR o'clock, local time, after `now`."""
    local = timezone.localtime(now)
    at = datetime.time(settings.REGISTRI_REMINDER_HOUR)
    run = timezone.make_aware(datetime.datetime.combine(local.date(), at))
    if run <= now:
        run = timezone.make_aware(datetime.datetime.combine(local.date() + datetime.timedelta(days=1), at))
    return run


def waiting_reminder_runs():
    """The daily runs queued and not started, or None when the task backend keeps no queue to look into."""
    backend = task_backends[send_daily_reminders.backend]
    if not isinstance(backend, DatabaseBackend):
        return None
    return DBTaskResult.objects.filter(
        backend_name=backend.alias, task_path=send_daily_reminders.module_path, status=TaskResultStatus.READY
    )


def ensure_reminder_schedule(*, now: datetime.datetime | None = None) -> datetime.datetime | None:
    """Queue the next daily run unless one is waiting; when the next run is (None: no queue to schedule in).

    Only the database backend keeps runs for later: with another one (the immediate backend of the tests and
    of a development set-up) nothing is scheduled.
    """
    waiting = waiting_reminder_runs()
    if waiting is None:
        return None
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # Two callers at the same moment (a migrate and a worker's run) queue one run between them.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('registri.reminder_schedule'))")
        first = waiting.order_by("run_after").values_list("run_after", flat=True).first()
        if first is not None:
            return first
        run_after = next_reminder_run(now or timezone.now())
        send_daily_reminders.using(run_after=run_after).enqueue()
        return run_after


def schedule_after_migrate(sender, plan=None, using="default", **kwargs):
    """post_migrate: queue the daily run once the database is up to date (not after a test's flush)."""
    if plan is None or using != "default":
        return
    if DBTaskResult._meta.db_table not in connection.introspection.table_names():
        return
    ensure_reminder_schedule()


@task()
def send_daily_reminders() -> dict:
    """Remind the pending agencies of every cycle due today, then make sure tomorrow's run is queued.

    Queued by `ensure_reminder_schedule` (after every `migrate`) and then by itself, so the
    worker runs it once a day at REGISTRI_REMINDER_HOUR without any other scheduler.
    """
    try:
        return run_daily_reminders()
    finally:
        ensure_reminder_schedule()
