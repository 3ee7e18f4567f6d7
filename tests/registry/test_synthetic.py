import pytest

from agencies.models import Agency
from registry.models import Answer, Evidence, Innovation, SpdProfile
from registry.synthetic import create_synthetic_entries
from scoring.catalogue import bundled_catalogue_path
from scoring.editions import load_edition_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def cycle(cycle_2024):
    cycle_2024.edition, _created = load_edition_file(bundled_catalogue_path(2024))
    cycle_2024.save()
    return cycle_2024


def snapshot(cycle):
    return sorted(
        Answer.objects.filter(innovation__cycle=cycle).values_list(
            "innovation__agency__code",
            "innovation__status",
            "innovation__stage",
            "indicator__code",
            "level",
            "verdict",
            "verified_level",
        )
    )


def wipe(cycle):
    Evidence.objects.all().delete()
    Answer.objects.all().delete()
    SpdProfile.objects.all().delete()
    Innovation.objects.all().delete()
    Agency.objects.filter(code__startswith="SYN-").delete()


def test_synthetic_entries_are_deterministic_and_create_missing_agencies(
    cycle, agency_a, agency_b, admin_user
):
    assert create_synthetic_entries(cycle, 6, created_by=admin_user) == 6
    assert Agency.objects.filter(code__startswith="SYN-").count() == 4
    assert Answer.objects.filter(innovation__isnull=False).count() == 6 * 20
    assert Answer.objects.filter(spd_profile__isnull=False).count() == 20
    first = snapshot(cycle)
    assert len({row[1] for row in first}) > 1  # varied workflow states
    wipe(cycle)
    create_synthetic_entries(cycle, 6, created_by=admin_user)
    assert snapshot(cycle) == first


def test_synthetic_complete_entries_are_all_top_level_with_evidence(cycle, agency_a, admin_user):
    create_synthetic_entries(cycle, 3, created_by=admin_user, complete=True)
    answers = Answer.objects.filter(innovation__isnull=False)
    assert answers.count() == 60
    assert set(answers.values_list("level", flat=True)) == {3}
    assert Evidence.objects.filter(answer__innovation__isnull=False).count() == 60
    assert set(Innovation.objects.values_list("status", "stage")) == {("approved", "penerapan")}


def test_seed_demo_entries_adds_to_the_demo(db):
    from django.core.management import call_command

    call_command("seed_demo", "--entries", "80")
    assert Innovation.objects.count() == 80
    assert Agency.objects.filter(code__startswith="SYN-").count() == 6


def test_synthetic_entries_are_submitted_in_the_window_and_reviewed_ones_assigned(
    cycle, agency_a, agency_b, admin_user, reviewer
):
    create_synthetic_entries(cycle, 40, created_by=admin_user)
    entries = Innovation.objects.filter(cycle=cycle)
    assert not entries.filter(status="draft", submitted_at__isnull=False).exists()
    sent = entries.exclude(status="draft")
    assert sent.count() > 20 and not sent.filter(submitted_at__isnull=True).exists()
    days = {moment.date() for moment in sent.values_list("submitted_at", flat=True)}
    assert min(days) >= cycle.submission_opens and max(days) <= cycle.submission_closes and len(days) > 5
    reviewed = entries.filter(
        status__in=["in_review", "approved", "rejected", "revision_requested", "resubmitted"]
    )
    assert reviewed.exists() and not reviewed.filter(assigned_reviewer__isnull=True).exists()
    assert set(reviewed.values_list("assigned_reviewer", flat=True)) <= {reviewer.pk, admin_user.pk}
    assert not entries.filter(status="submitted", assigned_reviewer__isnull=False).exists()
