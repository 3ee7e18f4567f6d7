"""Who hears about an entry, and what they are told: in the app, and by e-mail through a task.

The workflow calls `notify_status_change` after a move has committed; the `send_reminders`
command calls `remind_pending` as a cycle's submission deadline nears. Messages are stored in
the installation's language (Indonesian), so everyone reads the same words in the app and by mail.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agencies.models import Agency, Membership, Role, User
from registry.models import Cycle, Innovation, Notification, ReviewEvent
from registry.tasks import send_notification_email

Status = Innovation.Status

# Moves the innovator makes hand the entry to Bappeda; every other move is a reviewer's answer.
HANDED_TO_BAPPEDA = frozenset({Status.SUBMITTED, Status.RESUBMITTED})
# The statuses in which an agency has not (yet, or again) handed its entry in.
NOT_SUBMITTED = frozenset({Status.DRAFT, Status.REVISION_REQUESTED})

# Per target status: the sentence without a note, and with the actor's note.
MESSAGES = {
    Status.SUBMITTED: (
        gettext_lazy("%(innovation)s (%(agency)s) was submitted for review by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) was submitted for review by %(actor)s: %(note)s"),
    ),
    Status.RESUBMITTED: (
        gettext_lazy("%(innovation)s (%(agency)s) was resubmitted after revision by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) was resubmitted after revision by %(actor)s: %(note)s"),
    ),
    Status.IN_REVIEW: (
        gettext_lazy("%(innovation)s (%(agency)s) is being reviewed by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) is being reviewed by %(actor)s: %(note)s"),
    ),
    Status.REVISION_REQUESTED: (
        gettext_lazy("%(innovation)s (%(agency)s) was sent back for revision by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) was sent back for revision by %(actor)s: %(note)s"),
    ),
    Status.APPROVED: (
        gettext_lazy("%(innovation)s (%(agency)s) was approved by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) was approved by %(actor)s: %(note)s"),
    ),
    Status.REJECTED: (
        gettext_lazy("%(innovation)s (%(agency)s) was rejected by %(actor)s."),
        gettext_lazy("%(innovation)s (%(agency)s) was rejected by %(actor)s: %(note)s"),
    ),
}


def status_change_message(event: ReviewEvent) -> str:
    """The sentence telling what happened to the entry, in the installation's language."""
    innovation = event.innovation
    without_note, with_note = MESSAGES[event.to_status]
    note = event.note.strip()
    with translation.override(settings.LANGUAGE_CODE):
        return str(with_note if note else without_note) % {
            "innovation": innovation.name,
            "agency": innovation.agency.name,
            "actor": str(event.actor),
            "note": note,
        }


def status_change_recipients(event: ReviewEvent):
    """The people concerned by a move, never the person who made it.

    A hand-in goes to the entry's assigned reviewer, or to all Bappeda staff of the region while
    nobody (active) is assigned; a reviewer's answer goes to the agency's innovators.
    """
    innovation = event.innovation
    people = User.objects.filter(is_active=True)
    if event.to_status in HANDED_TO_BAPPEDA:
        assignee = innovation.assigned_reviewer
        if assignee is not None and assignee.is_active:
            people = people.filter(pk=assignee.pk)
        else:
            people = people.filter(
                region_id=innovation.agency.region_id, role__in=[Role.REVIEWER, Role.ADMIN]
            )
    else:
        people = people.filter(role=Role.INNOVATOR, memberships__agency_id=innovation.agency_id)
    return people.exclude(pk=event.actor_id).distinct()


def notify_status_change(event_id: int) -> list[int]:
    """In-app notifications and one e-mail task per person concerned by a workflow move."""
    event = ReviewEvent.objects.select_related(
        "actor", "innovation__agency", "innovation__assigned_reviewer"
    ).get(pk=event_id)
    message = status_change_message(event)
    recipients = status_change_recipients(event).values_list("pk", flat=True)
    return _create_and_email(
        Notification(recipient_id=pk, event=event, innovation=event.innovation, message=message)
        for pk in recipients
    )


def _create_and_email(notifications) -> list[int]:
    with transaction.atomic():
        created = Notification.objects.bulk_create(list(notifications))
        for notification in created:
            # The task may run in another process: it must find the committed row.
            transaction.on_commit(partial(send_notification_email.enqueue, notification.pk))
    return [notification.pk for notification in created]


# Submission reminders.


def reminder_due(cycle: Cycle, *, today: datetime.date, days: int) -> bool:
    """Whether the cycle's submissions close within `days` days from today, today included."""
    return 0 <= (cycle.submission_closes - today).days <= days


def pending_agencies(cycle: Cycle):
    """The region's active agencies that have not handed in an entry for the cycle."""
    handed_in = Innovation.objects.filter(cycle=cycle).exclude(status__in=NOT_SUBMITTED)
    return Agency.objects.filter(region_id=cycle.region_id, is_active=True).exclude(
        pk__in=handed_in.values("agency_id")
    )


def reminder_message(cycle: Cycle, agency_names: list[str], *, today: datetime.date) -> str:
    days_left = (cycle.submission_closes - today).days
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "year": cycle.year,
            "date": date_format(cycle.submission_closes, "j F Y"),
            "days": days_left,
            "agencies": ", ".join(agency_names),
        }
        if days_left == 0:
            return (
                _("Submissions for %(year)s close today (%(date)s). Not submitted yet: %(agencies)s.")
                % values
            )
        return (
            ngettext(
                "Submissions for %(year)s close on %(date)s, in %(days)s day. Not submitted yet: %(agencies)s.",
                "Submissions for %(year)s close on %(date)s, in %(days)s days. Not submitted yet: %(agencies)s.",
                days_left,
            )
            % values
        )


@dataclass(frozen=True)
class Reminded:
    agencies: int
    people: int
    already_reminded: int
    notification_ids: list[int]


def remind_pending(cycle: Cycle, *, today: datetime.date) -> Reminded:
    """Remind each active innovator of an agency that has not handed in its entry, once a day.

    One notification per person, naming all their agencies still pending. A person who got the
    same reminder earlier today is skipped, so running the command twice a day is harmless.
    """
    agencies = {agency.pk: agency.name for agency in pending_agencies(cycle).order_by("name")}
    memberships = Membership.objects.filter(
        agency_id__in=list(agencies), user__is_active=True, user__role=Role.INNOVATOR
    ).values_list("user_id", "agency_id")
    agencies_of: dict[int, list[int]] = {}
    for person, agency in memberships:
        agencies_of.setdefault(person, []).append(agency)
    entries = dict(
        Innovation.objects.filter(cycle=cycle, agency_id__in=list(agencies)).values_list("agency_id", "pk")
    )
    messages = {
        person: reminder_message(cycle, sorted(agencies[pk] for pk in pks), today=today)
        for person, pks in agencies_of.items()
    }
    start_of_day = timezone.make_aware(datetime.datetime.combine(timezone.localdate(), datetime.time.min))
    already = set(
        Notification.objects.filter(
            recipient_id__in=list(messages),
            message__in=set(messages.values()),
            event__isnull=True,
            created_at__gte=start_of_day,
        ).values_list("recipient_id", "message")
    )
    ids = _create_and_email(
        Notification(
            recipient_id=person,
            # Link to the entry when the person has exactly one to finish; else the entry list.
            innovation_id=entries.get(agencies_of[person][0]) if len(agencies_of[person]) == 1 else None,
            message=message,
        )
        for person, message in messages.items()
        if (person, message) not in already
    )
    return Reminded(
        agencies=len(agencies),
        people=len(ids),
        already_reminded=len(messages) - len(ids),
        notification_ids=ids,
    )
