"""Synthetic entries for benchmarks and demos: deterministic for a given count.

Creates agencies where the count exceeds the real ones, and for each an innovation with an
answer to every SID row of the cycle's edition, evidence records (links, so no real files are
needed) and reviewer verdicts in varied workflow states.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from agencies.models import Agency, AgencyKind, User
from registry.models import Answer, Evidence, Innovation, SpdProfile

STATUS_WEIGHTS = {
    Innovation.Status.DRAFT: 15,
    Innovation.Status.SUBMITTED: 20,
    Innovation.Status.IN_REVIEW: 15,
    Innovation.Status.REVISION_REQUESTED: 10,
    Innovation.Status.RESUBMITTED: 5,
    Innovation.Status.APPROVED: 30,
    Innovation.Status.REJECTED: 5,
}
STAGE_WEIGHTS = {Innovation.Stage.PENERAPAN: 85, Innovation.Stage.UJI_COBA: 10, Innovation.Stage.INISIATIF: 5}
REVIEWED = {
    Innovation.Status.IN_REVIEW,
    Innovation.Status.REVISION_REQUESTED,
    Innovation.Status.RESUBMITTED,
    Innovation.Status.APPROVED,
    Innovation.Status.REJECTED,
}
URUSAN = [
    "Pendidikan",
    "Kesehatan",
    "Pekerjaan Umum dan Penataan Ruang",
    "Perumahan Rakyat dan Kawasan Permukiman",
    "Ketenteraman, Ketertiban Umum, dan Pelindungan Masyarakat",
    "Sosial",
    "Kependudukan dan Pencatatan Sipil",
    "Komunikasi dan Informatika",
    "Perhubungan",
    "Lingkungan Hidup",
]
BATCH = 2000


def _pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _answer(rng, indicator, options_by_indicator, *, complete: bool, reviewed: bool, approved: bool):
    """(answer fields, has evidence) for one row."""
    choices = options_by_indicator[indicator.pk]
    if complete:
        group, level = max(choices, key=lambda choice: choice[1])
    elif rng.random() < 0.1:
        return {"option_group": "", "level": None}, False
    else:
        group, level = rng.choice(choices)
    fields = {"option_group": group, "level": level}
    if reviewed:
        roll = rng.random()
        if approved or roll < 0.7:
            fields["verdict"] = Answer.Verdict.SESUAI
        elif roll < 0.9:
            fields["verdict"] = Answer.Verdict.TIDAK_SESUAI
            fields["verified_level"] = rng.randint(0, level)
    return fields, complete or rng.random() < 0.9


@transaction.atomic
def create_synthetic_entries(cycle, count: int, *, created_by, complete: bool = False) -> int:
    """Give `count` agencies of the cycle's region an innovation; return how many were created.

    With `complete`, every row is answered at its top level with evidence and every innovation
    is approved at the implementation stage (the benchmark's worst case).
    """
    rng = random.Random(count)
    region = cycle.region
    agencies = list(Agency.objects.filter(region=region, is_active=True).order_by("code"))
    missing = count - len(agencies)
    if missing > 0:
        start = Agency.objects.filter(region=region, code__startswith="SYN-").count()
        Agency.objects.bulk_create(
            Agency(
                region=region,
                code=f"SYN-{number:05d}",
                name=f"Instansi Sintetis {number:05d}",
                kind=AgencyKind.PERANGKAT_DAERAH,
            )
            for number in range(start + 1, start + missing + 1)
        )
        agencies = list(Agency.objects.filter(region=region, is_active=True).order_by("code"))
    # One synthetic entry per agency that has none yet, in place 1 (whatever the cycle's ceiling).
    taken = set(Innovation.objects.filter(cycle=cycle).values_list("agency_id", flat=True))
    agencies = [agency for agency in agencies if agency.pk not in taken][:count]

    indicators = list(cycle.edition.indicators.order_by("position").prefetch_related("options"))
    options_by_indicator = {
        indicator.pk: [(option.group, option.level) for option in indicator.options.all()]
        for indicator in indicators
    }
    sid_rows = [indicator for indicator in indicators if indicator.part == "SID"]

    # Submission times and reviewer assignments draw from their own generator, so that adding them
    # left the answers of a given count as they were.
    moments = random.Random(-count)
    window_opens = timezone.make_aware(datetime.datetime.combine(cycle.submission_opens, datetime.time(8)))
    window_minutes = max(1, (cycle.submission_closes - cycle.submission_opens).days) * 24 * 60
    reviewers = list(User.objects.reviewers_of(region).order_by("pk"))
    innovations = []
    for number, agency in enumerate(agencies, start=1):
        status = Innovation.Status.APPROVED if complete else _pick(rng, STATUS_WEIGHTS)
        stage = Innovation.Stage.PENERAPAN if complete else _pick(rng, STAGE_WEIGHTS)
        submitted_at = window_opens + datetime.timedelta(minutes=moments.randrange(window_minutes))
        innovations.append(
            Innovation(
                cycle=cycle,
                agency=agency,
                name=f"Inovasi {agency.name} {number}",
                stage=stage,
                status=status,
                slot=None if status == Innovation.Status.REJECTED else 1,
                urusan=rng.choice(URUSAN),
                created_by=created_by,
                submitted_at=None if status == Innovation.Status.DRAFT else submitted_at,
                assigned_reviewer=moments.choice(reviewers) if reviewers and status in REVIEWED else None,
            )
        )
    Innovation.objects.bulk_create(innovations, batch_size=BATCH)

    answers, evidence_for = [], []
    for innovation in innovations:
        reviewed = innovation.status in REVIEWED
        for indicator in sid_rows:
            fields, has_evidence = _answer(
                rng,
                indicator,
                options_by_indicator,
                complete=complete,
                reviewed=reviewed,
                approved=innovation.status == Innovation.Status.APPROVED,
            )
            answers.append(Answer(innovation=innovation, indicator=indicator, **fields))
            evidence_for.append(has_evidence)
    Answer.objects.bulk_create(answers, batch_size=BATCH)
    Evidence.objects.bulk_create(
        (
            Evidence(
                answer=answer,
                kind=Evidence.Kind.LINK,
                url=f"https://inovasi.example.go.id/bukti/{answer.innovation_id}/{answer.indicator_id}",
                document_number=f"{answer.innovation_id}/{answer.indicator_id}/2024",
                subject="Bukti sintetis",
                created_by=created_by,
            )
            for answer, has_evidence in zip(answers, evidence_for, strict=True)
            if has_evidence and answer.level is not None
        ),
        batch_size=BATCH,
    )

    # What the entry-by-entry writes keep (registry.entries.row_written), for the whole batch at once.
    Innovation.objects.filter(
        cycle=cycle, pk__in=[item.pk for item in innovations]
    ).refresh_mandatory_complete()
    profile, created = SpdProfile.objects.get_or_create(cycle=cycle)
    if created:
        spd_answers = []
        for indicator in (indicator for indicator in indicators if indicator.part == "SPD"):
            fields, _evidence = _answer(
                rng, indicator, options_by_indicator, complete=complete, reviewed=True, approved=complete
            )
            spd_answers.append(Answer(spd_profile=profile, indicator=indicator, **fields))
        Answer.objects.bulk_create(spd_answers)
        Evidence.objects.bulk_create(
            Evidence(
                answer=answer,
                kind=Evidence.Kind.LINK,
                url=f"https://inovasi.example.go.id/spd/{answer.indicator_id}",
                subject="Bukti SPD sintetis",
                created_by=created_by,
            )
            for answer in spd_answers
            if answer.level is not None
        )
    return len(innovations)
