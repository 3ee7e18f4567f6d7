import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from registry.models import Cycle, CycleClosed
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("today", "submission_open", "review_open"),
    [
        (datetime.date(2024, 6, 12), False, False),
        (datetime.date(2024, 6, 13), True, True),
        (datetime.date(2024, 8, 22), True, True),
        (datetime.date(2024, 8, 23), False, True),
        (datetime.date(2024, 9, 30), False, True),
        (datetime.date(2024, 10, 1), False, False),
    ],
)
def test_cycle_windows_include_both_ends(cycle_2024, today, submission_open, review_open):
    assert cycle_2024.submission_is_open(today) is submission_open
    assert cycle_2024.review_is_open(today) is review_open


def test_cycle_refuses_submission_outside_its_window_with_a_clear_message(cycle_2024):
    with translation.override("id"):
        with pytest.raises(CycleClosed) as early:
            cycle_2024.ensure_submission_open(datetime.date(2024, 6, 1))
        with pytest.raises(CycleClosed) as late:
            cycle_2024.ensure_submission_open(datetime.date(2024, 9, 1))
        with pytest.raises(CycleClosed) as review_late:
            cycle_2024.ensure_review_open(datetime.date(2024, 10, 1))
    assert str(early.value) == "Pengisian inovasi tahun 2024 dibuka pada 13 Juni 2024."
    assert str(late.value) == "Pengisian inovasi tahun 2024 ditutup pada 22 Agustus 2024."
    assert str(review_late.value) == "Verifikasi tahun 2024 ditutup pada 30 September 2024."
    cycle_2024.ensure_submission_open(datetime.date(2024, 7, 1))


def test_cycle_database_rejects_windows_out_of_order(region, edition_2024):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            region=region,
            year=2025,
            edition=edition_2024,
            submission_opens=datetime.date(2025, 8, 1),
            submission_closes=datetime.date(2025, 6, 1),
            review_opens=datetime.date(2025, 8, 1),
            review_closes=datetime.date(2025, 9, 1),
        )


def test_cycle_one_per_region_and_year(cycle_2024):
    with pytest.raises(IntegrityError), transaction.atomic():
        Cycle.objects.create(
            region=cycle_2024.region,
            year=2024,
            edition=cycle_2024.edition,
            submission_opens=cycle_2024.submission_opens,
            submission_closes=cycle_2024.submission_closes,
            review_opens=cycle_2024.review_opens,
            review_closes=cycle_2024.review_closes,
        )


def test_cycle_form_reports_problems_and_keeps_input(admin_user, cycle_2024):
    response = client_for(admin_user).post(
        reverse("cycle_create"),
        {
            "year": 2024,
            "edition": cycle_2024.edition.pk,
            "submission_opens": "2024-08-01",
            "submission_closes": "2024-07-01",
            "review_opens": "2024-05-01",
            "review_closes": "2024-06-01",
        },
    )
    form = response.context["form"]
    assert set(form.errors) == {"year", "submission_closes", "review_opens", "review_closes"}
    assert form["submission_opens"].value() == "2024-08-01"
    assert Cycle.objects.count() == 1


def test_cycle_form_creates_a_cycle(admin_user, edition_2024, region):
    from scoring.models import Edition

    edition_2025 = Edition.objects.create(
        year=2025, version=1, title="IID 2025", source_text="x", checksum="1" * 64
    )
    response = client_for(admin_user).post(
        reverse("cycle_create"),
        {
            "year": 2025,
            "edition": edition_2025.pk,
            "submission_opens": "2025-06-01",
            "submission_closes": "2025-08-01",
            "review_opens": "2025-06-01",
            "review_closes": "2025-09-01",
        },
    )
    assert response.status_code == 302
    assert Cycle.objects.get(region=region, year=2025).edition == edition_2025


def test_cycle_form_refuses_an_edition_of_a_later_year(admin_user, edition_2024):
    response = client_for(admin_user).post(
        reverse("cycle_create"),
        {
            "year": 2023,
            "edition": edition_2024.pk,
            "submission_opens": "2023-06-01",
            "submission_closes": "2023-08-01",
            "review_opens": "2023-06-01",
            "review_closes": "2023-09-01",
        },
    )
    assert "edition" in response.context["form"].errors
    assert not Cycle.objects.filter(year=2023).exists()


# Changing a cycle's catalogue edition: answers point at the edition's rows, so a cycle with entries or SPD
# answers may only move to a revision with the same ids, options and numbers, and its answers move with it.

REVISION_CODES = {"SID-16": 3, "SID-17": 2, "SID-35": 2}


def revised_text(change) -> str:
    import yaml

    from scoring.catalogue import bundled_catalogue_path

    data = yaml.safe_load(bundled_catalogue_path(2024).read_text(encoding="utf-8"))
    change(data)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def relabelled(data):
    """What a revision corrects: names, option labels, guidance text."""
    data["sid"][0]["name"] = "Regulasi Inovasi Daerah (perbaikan)"
    data["sid"][0]["options"][0]["label"] = "SK Kepala Perangkat Daerah (diperbaiki)"
    data["spd"][0]["name"] = "Visi dan Misi Kepala Daerah"


def reweighted(data):
    """SID-16 and SID-17 exchange their weights (the totals stay valid)."""
    for row, bobot in zip(data["sid"][:2], (2, 3), strict=True):
        row["bobot"] = bobot
        for option in row["options"]:
            option["score"] = bobot * option["level"]


