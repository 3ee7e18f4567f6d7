"""Who hears about an entry, and what they are told: in the app, and by e-mail through a task.

The workflow calls `notify_status_change` after a move has committed; `remind_pending` reminds the agencies
that have not handed in as a cycle's submission deadline nears (the daily task of registry/reminders.py, the
`send_reminders` command, and Bappeda's "Belum mengajukan" page). Messages are stored in
the installation's language (Indonesian), so everyone reads the same words in the app and by mail.
"""

import datetime
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import Case, Count, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agencies.models import Agency, Membership, Role, User
from registry.models import Cycle, Innovation, Notification, ReminderDelivery, ReviewEvent, unread_changed
from registry.tasks import send_notification_email, send_reminder_email

Status = Innovation.Status

# Moves the innovator makes hand the entry to Bappeda; every other move is a reviewer's answer.
HANDED_TO_BAPPEDA = frozenset({Status.SUBMITTED, Status.RESUBMITTED})
# The statuses of an entry that does not count as handed in: a draft, one sent back for revision (it must be
# handed in again) and a rejected one (it does not comply; the agency may enter another).
NOT_SUBMITTED = frozenset({Status.DRAFT, Status.REVISION_REQUESTED, Status.REJECTED})

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
            people = User.objects.reviewers_of(innovation.agency.region_id)
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
        unread_changed(notification.recipient_id for notification in created)
        for notification in created:
            # The task may run in another process: it must find the committed row.
            transaction.on_commit(partial(send_notification_email.enqueue, notification.pk))
    return [notification.pk for notification in created]


# Submission reminders.


def reminder_due(cycle: Cycle, *, today: datetime.date, days: int) -> bool:
    """Whether the cycle's submissions close within `days` days from today, today included."""
    return 0 <= (cycle.submission_closes - today).days <= days


def cycles_due(*, today: datetime.date, days: int):
    """Every region's cycles whose submissions close within `days` days from today (as `reminder_due`)."""
    return Cycle.objects.filter(
        submission_closes__gte=today, submission_closes__lte=today + datetime.timedelta(days=days)
    )


def pending_agencies(cycle: Cycle):
    """The region's active agencies without an entry handed in for the cycle: none, or only drafts, entries
    sent back for revision and rejected ones."""
    handed_in = Innovation.objects.filter(cycle=cycle).exclude(status__in=NOT_SUBMITTED)
    return Agency.objects.filter(region_id=cycle.region_id, is_active=True).exclude(
        pk__in=handed_in.values("agency_id")
    )


def active_innovators_of(agency_ids) -> models.QuerySet:
    """(person, e-mail, agency) of the active innovators of these agencies."""
    return Membership.objects.filter(
        agency_id__in=agency_ids, user__is_active=True, user__role=Role.INNOVATOR
    ).values_list("user_id", "user__email", "agency_id")


# How a reminder reaches a pending agency.
REACH_PEOPLE, REACH_CONTACT, UNREACHABLE = "people", "contact", "unreachable"


def pending_with_reach(cycle: Cycle):
    """The pending agencies, each with how a reminder reaches it (`reach`: REACH_PEOPLE while it has active
    innovators, else REACH_CONTACT with a contact e-mail, else UNREACHABLE), its number of active innovators
    (`people_count`) and when it was last reminded for the cycle (`last_reminded_at`). One query."""
    people = (
        Membership.objects.filter(agency_id=OuterRef("pk"), user__is_active=True, user__role=Role.INNOVATOR)
        .order_by()
        .values("agency_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
    last = (
        ReminderDelivery.objects.filter(cycle=cycle, agencies=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    return (
        pending_agencies(cycle)
        .annotate(people_count=Coalesce(Subquery(people), 0), last_reminded_at=Subquery(last))
        .annotate(
            reach=Case(
                When(people_count__gt=0, then=Value(REACH_PEOPLE)),
                When(~Q(contact_email=""), then=Value(REACH_CONTACT)),
                default=Value(UNREACHABLE),
            )
        )
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
    agencies: int  # pending agencies considered
    people: int  # people reminded now, in the app and by e-mail
    contacts: int  # agency contact addresses e-mailed now
    already_reminded: int  # addresses left alone: they had a reminder earlier that day
    unreachable: list[str]  # pending agencies with neither an active innovator nor a contact e-mail
    notification_ids: list[int]

    @property
    def sent(self) -> int:
        return self.people + self.contacts


@dataclass
class _Recipient:
    person: int | None
    agencies: list[int]


def remind_pending(cycle: Cycle, *, today: datetime.date, agency_ids=None) -> Reminded:
    """Remind every pending agency of the cycle (or only those of `agency_ids`), at most once a day per address.

    An agency's active innovators get an in-app notification and its e-mail; an agency without any is reminded
    by e-mail at its contact address. One reminder per address names all the agencies it is reminded for. Each
    is claimed in the ReminderDelivery log before it leaves: an address that already has one for `today`
    (from this run, an earlier one, or a run at the same moment) is skipped, so running twice sends nothing twice.
    """
    pending = pending_agencies(cycle)
    if agency_ids is not None:
        pending = pending.filter(pk__in=list(agency_ids))
    agencies = {
        pk: (name, contact) for pk, name, contact in pending.values_list("pk", "name", "contact_email")
    }
    recipients: dict[str, _Recipient] = {}
    with_people = set()
    for person, email, agency in active_innovators_of(list(agencies)).order_by("user__email", "agency__name"):
        recipients.setdefault(email.strip().lower(), _Recipient(person, [])).agencies.append(agency)
        with_people.add(agency)
    unreachable = []
    for pk, (name, contact) in sorted(agencies.items(), key=lambda item: item[1][0]):
        if pk in with_people:
            continue
        if not contact.strip():
            unreachable.append(name)
            continue
        # A contact address that is also a reminded person's (or another agency's contact) gets one reminder.
        recipients.setdefault(contact.strip().lower(), _Recipient(None, [])).agencies.append(pk)
    entries = dict(
        Innovation.objects.filter(cycle=cycle, agency_id__in=list(agencies)).values_list("agency_id", "pk")
    )
    people = contacts = already = 0
    notification_ids = []
    for address, recipient in sorted(recipients.items()):
        message = reminder_message(cycle, sorted(agencies[pk][0] for pk in recipient.agencies), today=today)
        single = recipient.agencies[0] if len(recipient.agencies) == 1 else None
        try:
            with transaction.atomic():
                # The claim: a second reminder to the address the same day breaks the unique constraint.
                delivery = ReminderDelivery.objects.create(
                    address=address,
                    sent_on=today,
                    cycle=cycle,
                    recipient_id=recipient.person,
                    message=message,
                )
                delivery.agencies.set(recipient.agencies)
                if recipient.person is None:
                    # The task may run in another process: it must find the committed row.
                    transaction.on_commit(partial(send_reminder_email.enqueue, delivery.pk))
                else:
                    notification_ids += _create_and_email(
                        [
                            Notification(
                                recipient_id=recipient.person,
                                # Link to the entry when the person has exactly one to finish; else the entry list.
                                innovation_id=entries.get(single),
                                message=message,
                            )
                        ]
                    )
        except IntegrityError:
            already += 1
            continue
        if recipient.person is None:
            contacts += 1
        else:
            people += 1
    return Reminded(
        agencies=len(agencies),
        people=people,
        contacts=contacts,
        already_reminded=already,
        unreachable=unreachable,
        notification_ids=notification_ids,
    )
