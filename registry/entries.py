"""Rules of an agency's yearly entries: starting one within the cycle's ceiling, saving drafts safely, and what submitting needs."""

import datetime
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.models import Agency
from registry.models import Answer, Cycle, CycleClosed, Evidence, Innovation, entry_inputs_changed
from registry.workflow import EDITABLE_BY_INNOVATOR

URUSAN_FILE = Path(__file__).resolve().parent / "data" / "urusan.yaml"
# The catalogue's profile field of the design (Innovation.design), whose rule states its word minimum.
DESIGN_FIELD = "rancang_bangun"
# Profile fields that a draft save writes (files are uploaded separately).
PROFILE_FIELDS = (
    "name",
    "stage",
    "initiator",
    "initiator_name",
    "digital_kind",
    "form_kind",
    "thematic",
    "urusan",
    "related_urusan",
    "trial_date",
    "implementation_date",
    "has_development",
    "development_note",
    "design",
    "goals",
    "benefits",
    "results",
)
REQUIRED_FOR_SUBMISSION = (
    "name",
    "initiator",
    "digital_kind",
    "form_kind",
    "thematic",
    "urusan",
    "goals",
    "benefits",
    "results",
)


@functools.cache
def _urusan_groups() -> dict[str, list[str]]:
    # Read once per process: the list changes only with a release, and list pages ask for it.
    return yaml.safe_load(URUSAN_FILE.read_text(encoding="utf-8"))


def urusan_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    groups = _urusan_groups()
    labels = {
        "wajib_pelayanan_dasar": _("Mandatory, basic services"),
        "wajib_non_pelayanan_dasar": _("Mandatory, not basic services"),
        "pilihan": _("Optional affairs"),
        "fungsi_penunjang": _("Supporting functions"),
    }
    return [(labels.get(group, group), [(name, name) for name in names]) for group, names in groups.items()]


class EntryLimitReached(Exception):
    """The agency already holds as many entries for the cycle as the cycle allows (rejected ones aside)."""

    def __init__(self, agency, cycle, entries: list[Innovation]):
        self.agency, self.cycle, self.entries = agency, cycle, entries
        super().__init__(self.describe())

    def describe(self) -> str:
        count = len(self.entries)
        return ngettext(
            "%(agency)s already has %(count)s innovation for %(year)s, the limit of this cycle.",
            "%(agency)s already has %(count)s innovations for %(year)s, the limit of this cycle.",
            count,
        ) % {"agency": self.agency.name, "count": count, "year": self.cycle.year}


class DuplicateEntry(EntryLimitReached):
    """One innovation per agency (the cycle's ceiling is 1) and the agency already has it: `existing`."""

    def __init__(self, existing: Innovation):
        self.existing = existing
        super().__init__(existing.agency, existing.cycle, [existing])

    def describe(self) -> str:
        existing = self.existing
        return _("%(agency)s already has its innovation for %(year)s: %(name)s.") % {
            "agency": existing.agency.name,
            "year": existing.cycle.year,
            "name": existing.name,
        }


@dataclass
class AgencyEntries:
    """An agency's entries for a cycle, and whether it may start another (what its innovators' pages show)."""

    agency: Agency
    cycle: Cycle | None
    entries: list[Innovation]

    @property
    def places_taken(self) -> int:
        return sum(1 for entry in self.entries if entry.slot is not None)

    @property
    def has_room(self) -> bool:
        """Under the cycle's ceiling: rejected entries hold no place."""
        return self.places_taken < self.cycle.entries_per_agency

    @property
    def rejected(self) -> list[Innovation]:
        return [entry for entry in self.entries if entry.status == Innovation.Status.REJECTED]


def entries_by_agency(agencies, cycle) -> list[AgencyEntries]:
    """Each agency with its entries for the cycle, oldest first, in one query for all."""
    agencies = list(agencies)
    grouped: dict[int, list[Innovation]] = {agency.pk: [] for agency in agencies}
    for entry in Innovation.objects.filter(cycle=cycle, agency__in=agencies).order_by("created_at", "pk"):
        grouped[entry.agency_id].append(entry)
    return [AgencyEntries(agency, cycle, grouped[agency.pk]) for agency in agencies]


