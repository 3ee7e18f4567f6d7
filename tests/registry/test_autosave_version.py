"""A save that carries no version (an old copy of a page, a crafted request) is refused: nothing is written, the
answer says to reload, and what was typed stays (issue 13: it used to answer "Tersimpan, kecuali…")."""

import pytest
from django.urls import reverse

from registry.models import Answer, SpdProfile
from tests.conftest import client_for
from tests.registry.test_entries import profile_data

pytestmark = pytest.mark.django_db

RELOAD = "muat ulang halaman"
HTMX = {"HX-Request": "true"}


def without_version(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "version"}


@pytest.mark.parametrize("version", [None, "", "abc"], ids=["absent", "empty", "not-a-number"])
def test_profile_autosave_without_version_saves_nothing(entry, owner, version):
    data = without_version(profile_data(entry, goals="Tujuan dari halaman lama"))
    if version is not None:
        data["version"] = version
    response = client_for(owner).post(reverse("entry_profile", args=[entry.pk]), data, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 409
    assert RELOAD in html
    assert "Tersimpan" not in html
    entry.refresh_from_db()
    assert (entry.goals, entry.version) == ("", 1)


def test_profile_save_button_without_version_shows_the_typed_values_again(entry, owner):
    data = without_version(profile_data(entry, goals="Tujuan dari halaman lama"))
    response = client_for(owner).post(reverse("entry_profile", args=[entry.pk]), data)
    assert response.status_code == 409
    assert RELOAD in response.content.decode()
    assert response.context["form"]["goals"].value() == "Tujuan dari halaman lama"
    entry.refresh_from_db()
    assert (entry.goals, entry.version) == ("", 1)


def test_answer_autosave_without_version_saves_nothing(entry, owner):
    client = client_for(owner)
    url = reverse("entry_indicator", args=[entry.pk, "SID-25"])
    response = client.post(url, {"option": "3"}, headers=HTMX)
    assert response.status_code == 409
    assert RELOAD in response.content.decode()
    assert not Answer.objects.filter(innovation=entry, level__isnull=False).exists()
    # With its version the same answer is saved: the refusal is about the version only.
    assert client.post(url, {"option": "3", "version": 1}).status_code == 302
    answer = Answer.objects.get(innovation=entry, indicator__code="SID-25")
    assert (answer.level, answer.version) == (3, 2)
    response = client.post(url, {"option": "1"})
    assert response.status_code == 409
    assert RELOAD in response.content.decode()
    assert response.context["form"]["option"].value() == "1"
    answer.refresh_from_db()
    assert (answer.level, answer.version) == (3, 2)


def test_spd_answer_autosave_without_version_saves_nothing(open_cycle, reviewer):
    code = open_cycle.edition.indicators.filter(part="SPD").order_by("position").first().code
    response = client_for(reviewer).post(
        reverse("spd_indicator", args=[open_cycle.pk, code]), {"option": "1"}, headers=HTMX
    )
    profile = SpdProfile.objects.get(cycle=open_cycle)
    assert response.status_code == 409
    assert RELOAD in response.content.decode()
    assert not Answer.objects.filter(spd_profile=profile, level__isnull=False).exists()


def test_answer_autosave_with_an_invalid_option_says_nothing_was_saved(entry, owner):
    url = reverse("entry_indicator", args=[entry.pk, "SID-25"])
    response = client_for(owner).post(url, {"option": "9", "version": 1}, headers=HTMX)
    html = response.content.decode()
    assert "Tidak tersimpan" in html
    assert "Tersimpan, kecuali" not in html
    assert not Answer.objects.filter(innovation=entry, level__isnull=False).exists()
