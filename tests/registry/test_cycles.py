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