def load_for(region, change):
    from scoring.editions import load_edition_text

    edition, _created = load_edition_text(revised_text(change), region=region)
    return edition


@pytest.fixture
def approved(entry, owner, reviewer):
    from registry.models import Evidence, Innovation
    from tests.conftest import make_answer

    for code, level in REVISION_CODES.items():
        answer = make_answer(entry, code, level, by=owner, verdict="sesuai", verified_level=level)
        Evidence.objects.create(
            answer=answer, kind="link", url=f"https://example.org/{code}-2", created_by=owner
        )
        Evidence.objects.filter(answer=answer).update(review="accepted", reviewed_by=reviewer)
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.APPROVED)
    entry.refresh_from_db()
    return entry


def cycle_post(cycle, edition) -> dict:
    return {
        "year": cycle.year,
        "edition": edition.pk,
        "submission_opens": cycle.submission_opens.isoformat(),
        "submission_closes": cycle.submission_closes.isoformat(),
        "review_opens": cycle.review_opens.isoformat(),
        "review_closes": cycle.review_closes.isoformat(),
    }


def review_page(reviewer, entry) -> tuple[int, list[str]]:
    """How many evidence items the review page shows, and each answered row's verdict."""
    response = client_for(reviewer).get(reverse("review_entry", args=[entry.pk]))
    rows = response.context["rows"]
    return sum(len(row["items"]) for row in rows), [row["verdict"] for row in rows if row["answer"]]


def test_cycle_edition_change_refused_under_an_entry_with_the_reason(approved, admin_user, reviewer):
    cycle = approved.cycle
    other = load_for(cycle.region, reweighted)
    before = review_page(reviewer, approved)
    with translation.override("id"):
        response = client_for(admin_user).post(
            reverse("cycle_edit", args=[cycle.pk]), cycle_post(cycle, other), HTTP_ACCEPT_LANGUAGE="id"
        )
    assert response.status_code == 200
    [reason] = response.context["form"].errors["edition"]
    assert reason.startswith(
        "Edisi katalog tidak dapat diganti: periode ini sudah memiliki entri atau jawaban SPD"
    )
    assert "SID-16" in reason
    cycle.refresh_from_db()
    assert cycle.edition_id != other.pk
    assert before == (6, ["sesuai", "sesuai", "sesuai"])
    assert review_page(reviewer, approved) == before


def test_cycle_edition_change_problem_names_the_reason(approved):
    cycle = approved.cycle
    assert cycle.edition_change_problem(cycle.edition) is None
    assert cycle.edition_change_problem(load_for(cycle.region, relabelled)) is None
    with translation.override("en"):
        problem = cycle.edition_change_problem(load_for(cycle.region, reweighted))
    assert problem == (
        "The catalogue edition cannot be changed: this cycle already has entries or SPD answers, and "
        "IID 2024 catalogue, version 3 differs from the current edition in indicator SID-16 "
        "(its weight or its options). Only a revision with the same indicators, options and numbers may replace it."
    )


def test_cycle_edition_change_to_an_identical_revision_moves_the_answers(approved, admin_user, reviewer):
    from registry.models import Answer, SpdProfile
    from tests.conftest import make_answer

    cycle = approved.cycle
    spd = make_answer(SpdProfile.objects.create(cycle=cycle), "SPD-01", 2, by=admin_user)
    revision = load_for(cycle.region, relabelled)
    before = review_page(reviewer, approved)
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[cycle.pk]), cycle_post(cycle, revision)
    )
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert cycle.edition == revision
    assert set(Answer.objects.values_list("indicator__edition", flat=True)) == {revision.pk}
    spd.refresh_from_db()
    assert (spd.indicator.edition_id, spd.indicator.code) == (revision.pk, "SPD-01")
    after = review_page(reviewer, approved)
    assert after == before == (6, ["sesuai", "sesuai", "sesuai"])
    page = client_for(reviewer).get(reverse("review_entry", args=[approved.pk])).content.decode()
    assert "Regulasi Inovasi Daerah (perbaikan)" in page
    assert all(f"https://example.org/{code}-2" in page for code in REVISION_CODES)


def test_cycle_edition_change_refused_by_an_spd_answer_alone(open_cycle, admin_user):
    from registry.models import SpdProfile
    from tests.conftest import make_answer

    make_answer(SpdProfile.objects.create(cycle=open_cycle), "SPD-01", 2, by=admin_user)
    other = load_for(open_cycle.region, reweighted)
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[open_cycle.pk]), cycle_post(open_cycle, other)
    )
    assert "edition" in response.context["form"].errors
    open_cycle.refresh_from_db()
    assert open_cycle.edition_id != other.pk


def test_cycle_edition_change_allowed_without_entries_and_spd_answers(open_cycle, admin_user):
    from registry.models import SpdProfile

    SpdProfile.objects.create(cycle=open_cycle)  # a profile without answers holds nothing to move
    other = load_for(open_cycle.region, reweighted)
    response = client_for(admin_user).post(
        reverse("cycle_edit", args=[open_cycle.pk]), cycle_post(open_cycle, other)
    )
    assert response.status_code == 302
    open_cycle.refresh_from_db()
    assert open_cycle.edition == other


def test_cycle_edition_is_read_only_in_the_django_admin(approved, db):
    from agencies.models import User

    root = User.objects.create_superuser(email="root@example.org", password="x")
    page = client_for(root).get(reverse("admin:registry_cycle_change", args=[approved.cycle_id]))
    assert "edition" not in page.context["adminform"].form.fields
