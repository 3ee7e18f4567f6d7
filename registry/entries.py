"""Rules of an agency's yearly entry: starting it once, saving drafts safely, and what submitting needs."""

import datetime
import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from registry.models import Answer, CycleClosed, Evidence, Innovation
from registry.workflow import EDITABLE_BY_INNOVATOR

URUSAN_FILE = Path(__file__).resolve().parent / "data" / "urusan.yaml"
DESIGN_MIN_WORDS = 300
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


class DuplicateEntry(Exception):
    """The agency already has its one innovation for the cycle."""

    def __init__(self, existing: Innovation):
        self.existing = existing
        super().__init__(
            _("%(agency)s already has its innovation for %(year)s: %(name)s.")
            % {"agency": existing.agency.name, "year": existing.cycle.year, "name": existing.name}
        )


def start_entry(
    *, agency, cycle, by, name: str, stage: str = Innovation.Stage.PENERAPAN, **extra
) -> Innovation:
    """Create the agency's innovation for the cycle, or raise DuplicateEntry pointing at the existing one.

    The database's unique constraint decides between simultaneous requests (a double click, two
    tabs): exactly one row is created, the others are told which entry already exists.
    """
    cycle.ensure_submission_open()
    existing = Innovation.objects.filter(agency=agency, cycle=cycle).select_related("agency", "cycle").first()
    if existing:
        raise DuplicateEntry(existing)
    try:
        with transaction.atomic():
            return Innovation.objects.create(
                agency=agency, cycle=cycle, name=name, stage=stage, created_by=by, **extra
            )
    except IntegrityError:
        existing = (
            Innovation.objects.filter(agency=agency, cycle=cycle).select_related("agency", "cycle").first()
        )
        if existing is None:
            raise
        raise DuplicateEntry(existing) from None


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
    return bool(changed)


def save_answer(answer: Answer, *, group: str, level: int | None, expected_version: int) -> bool:
    """Write the chosen option unless another tab changed it since `expected_version`."""
    changed = Answer.objects.filter(pk=answer.pk, version=expected_version).update(
        option_group=group, level=level, version=F("version") + 1, updated_at=timezone.now()
    )
    if changed:
        answer.option_group, answer.level, answer.version = group, level, expected_version + 1
    return bool(changed)


def answers_for(owner, indicators) -> dict[int, Answer]:
    """The owner's answer for every indicator, creating the missing ones (an innovation or an SPD profile)."""
    owner_field = "innovation" if isinstance(owner, Innovation) else "spd_profile"
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
    words = word_count(innovation.design)
    if words < DESIGN_MIN_WORDS:
        problems.append(
            _("Profile: the design (rancang bangun) has %(words)s words; at least %(minimum)s are needed.")
            % {"words": words, "minimum": DESIGN_MIN_WORDS}
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


def previous_entry(agency, cycle) -> Innovation | None:
    """The agency's innovation of the latest earlier year, which this year's entry may start from."""
    return (
        Innovation.objects.filter(agency=agency, cycle__year__lt=cycle.year)
        .select_related("cycle")
        .order_by("-cycle__year")
        .first()
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
def remove_evidence(item: Evidence) -> None:
    # Its file goes once the deletion commits: the post_delete hook of RegistryConfig discards it.
    item.delete()


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
