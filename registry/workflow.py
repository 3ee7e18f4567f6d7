"""The review workflow of an entry: the allowed moves are data, and each move is one function.

Every move updates the status only where it is still the expected one, and writes an
append-only ReviewEvent in the same transaction. Nothing else writes `Innovation.status`.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Innovation, ReviewEvent

Status = Innovation.Status
INNOVATOR, REVIEWER = "innovator", "reviewer"

# (from, to) -> who may make the move.
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (Status.DRAFT, Status.SUBMITTED): frozenset({INNOVATOR}),
    (Status.SUBMITTED, Status.IN_REVIEW): frozenset({REVIEWER}),
    (Status.IN_REVIEW, Status.REVISION_REQUESTED): frozenset({REVIEWER}),
    (Status.REVISION_REQUESTED, Status.RESUBMITTED): frozenset({INNOVATOR}),
    (Status.RESUBMITTED, Status.IN_REVIEW): frozenset({REVIEWER}),
    (Status.IN_REVIEW, Status.APPROVED): frozenset({REVIEWER}),
    (Status.IN_REVIEW, Status.REJECTED): frozenset({REVIEWER}),
}
# The statuses in which the innovator may still change the entry.
EDITABLE_BY_INNOVATOR = frozenset({Status.DRAFT, Status.REVISION_REQUESTED})


class TransitionRefused(Exception):
    """The move is not allowed from the entry's status, or not for this person."""


class StaleStatus(Exception):
    """Somebody else changed the entry's status first; the page the person acted on is out of date."""


def can_transition(current: str, target: str, role: str) -> bool:
    return role in TRANSITIONS.get((current, target), frozenset())


def role_of(user) -> str:
    return REVIEWER if user.is_bappeda else INNOVATOR


def _move(innovation: Innovation, *, to: str, by, note: str = "", extra: dict | None = None) -> ReviewEvent:
    current = innovation.status
    if not can_transition(current, to, role_of(by)):
        raise TransitionRefused(
            _("An entry that is %(current)s cannot become %(target)s.")
            % {"current": Status(current).label.lower(), "target": Status(to).label.lower()}
        )
    with transaction.atomic():
        changed = Innovation.objects.filter(pk=innovation.pk, status=current).update(
            status=to, updated_at=timezone.now(), **(extra or {})
        )
        if not changed:
            raise StaleStatus(
                _("Somebody else changed this entry a moment ago. The page shows its current state now.")
            )
        event = ReviewEvent.objects.create(
            innovation=innovation, actor=by, from_status=current, to_status=to, note=note
        )
    innovation.status = to
    for field, value in (extra or {}).items():
        setattr(innovation, field, value)
    return event


def submit(innovation: Innovation, *, by, note: str = "") -> ReviewEvent:
    """The innovator hands the entry to Bappeda (first time, or again after a revision request)."""
    target = Status.RESUBMITTED if innovation.status == Status.REVISION_REQUESTED else Status.SUBMITTED
    return _move(innovation, to=target, by=by, note=note, extra={"submitted_at": timezone.now()})
