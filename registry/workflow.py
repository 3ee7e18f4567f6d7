"""The review workflow of an entry: the allowed moves are data, and each move is one function.

Every move updates the status only where it is still the expected one, and writes an
append-only ReviewEvent in the same transaction; the people concerned are notified after the
transaction commits. Nothing else writes `Innovation.status`.
"""

from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registry.models import Answer, Evidence, Innovation, ReviewEvent, entry_inputs_changed
from registry.notifications import notify_status_change

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
# The statuses in which a reviewer records verdicts.
UNDER_REVIEW = frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW})


class TransitionRefused(Exception):
    """The move is not allowed from the entry's status, or not for this person."""


class StaleStatus(Exception):
    """Somebody else changed the entry's status first; the page the person acted on is out of date."""


def can_transition(current: str, target: str, role: str) -> bool:
    return role in TRANSITIONS.get((current, target), frozenset())


def role_of(user) -> str:
    return REVIEWER if user.is_bappeda else INNOVATOR


def _move(innovation: Innovation, *, to: str, by, note: str = "", extra: dict | None = None, snapshot=None):
    current = innovation.status
    if not can_transition(current, to, role_of(by)):
        raise TransitionRefused(
            _("An entry that is %(current)s cannot become %(target)s.")
            % {"current": Status(current).label.lower(), "target": Status(to).label.lower()}
        )
    with transaction.atomic():
        # The status decides whether the entry counts in the index: its stored score is read again.
        changed = Innovation.objects.filter(pk=innovation.pk, status=current).update(
            status=to, updated_at=timezone.now(), inputs_version=F("inputs_version") + 1, **(extra or {})
        )
        if not changed:
            raise StaleStatus(
                _("Somebody else changed this entry a moment ago. The page shows its current state now.")
            )
        event = ReviewEvent.objects.create(
            innovation=innovation,
            actor=by,
            from_status=current,
            to_status=to,
            note=note,
            snapshot=snapshot or {},
        )
        transaction.on_commit(partial(notify_status_change, event.pk))
    innovation.status = to
    for field, value in (extra or {}).items():
        setattr(innovation, field, value)
    return event


def answers_snapshot(innovation: Innovation) -> dict:
    """Each row's chosen option and evidence items, to compare on resubmission."""
    snapshot: dict[str, dict] = {}
    rows = (
        Answer.objects.filter(innovation=innovation).select_related("indicator").prefetch_related("evidence")
    )
    for answer in rows:
        snapshot[answer.indicator.code] = {
            "level": answer.level,
            "group": answer.option_group,
            "evidence": sorted(
                [item.pk, item.original_name or item.url, item.document_number]
                for item in answer.evidence.all()
            ),
        }
    return snapshot


def changes_since(before: dict, after: dict) -> dict[str, dict]:
    """Rows whose option or evidence differ: {code: {"before": ..., "after": ...}}."""
    empty = {"level": None, "group": "", "evidence": []}
    return {
        code: {"before": before.get(code, empty), "after": after.get(code, empty)}
        for code in sorted(set(before) | set(after))
        if before.get(code, empty) != after.get(code, empty)
    }


def last_revision_request(innovation: Innovation) -> ReviewEvent | None:
    return (
        innovation.events.filter(to_status=Status.REVISION_REQUESTED).order_by("-created_at", "-pk").first()
    )


def submit(innovation: Innovation, *, by, note: str = "") -> ReviewEvent:
    """The innovator hands the entry to Bappeda (first time, or again after a revision request).

    On resubmission the verdicts of the rows that changed since the revision request are cleared,
    so the reviewer judges them again; verdicts on unchanged rows stay.
    """
    if innovation.status != Status.REVISION_REQUESTED:
        return _move(
            innovation, to=Status.SUBMITTED, by=by, note=note, extra={"submitted_at": timezone.now()}
        )
    with transaction.atomic():
        request = last_revision_request(innovation)
        current = answers_snapshot(innovation)
        changed = changes_since(request.snapshot if request else {}, current)
        event = _move(
            innovation,
            to=Status.RESUBMITTED,
            by=by,
            note=note,
            extra={"submitted_at": timezone.now()},
            snapshot=current,
        )
        Answer.objects.filter(innovation=innovation, indicator__code__in=list(changed)).update(
            verdict=Answer.Verdict.NONE, verified_level=0, verdict_note="", reviewed_by=None, reviewed_at=None
        )
    return event


