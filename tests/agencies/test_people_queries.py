"""Issue 16: who reviews a region's entries and who administers it, asked of the people in one place."""

import pytest

from agencies.models import Role, User
from tests.conftest import make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(region, other_region, agency_a):
    return {
        "reviewer": make_person("reviewer@example.org", Role.REVIEWER, region),
        "admin": make_person("admin@example.org", Role.ADMIN, region),
        "innovator": make_person("innovator@example.org", Role.INNOVATOR, region, [agency_a]),
        "retired_reviewer": make_person("retired@example.org", Role.REVIEWER, region, is_active=False),
        "retired_admin": make_person("old-admin@example.org", Role.ADMIN, region, is_active=False),
        "foreign_reviewer": make_person("r@makassar.example.org", Role.REVIEWER, other_region),
        "foreign_admin": make_person("a@makassar.example.org", Role.ADMIN, other_region),
    }


def emails(queryset) -> set[str]:
    return set(queryset.values_list("email", flat=True))


def test_reviewers_of_a_region_are_its_active_reviewers_and_admins(region, people):
    assert emails(User.objects.reviewers_of(region)) == {"reviewer@example.org", "admin@example.org"}


def test_admins_of_a_region_are_its_active_admins(region, people):
    assert emails(User.objects.admins_of(region)) == {"admin@example.org"}


def test_a_region_may_be_given_by_its_key(region, other_region, people):
    assert emails(User.objects.reviewers_of(other_region.pk)) == {
        "r@makassar.example.org",
        "a@makassar.example.org",
    }
    assert emails(User.objects.admins_of(region.pk)) == {"admin@example.org"}


def test_the_lookups_are_querysets_to_order_and_narrow(region, people):
    ordered = User.objects.reviewers_of(region).order_by("email").values_list("email", flat=True)
    assert list(ordered) == ["admin@example.org", "reviewer@example.org"]
    assert not User.objects.reviewers_of(region).filter(role=Role.INNOVATOR).exists()