def with_room(agencies, cycle):
    """The agencies that may still start an entry for the cycle: fewer places taken than its ceiling."""
    return agencies.annotate(
        places_taken=Count("innovations", filter=Q(innovations__cycle=cycle, innovations__slot__isnull=False))
    ).filter(places_taken__lt=cycle.entries_per_agency)


# Attempts at taking a place before giving up: a unique violation means another request took the same place.
START_ATTEMPTS = 3


def start_entry(
    *, agency, cycle, by, name: str, stage: str = Innovation.Stage.PENERAPAN, **extra
) -> Innovation:
    """Create an innovation of the agency for the cycle in the lowest free place, or raise EntryLimitReached.

    The cycle's `entries_per_agency` is the ceiling; rejected entries hold no place. With a ceiling of 1 the
    refusal is a DuplicateEntry pointing at the existing entry. Simultaneous requests (a double click, two
    tabs, two colleagues) queue on a lock of the agency's row, and the database's unique constraint on
    (agency, cycle, slot) decides if anything slips past it: exactly `ceiling` entries are created.
    """
    cycle.ensure_submission_open()
    for _attempt in range(START_ATTEMPTS):
        try:
            with transaction.atomic():
                return _take_place(agency, cycle, by=by, name=name, stage=stage, **extra)
        except IntegrityError as error:
            clash = error
    _refuse_when_full(agency, cycle, _ceiling_of(cycle))
    raise clash


def _ceiling_of(cycle) -> int:
    # Read again: an administrator may have changed it since the cycle was loaded.
    return Cycle.objects.values_list("entries_per_agency", flat=True).get(pk=cycle.pk)


def _take_place(agency, cycle, *, by, **fields) -> Innovation:
    # PostgreSQL: requests for the same agency wait here for each other, and each counts what the previous one
    # committed. SQLite lets one writer at a time anyway.
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    ceiling = _ceiling_of(cycle)
    taken = _refuse_when_full(agency, cycle, ceiling)
    slot = next(number for number in range(1, ceiling + 1) if number not in taken)
    return Innovation.objects.create(agency=agency, cycle=cycle, slot=slot, created_by=by, **fields)


def _refuse_when_full(agency, cycle, ceiling: int) -> set[int]:
    """The places the agency's entries hold in the cycle; raises EntryLimitReached when none is free."""
    holding = list(
        Innovation.objects.filter(agency=agency, cycle=cycle, slot__isnull=False)
        .select_related("agency", "cycle")
        .order_by("slot")
    )
    if len(holding) >= ceiling:
        if ceiling == 1 and len(holding) == 1:
            raise DuplicateEntry(holding[0])
        raise EntryLimitReached(agency, cycle, holding)
    return {entry.slot for entry in holding}


def can_edit(user, innovation: Innovation, today: datetime.date | None = None) -> tuple[bool, str]:
    """Whether this person may change the entry now, and if not, why (for the page to say)."""
    if not user.is_innovator or not user.agencies.filter(pk=innovation.agency_id).exists():
        return False, _("Only the agency's innovators change its entry.")
    if innovation.status not in EDITABLE_BY_INNOVATOR:
        return False, _("The entry is %(status)s and read-only until a reviewer sends it back.") % {
            "status": Innovation.Status(innovation.status).label.lower()
        }
    try:
        innovation.cycle.ensure_submission_open(today)
    except CycleClosed as closed:
        return False, str(closed)
    return True, ""


def save_profile(innovation: Innovation, values: dict, *, expected_version: int) -> bool:
    """Write a draft's profile fields unless the entry changed since `expected_version` (another tab)."""
    values = {key: value for key, value in values.items() if key in PROFILE_FIELDS}
    changed = Innovation.objects.filter(
        pk=innovation.pk, version=expected_version, status__in=EDITABLE_BY_INNOVATOR
    ).update(**values, version=F("version") + 1, updated_at=timezone.now())
    if changed:
        for key, value in values.items():
            setattr(innovation, key, value)
        innovation.version = expected_version + 1
        return True
    # Saved already: the same content sent twice (an autosave and the Save button racing, a resubmitted form) is
    # no conflict, whatever version it carries; the page gets the stored version for its next save.
    stored = (
        Innovation.objects.filter(pk=innovation.pk, status__in=EDITABLE_BY_INNOVATOR)
        .values("version", *values)
        .first()
    )
    if stored is None or any(stored[key] != value for key, value in values.items()):
        return False
    for key, value in values.items():
        setattr(innovation, key, value)
    innovation.version = stored["version"]
    return True


