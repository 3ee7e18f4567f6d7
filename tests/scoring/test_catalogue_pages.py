import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from scoring.catalogue import bundled_catalogue_path
from scoring.editions import load_edition_file
from scoring.models import Edition
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
TEXT = bundled_catalogue_path(2024).read_text(encoding="utf-8")


def upload(client, text):
    return client.post(
        reverse("edition_upload"), {"file": SimpleUploadedFile("c.yaml", text.encode(), "text/yaml")}
    )


def test_catalogue_pages_are_for_bappeda(owner, reviewer):
    edition, _created = load_edition_file(bundled_catalogue_path(2024))
    for url in (reverse("edition_list"), reverse("edition_detail", args=[edition.pk])):
        assert client_for(owner).get(url).status_code == 403
        assert client_for(reviewer).get(url).status_code == 200
    assert client_for(reviewer).get(reverse("edition_list")).context["form"] is None
    assert upload(client_for(reviewer), TEXT).status_code == 403
    assert upload(client_for(owner), TEXT).status_code == 403


def test_catalogue_detail_shows_confidence_of_every_row(reviewer):
    edition, _created = load_edition_file(bundled_catalogue_path(2024))
    page = client_for(reviewer).get(reverse("edition_detail", args=[edition.pk]))
    html = page.content.decode()
    assert html.count('data-testid="indicator-row"') == 40
    assert "inferred · low" in html or "disimpulkan · low" in html


def test_catalogue_detail_query_count_is_fixed(reviewer, django_assert_num_queries):
    edition, _created = load_edition_file(bundled_catalogue_path(2024))
    client = client_for(reviewer)
    with django_assert_num_queries(6):
        client.get(reverse("edition_detail", args=[edition.pk]))


def test_admin_uploads_a_corrected_catalogue_as_a_new_version(admin_user):
    load_edition_file(bundled_catalogue_path(2024))
    data = yaml.safe_load(TEXT)
    data["spd"][0]["name"] = "Visi dan Misi Kepala Daerah"
    response = upload(client_for(admin_user), yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    newest = Edition.objects.latest_for_year(2024)
    assert newest.version == 2
    assert response.url == reverse("edition_detail", args=[newest.pk])


def test_admin_upload_of_a_bad_catalogue_lists_problems_and_loads_nothing(admin_user):
    editions_before = set(Edition.objects.values_list("pk", flat=True))
    data = yaml.safe_load(TEXT)
    data["sid"][0]["options"][0]["level"] = 5
    response = upload(client_for(admin_user), yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    assert response.status_code == 200
    assert any("SID-16" in problem for problem in response.context["problems"])
    assert set(Edition.objects.values_list("pk", flat=True)) == editions_before