def start_review(innovation: Innovation, *, by) -> ReviewEvent:
    return _move(innovation, to=Status.IN_REVIEW, by=by)


def request_revision(innovation: Innovation, *, by, note: str) -> ReviewEvent:
    if not note.strip():
        raise TransitionRefused(
            _("Say what the innovator should fix: a note is required to send an entry back.")
        )
    return _move(
        innovation, to=Status.REVISION_REQUESTED, by=by, note=note, snapshot=answers_snapshot(innovation)
    )


class UnjudgedRows(TransitionRefused):
    """Approval refused: filled rows have no verdict and the reviewer did not agree that they count 0."""

    def __init__(self, codes: list[str]):
        self.codes = codes
        super().__init__(
            ngettext(
                "No verdict yet on %(count)s filled row: %(codes)s. Give it a verdict, or tick the "
                "confirmation that it counts 0 in the verified score.",
                "No verdict yet on %(count)s filled rows: %(codes)s. Give them a verdict, or tick the "
                "confirmation that these rows count 0 in the verified score.",
                len(codes),
            )
            % {"count": len(codes), "codes": ", ".join(codes)}
        )


def unjudged_rows(innovation: Innovation) -> list[str]:
    """The codes of the entry's filled rows without a verdict, in the catalogue's order (see `Answer.unjudged`)."""
    return list(
        Answer.objects.filter(innovation=innovation)
        .unjudged()
        .order_by("indicator__position", "indicator__code")
        .values_list("indicator__code", flat=True)
    )


def approve(
    innovation: Innovation, *, by, note: str = "", count_unjudged_as_zero: bool = False
) -> ReviewEvent:
    """Approve the entry: every filled row has a verdict, or the reviewer agrees the rest count 0.

    A filled row without a verdict counts 0 in the verified score (D2), so approving one is a decision
    the reviewer makes explicitly. The approval's event records it: `snapshot` holds
    {"unjudged_rows": [codes], "unjudged_count_as_zero": bool}. Rows with an option but no evidence
    need no verdict: they score 0 whatever it is (D1).
    """
    if not can_transition(innovation.status, Status.APPROVED, role_of(by)):
        return _move(innovation, to=Status.APPROVED, by=by, note=note)  # refused with the usual message
    with transaction.atomic():
        unjudged = unjudged_rows(innovation)
        if unjudged and not count_unjudged_as_zero:
            raise UnjudgedRows(unjudged)
        return _move(
            innovation,
            to=Status.APPROVED,
            by=by,
            note=note,
            snapshot={"unjudged_rows": unjudged, "unjudged_count_as_zero": bool(unjudged)},
        )


def reject(innovation: Innovation, *, by, reason: str) -> ReviewEvent:
    if not reason.strip():
        raise TransitionRefused(_("A rejection needs a reason."))
    # The rejected entry gives up its place among the agency's entries (in the same update as the status), so
    # the agency may start another while submissions are open.
    return _move(innovation, to=Status.REJECTED, by=by, note=reason, extra={"slot": None})


# The reviewer's actions by name, for the review page's buttons: (function, target status).
ACTIONS = {
    "start_review": (start_review, Status.IN_REVIEW),
    "request_revision": (request_revision, Status.REVISION_REQUESTED),
    "approve": (approve, Status.APPROVED),
    "reject": (reject, Status.REJECTED),
}


def _ensure_reviewable(innovation: Innovation | None) -> None:
    # SPD rows (innovation None) belong to the region's profile, which has no workflow of its own.
    if innovation is not None and innovation.status not in UNDER_REVIEW:
        raise TransitionRefused(_("Verdicts are recorded only while an entry is under review."))


def _item_names(items) -> str:
    return ", ".join(item.original_name or item.url for item in items)