def _row_is_mandatory(answer: Answer) -> bool:
    if Answer.indicator.is_cached(answer):
        return answer.indicator.mandatory
    return Answer.objects.filter(pk=answer.pk, indicator__mandatory=True).exists()


def row_written(answer: Answer) -> None:
    """After a write to an entry's row (its option, its evidence), in the same transaction: the entry's
    `mandatory_complete` follows when the row is mandatory. `entry_inputs_changed` came before the write."""
    if answer.innovation_id is not None and _row_is_mandatory(answer):
        Innovation.objects.filter(pk=answer.innovation_id).refresh_mandatory_complete()


@transaction.atomic
def save_answer(answer: Answer, *, group: str, level: int | None, expected_version: int) -> bool:
    """Write the chosen option unless another tab changed it since `expected_version`.

    A verdict judged the option it was given on: once the option changes (during a revision) the verdict and
    its supported level are cleared, so the reviewer judges the new claim (and a supported level can never
    stand above a lowered or cleared option).
    """
    entry_inputs_changed(answer.innovation_id)
    unchanged = Q(option_group=group) & (Q(level__isnull=True) if level is None else Q(level=level))
    changed = Answer.objects.filter(pk=answer.pk, version=expected_version).update(
        option_group=group,
        level=level,
        verdict=Case(When(unchanged, then=F("verdict")), default=Value("")),
        verified_level=Case(When(unchanged, then=F("verified_level")), default=Value(0)),
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    if changed:
        row_written(answer)
        answer.option_group, answer.level, answer.version = group, level, expected_version + 1
        return True
    # The same choice sent twice is no conflict (see save_profile): the stored version comes back.
    stored = Answer.objects.filter(pk=answer.pk).values("option_group", "level", "version").first()
    if stored is None or (stored["option_group"], stored["level"]) != (group, level):
        return False
    answer.option_group, answer.level, answer.version = group, level, stored["version"]
    return True


def _owner_field(owner) -> str:
    return "innovation" if isinstance(owner, Innovation) else "spd_profile"


def answers_for(owner, indicators) -> dict[int, Answer]:
    """The owner's answer for every indicator, creating the missing ones (an innovation or an SPD profile)."""
    owner_field = _owner_field(owner)
    existing = {answer.indicator_id: answer for answer in Answer.objects.filter(**{owner_field: owner})}
    missing = [
        Answer(indicator=indicator, **{owner_field: owner})
        for indicator in indicators
        if indicator.pk not in existing
    ]
    if missing:
        Answer.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {answer.indicator_id: answer for answer in Answer.objects.filter(**{owner_field: owner})}
    return existing


def answers_overview(owner) -> tuple[dict[int, Answer], int]:
    """The owner's answers by indicator, with their evidence counts, and how many of its rows are complete.

    Complete is `AnswerQuerySet.filled`'s rule (an option chosen and at least one evidence item), read from
    the same rows (`with_evidence_counts`): the overview of an entry or the SPD profile costs one query.
    """
    answers = {
        answer.indicator_id: answer
        for answer in Answer.objects.filter(**{_owner_field(owner): owner}).with_evidence_counts()
    }
    return answers, sum(1 for answer in answers.values() if answer.is_filled)


def design_min_words(edition) -> int:
    """The least words the design (rancang bangun) needs, as the parsed catalogue edition states it; 0 when
    the edition states no minimum."""
    design = edition.profile_field(DESIGN_FIELD)
    return (design.min_words or 0) if design else 0


@dataclass
class Readiness:
    """What stands between an entry and its submission."""

    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.problems


def word_count(text: str) -> int:
    return len(text.split())


def submission_readiness(innovation: Innovation, today: datetime.date | None = None) -> Readiness:
    today = today or timezone.localdate()
    readiness = Readiness()
    problems = readiness.problems
    try:
        innovation.cycle.ensure_submission_open(today)
    except CycleClosed as closed:
        problems.append(str(closed))
    for name in REQUIRED_FOR_SUBMISSION:
        if not getattr(innovation, name):
            label = Innovation._meta.get_field(name).verbose_name
            problems.append(_("Profile: %(field)s is not filled in yet.") % {"field": label})
    words, minimum = word_count(innovation.design), design_min_words(innovation.cycle.edition.parsed())
    if words < minimum:
        problems.append(
            _("Profile: the design (rancang bangun) has %(words)s words; at least %(minimum)s are needed.")
            % {"words": words, "minimum": minimum}
        )
    problems.extend(_eligibility_problems(innovation, today, readiness.warnings))
    missing = (
        Answer.objects.filter(innovation=innovation, indicator__mandatory=True)
        .annotate(items=Count("evidence"))
        .select_related("indicator")
    )
    answered = {answer.indicator_id: answer for answer in missing}
    for indicator in innovation.cycle.edition.indicators.filter(part="SID", mandatory=True).order_by(
        "position"
    ):
        answer = answered.get(indicator.pk)
        if answer is None or answer.level is None:
            problems.append(
                _("Mandatory indicator %(code)s %(name)s: no option chosen.")
                % {"code": indicator.code, "name": indicator.name}
            )
        elif not answer.items:
            problems.append(
                _("Mandatory indicator %(code)s %(name)s: no evidence (file or link) yet.")
                % {"code": indicator.code, "name": indicator.name}
            )
    return readiness


def _eligibility_problems(innovation: Innovation, today: datetime.date, warnings: list[str]) -> list[str]:
    """METHOD.md section 5: implemented within the two years before the measurement year, or developed since."""
    year = innovation.cycle.year
    problems = []
    if innovation.stage != Innovation.Stage.PENERAPAN:
        warnings.append(
            _(
                "At the %(stage)s stage the innovation is registered but does not count in the index; only the implementation stage counts."
            )
            % {"stage": Innovation.Stage(innovation.stage).label.lower()}
        )
        return problems
    implemented = innovation.implementation_date
    if implemented is None:
        problems.append(_("Profile: the implementation date is not filled in yet."))
        return problems
    if implemented > today:
        problems.append(
            _("Profile: the implementation date %(date)s is in the future.") % {"date": implemented}
        )
    earliest, latest = datetime.date(year - 2, 1, 1), datetime.date(year - 1, 12, 31)
    if implemented < earliest and not (innovation.has_development and innovation.development_note.strip()):
        problems.append(
            _(
                "Eligibility: implemented on %(date)s, more than two years before %(year)s. Describe how it has developed since, or enter a newer innovation."
            )
            % {"date": implemented, "year": year}
        )
    elif implemented > latest:
        warnings.append(
            _(
                "Implemented on %(date)s, in the measurement year itself: the national verifier may count it only next year."
            )
            % {"date": implemented}
        )
    if innovation.trial_date and innovation.trial_date > implemented:
        problems.append(_("Profile: the trial date comes after the implementation date."))
    return problems


# Profile fields a replication borrows from its source: what the innovation is, not when or where it ran.
REPLICATED_FIELDS = (
    "digital_kind",
    "form_kind",
    "thematic",
    "urusan",
    "related_urusan",
    "design",
    "goals",
    "benefits",
)
CARRIED_FIELDS = tuple(name for name in PROFILE_FIELDS if name not in ("name", "stage"))


def previous_entries(agency, cycle) -> list[Innovation]:
    """The agency's innovations of the latest earlier year with any, which this year's entries may start from.

    One already carried over into `cycle` is left out: it continues there.
    """
    earlier = Innovation.objects.filter(agency=agency, cycle__year__lt=cycle.year)
    latest = earlier.order_by("-cycle__year").values_list("cycle__year", flat=True).first()
    if latest is None:
        return []
    return list(
        earlier.filter(cycle__year=latest)
        .exclude(carried_over_to__cycle=cycle)
        .select_related("cycle")
        .order_by("name", "pk")
    )


def carry_over(previous: Innovation, *, cycle, by) -> Innovation:
    """Start this year's entry from an earlier one: profile and still-valid evidence, each marked for re-checking.

    Evidence is still valid when its document is dated within the two years before the new
    measurement year (or carries no date); rows are matched by indicator code, so an edition
    that renamed or dropped an indicator simply leaves that row empty.
    """
    entry = start_entry(
        agency=previous.agency,
        cycle=cycle,
        by=by,
        name=previous.name,
        stage=previous.stage,
        carried_over_from=previous,
        **{name: getattr(previous, name) for name in CARRIED_FIELDS},
    )
    valid_from = datetime.date(cycle.year - 2, 1, 1)
    indicators = {indicator.code: indicator for indicator in cycle.edition.indicators.filter(part="SID")}
    old_answers = (
        Answer.objects.filter(innovation=previous).select_related("indicator").prefetch_related("evidence")
    )
    for old in old_answers:
        indicator = indicators.get(old.indicator.code)
        if indicator is None:
            continue
        new = Answer.objects.create(
            innovation=entry, indicator=indicator, option_group=old.option_group, level=old.level
        )
        for item in old.evidence.all():
            if item.document_date and item.document_date < valid_from:
                continue
            copy_evidence(item, answer=new, by=by)
    with transaction.atomic():
        entry_inputs_changed(entry.pk)
        Innovation.objects.filter(pk=entry.pk).refresh_mandatory_complete()
    return entry


def copy_evidence(item: Evidence, *, answer: Answer, by) -> Evidence:
    copied = Evidence(
        answer=answer,
        kind=item.kind,
        url=item.url,
        original_name=item.original_name,
        content_type=item.content_type,
        size=item.size,
        document_number=item.document_number,
        document_date=item.document_date,
        subject=item.subject,
        needs_recheck=True,
        created_by=by,
    )
    if item.kind == Evidence.Kind.FILE and item.file:
        # Each entry owns its files, so removing one year's evidence never breaks another year's.
        with item.file.open("rb") as source:
            copied.file.save(item.original_name or Path(item.file.name).name, source, save=False)
    copied.save()
    return copied


def discard_file(stored) -> None:
    """Remove a stored file once the change that dropped it commits: a change rolled back keeps its file.

    Robust: storage that fails to delete (object storage unreachable) leaves an orphan and a logged error, not a
    failed request after the database already changed.
    """
    if stored:
        transaction.on_commit(functools.partial(stored.storage.delete, stored.name), robust=True)


@transaction.atomic
def add_evidence(answer: Answer, *, by, **fields) -> Evidence:
    """A new evidence item of a row (a stored file or a link), with what the row's entry keeps of it."""
    entry_inputs_changed(answer.innovation_id)
    item = Evidence.objects.create(answer=answer, created_by=by, **fields)
    row_written(answer)
    return item


@transaction.atomic
def remove_evidence(item: Evidence) -> None:
    # Its file goes once the deletion commits: the post_delete hook of RegistryConfig discards it.
    answer = item.answer
    entry_inputs_changed(answer.innovation_id)
    item.delete()
    row_written(answer)


@transaction.atomic
def set_attachment(entry: Innovation, field_name: str, upload, *, name: str = "") -> None:
    """Store a profile PDF under `name`, or remove it when `upload` is None; a replaced file goes on commit."""
    discard_file(getattr(entry, field_name))
    if upload is None:
        setattr(entry, field_name, "")
    else:
        getattr(entry, field_name).save(name, upload, save=False)
    Innovation.objects.filter(pk=entry.pk).update(**{field_name: getattr(entry, field_name).name})


def replicate(source: Innovation, *, agency, cycle, by) -> Innovation:
    """Start an agency's entry as a replication of another agency's approved innovation."""
    return start_entry(
        agency=agency,
        cycle=cycle,
        by=by,
        name=source.name,
        replicated_from=source,
        **{name: getattr(source, name) for name in REPLICATED_FIELDS},
    )
