"""Who may load a catalogue edition, and which editions a region sees.

Shipped editions (scoring/data/, loaded after `migrate`) and editions loaded from the command line or by a
superuser without a region are national: every region sees them. An edition uploaded by a region's
administrator belongs to that region: only its people see it, in the catalogue and in the cycle form.
"""

import io

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from agencies.models import Role, User
from registry.onboarding import edition_for_year
from scoring.catalogue import bundled_catalogue_path
from scoring.models import Edition
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db
TEXT = bundled_catalogue_path(2024).read_text(encoding="utf-8")


def corrected(name="Visi dan Misi Kepala Daerah") -> str:
    data = yaml.safe_load(TEXT)
    data["spd"][0]["name"] = name
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def upload(client, text):
    return client.post(
        reverse("edition_upload"), {"file": SimpleUploadedFile("c.yaml", text.encode(), "text/yaml")}
    )


@pytest.fixture
def national():
    return Edition.objects.get(year=2024, version=1)


@pytest.fixture
def admin_b(other_region):
    return make_person("admin-b@example.org", Role.ADMIN, other_region)


@pytest.fixture
def reviewer_b(other_region):
    return make_person("reviewer-b@example.org", Role.REVIEWER, other_region)


@pytest.fixture
def edition_a(admin_user):
    """Region A's administrator uploads a corrected 2024 file."""
    response = upload(client_for(admin_user), corrected())
    edition = Edition.objects.get(year=2024, version=2)
    assert response.url == reverse("edition_detail", args=[edition.pk])
    return edition


def test_shipped_editions_are_national(national):
    assert national.region is None


def test_an_uploaded_edition_belongs_to_the_uploaders_region(edition_a, region):
    assert edition_a.region == region


def test_the_command_line_loads_a_national_edition(tmp_path):
    path = tmp_path / "catalogue-2024.yaml"
    path.write_text(corrected(), encoding="utf-8")
    call_command("load_catalogue", str(path), stdout=io.StringIO())
    assert Edition.objects.get(year=2024, version=2).region is None


def test_a_superuser_without_region_sees_every_edition(edition_a, national):
    root = User.objects.create_superuser(email="root@example.org", password="x")
    listed = client_for(root).get(reverse("edition_list")).context["editions"]
    assert [edition.pk for edition in listed] == [edition_a.pk, national.pk]


def test_only_administrators_may_upload(owner, reviewer):
    for person in (owner, reviewer):
        assert upload(client_for(person), corrected()).status_code == 403
    assert not Edition.objects.filter(version=2).exists()


def test_another_region_does_not_see_the_edition_in_the_catalogue(
    edition_a, national, admin_b, reviewer_b, reviewer
):
    for person in (admin_b, reviewer_b):
        client = client_for(person)
        listed = [edition.pk for edition in client.get(reverse("edition_list")).context["editions"]]
        assert listed == [national.pk]
        assert client.get(reverse("edition_detail", args=[edition_a.pk])).status_code == 404
        assert client.get(reverse("edition_detail", args=[national.pk])).status_code == 200
    own = client_for(reviewer)
    assert [edition.pk for edition in own.get(reverse("edition_list")).context["editions"]] == [
        edition_a.pk,
        national.pk,
    ]
    assert own.get(reverse("edition_detail", args=[edition_a.pk])).status_code == 200


def test_another_region_cannot_choose_the_edition_for_a_cycle(edition_a, national, admin_b, admin_user):
    client = client_for(admin_b)
    form = client.get(reverse("cycle_create")).context["form"]
    assert list(form.fields["edition"].queryset) == [national]
    response = client.post(
        reverse("cycle_create"),
        {
            "year": 2024,
            "edition": edition_a.pk,
            "submission_opens": "2024-06-01",
            "submission_closes": "2024-08-01",
            "review_opens": "2024-06-01",
            "review_closes": "2024-09-01",
        },
    )
    assert response.status_code == 200
    assert "edition" in response.context["form"].errors
    assert not admin_b.region.cycles.exists()
    own = client_for(admin_user).get(reverse("cycle_create")).context["form"]
    assert list(own.fields["edition"].queryset) == [edition_a, national]


def test_two_regions_upload_the_same_corrected_file(edition_a, admin_b, admin_user):
    response = upload(client_for(admin_b), corrected())
    edition_b = Edition.objects.get(region=admin_b.region)
    assert response.url == reverse("edition_detail", args=[edition_b.pk])
    assert edition_b.pk != edition_a.pk
    assert edition_b.checksum == edition_a.checksum
    # The same file again is the region's own edition, not a third copy.
    again = upload(client_for(admin_user), corrected())
    assert again.url == reverse("edition_detail", args=[edition_a.pk])
    assert Edition.objects.filter(year=2024).count() == 3


def test_uploading_the_shipped_file_finds_the_national_edition(national, admin_user):
    response = upload(client_for(admin_user), TEXT)
    assert response.url == reverse("edition_detail", args=[national.pk])
    assert Edition.objects.filter(year=2024).count() == 1


def test_a_new_region_starts_on_a_national_edition(edition_a, national):
    assert edition_for_year(2024) == national
