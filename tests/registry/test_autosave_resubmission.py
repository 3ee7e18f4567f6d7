"""Issue 15: the same content sent twice (an autosave and the Save button racing with one version, a form sent
again) is no conflict; only a different save by another tab or a colleague is. And the limits the browser checks
a chosen file against before sending it."""

import json
import re

import pytest
from django.urls import reverse

from registry.entries import save_answer, save_profile
from registry.models import Answer, Innovation
from tests.conftest import client_for
from tests.registry.test_entries import profile_data

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
CONFLICT = 'data-testid="overwrite"'


def sent_version(html: str) -> int:
    return int(re.search(r'name="version" value="(\d+)"', html).group(1))


def test_profile_sent_twice_with_one_version_is_saved_once_and_not_a_conflict(entry, owner):
    client = client_for(owner)
    url = reverse("entry_profile", args=[entry.pk])
    data = profile_data(entry, goals="Tujuan yang sama")
    first = client.post(url, data, headers=HTMX)
    # The Save button, sent with the version the autosave had used.
    second = client.post(url, data)
    assert CONFLICT not in first.content.decode() and sent_version(first.content.decode()) == 2
    assert second.status_code == 302 and second.url == url
    entry.refresh_from_db()
    assert (entry.goals, entry.version) == ("Tujuan yang sama", 2)
    # The same as an autosave: it answers with the stored version, for the next save to use.
    again = client.post(url, data, headers=HTMX).content.decode()
    assert CONFLICT not in again and "Tersimpan" in again and sent_version(again) == 2


def test_profile_with_a_different_content_on_an_old_version_is_still_a_conflict(entry, owner, member):
    url = reverse("entry_profile", args=[entry.pk])
    client_for(member).post(url, profile_data(entry, goals="Dari rekan"), headers=HTMX)
    # The same content as the colleague's except one field: still a conflict, nothing overwritten.
    stale = client_for(owner).post(url, profile_data(entry, goals="Dari rekan", results="Lain"), headers=HTMX)
    assert CONFLICT in stale.content.decode()
    assert 'name="version"' not in stale.content.decode()
    entry.refresh_from_db()
    assert (entry.goals, entry.results, entry.version) == ("Dari rekan", "Hasil", 2)


def test_save_profile_of_stored_values_returns_the_stored_version(entry):
    values = {"goals": "Sama", "related_urusan": ["Kesehatan"]}
    assert save_profile(entry, values, expected_version=1)
    assert save_profile(entry, values, expected_version=2)  # now at 3
    stale = Innovation.objects.get(pk=entry.pk)
    assert save_profile(stale, values, expected_version=1)
    assert stale.version == 3
    assert not save_profile(stale, values | {"goals": "Beda"}, expected_version=1)
    entry.refresh_from_db()
    assert (entry.goals, entry.version) == ("Sama", 3)


def test_save_profile_of_stored_values_is_refused_once_submitted(entry):
    values = {"goals": entry.goals}
    Innovation.objects.filter(pk=entry.pk).update(status=Innovation.Status.SUBMITTED, version=5)
    assert not save_profile(entry, values, expected_version=1)


def test_answer_chosen_twice_with_one_version_is_not_a_conflict(entry, owner, member):
    url = reverse("entry_indicator", args=[entry.pk, "SID-25"])
    client = client_for(owner)
    first = client.post(url, {"option": "3", "version": 1}, headers=HTMX).content.decode()
    second = client.post(url, {"option": "3", "version": 1}, headers=HTMX).content.decode()
    assert CONFLICT not in first and CONFLICT not in second
    assert sent_version(first) == sent_version(second) == 2
    answer = Answer.objects.get(innovation=entry, indicator__code="SID-25")
    assert (answer.level, answer.version) == (3, 2)
    # A colleague's different choice on the same old version is a conflict.
    other = client_for(member).post(url, {"option": "1", "version": 1}, headers=HTMX).content.decode()
    assert CONFLICT in other
    answer.refresh_from_db()
    assert (answer.level, answer.version) == (3, 2)


def test_save_answer_of_the_stored_choice_returns_the_stored_version(entry, owner):
    client_for(owner).get(reverse("entry_indicator", args=[entry.pk, "SID-25"]))
    answer = Answer.objects.get(innovation=entry, indicator__code="SID-25")
    assert save_answer(answer, group="", level=2, expected_version=1)
    stale = Answer.objects.get(pk=answer.pk)
    stale.version = 1
    assert save_answer(stale, group="", level=2, expected_version=1) and stale.version == 2
    assert not save_answer(stale, group="", level=1, expected_version=1)


def size_limits(html: str) -> dict:
    from html import unescape

    return json.loads(unescape(re.search(r'data-size-limits="([^"]+)"', html).group(1)))


def test_file_inputs_carry_the_size_limits_and_the_servers_message(entry, owner, settings):
    settings.REGISTRI_EVIDENCE_MAX_BYTES = {
        "pdf": 3 * 1024 * 1024,
        "image": 1024 * 1024,
        "video": 9 * 1024 * 1024,
    }
    client = client_for(owner)
    evidence = size_limits(client.get(reverse("entry_indicator", args=[entry.pk, "SID-16"])).content.decode())
    assert evidence["pdf"]["bytes"] == 3 * 1024 * 1024
    assert evidence["image"]["bytes"] == 1024 * 1024
    assert evidence["any"]["bytes"] == 9 * 1024 * 1024
    assert evidence["pdf"]["message"].startswith("Berkas %(name)s lebih besar dari 3,0")
    profile = client.get(reverse("entry_profile", args=[entry.pk])).content.decode()
    assert size_limits(profile)["pdf"] == evidence["pdf"]
    # The autosaving forms are marked for registri.js, with their messages in Indonesian.
    assert "data-autosave " in profile and "Tidak tersambung" in profile
