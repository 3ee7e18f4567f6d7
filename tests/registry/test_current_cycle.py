"""Which cycle a region's pages work on: the one running today, else the latest."""

import datetime

import pytest

from registry.models import Cycle
from tests.conftest import make_cycle

pytestmark = pytest.mark.django_db


def test_the_running_cycle_wins_over_a_later_year(region, cycle_2024, edition_2024):
    make_cycle(region, 2025, edition_2024)
    assert Cycle.objects.current_for(region, today=datetime.date(2024, 7, 1)) == cycle_2024


def test_outside_every_window_the_latest_year(region, cycle_2024, edition_2024):
    later = make_cycle(region, 2025, edition_2024)
    assert Cycle.objects.current_for(region, today=datetime.date(2024, 12, 1)) == later
    assert Cycle.objects.current_for(region, today=datetime.date(2026, 1, 5)) == later


def test_another_regions_cycle_is_never_current(region, other_region, edition_2024):
    make_cycle(other_region, 2024, edition_2024)
    assert Cycle.objects.current_for(region, today=datetime.date(2024, 7, 1)) is None


def test_one_query_whether_or_not_a_cycle_runs(region, cycle_2024, django_assert_num_queries):
    for today in (datetime.date(2024, 7, 1), datetime.date(2025, 1, 1)):
        with django_assert_num_queries(1):
            assert Cycle.objects.current_for(region, today=today).edition.year == 2024