def record_evidence_verdict(evidence: Evidence, *, by, review: str, note: str = "") -> Evidence:
    """A reviewer's verdict on one evidence item: Sesuai, or Tidak Sesuai with a note for the innovator.

    A row verdict of Sesuai that no accepted item supports any more is cleared, so the verified
    score never rests on evidence the reviewer has since refused (the row scores 0 until judged again).
    """
    answer = evidence.answer
    innovation = answer.innovation
    _ensure_reviewable(innovation)
    if review not in (Evidence.Review.ACCEPTED, Evidence.Review.REJECTED):
        raise TransitionRefused(_("Choose Sesuai or Tidak Sesuai."))
    note = note.strip()
    if review == Evidence.Review.REJECTED and not note:
        raise TransitionRefused(_("Say why this evidence item does not fit: a note is required."))
    with transaction.atomic():
        if innovation is not None and innovation.status in (Status.SUBMITTED, Status.RESUBMITTED):
            start_review(innovation, by=by)
        entry_inputs_changed(answer.innovation_id)  # the row's verdict may be cleared below
        Evidence.objects.filter(pk=evidence.pk).update(
            review=review, review_note=note, reviewed_by=by, reviewed_at=timezone.now()
        )
        if review == Evidence.Review.REJECTED and (answer.level or 0) > 0:
            supported = answer.evidence.filter(review=Evidence.Review.ACCEPTED).exists()
            if not supported:
                Answer.objects.filter(pk=answer.pk, verdict=Answer.Verdict.SESUAI).update(
                    verdict=Answer.Verdict.NONE, verified_level=0, reviewed_by=None, reviewed_at=None
                )
    evidence.review, evidence.review_note = review, note
    return evidence


def set_evidence_public(evidence: Evidence, *, by, public: bool) -> None:
    """Show or hide an item in the public showcase; only accepted evidence may be shown."""
    if public and evidence.review != Evidence.Review.ACCEPTED:
        raise TransitionRefused(_("Only evidence judged Sesuai can be shown in the public showcase."))
    Evidence.objects.filter(pk=evidence.pk).update(is_public=public)
    evidence.is_public = public


def record_verdict(answer: Answer, *, by, verdict: str, level: int | None = None, note: str = "") -> Answer:
    """A reviewer's verdict on one row (METHOD.md section 4): Sesuai, or Tidak Sesuai with the supported level.

    The row's verdict rolls up its items' verdicts: every item must have been judged first, and
    Sesuai needs at least one item judged Sesuai.
    """
    innovation = answer.innovation
    _ensure_reviewable(innovation)
    items = list(answer.evidence.all())
    unchecked = [item for item in items if item.review == Evidence.Review.PENDING]
    if unchecked:
        raise TransitionRefused(
            _("Judge every evidence item of this row first; not checked yet: %(items)s.")
            % {"items": _item_names(unchecked)}
        )
    if verdict == Answer.Verdict.SESUAI:
        if (answer.level or 0) > 0 and not any(item.review == Evidence.Review.ACCEPTED for item in items):
            raise TransitionRefused(
                _("No evidence item of this row was judged Sesuai, so the row cannot be Sesuai.")
            )
        supported = answer.level or 0
    elif verdict == Answer.Verdict.TIDAK_SESUAI:
        if level is None or level < 0 or level > (answer.level or 0):
            raise TransitionRefused(
                _("Choose the level the evidence supports: from 0 to the chosen level %(level)s.")
                % {"level": answer.level or 0}
            )
        if not note.strip():
            raise TransitionRefused(_("Say why the evidence does not support the chosen level."))
        supported = level
    else:
        raise TransitionRefused(_("Choose Sesuai or Tidak Sesuai."))
    with transaction.atomic():
        if innovation is not None and innovation.status in (Status.SUBMITTED, Status.RESUBMITTED):
            start_review(innovation, by=by)
        entry_inputs_changed(answer.innovation_id)
        Answer.objects.filter(pk=answer.pk).update(
            verdict=verdict,
            verified_level=supported,
            verdict_note=note.strip(),
            reviewed_by=by,
            reviewed_at=timezone.now(),
        )
    answer.verdict, answer.verified_level, answer.verdict_note = verdict, supported, note.strip()
    return answer
