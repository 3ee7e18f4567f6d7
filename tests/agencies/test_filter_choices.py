"""Every filter form offers "Semua …" as its no-filter choice, never django-filter's "Tidak diketahui" or "---------"."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Role
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select)


def label_of(html: str, name: str) -> str:
    return re.search(rf'<label[^>]*for="id_{name}">([^<]*)</label>', html).group(1)


def test_people_status_filter_offers_all_active_inactive_and_filters(admin_user, agency_a):
    make_person("aktif@example.org", Role.INNOVATOR, admin_user.region, [agency_a])
    make_person("lama@example.org", Role.INNOVATOR, admin_user.region, [agency_a], is_active=False)
    client = client_for(admin_user)
    html = client.get(reverse("person_list")).content.decode()
    assert options(html, "is_active") == [("", "Semua"), ("true", "Aktif"), ("false", "Tidak aktif")]
    assert label_of(html, "is_active") == "Status"
    assert "Tidak diketahui" not in html and "Unknown" not in html

    def emails(query):
        return {person.email for person in client.get(reverse("person_list"), query).context["page"]}

    assert emails({"is_active": "false"}) == {"lama@example.org"}
    assert emails({"is_active": "true"}) == {"admin@example.org", "aktif@example.org"}
    assert emails({"is_active": ""}) == {"admin@example.org", "aktif@example.org", "lama@example.org"}
    # What the old select wrote keeps working: its "all" was "unknown", its yes and no "true" and "false".
    assert emails({"is_active": "unknown"}) == emails({})
    chosen = client.get(reverse("person_list"), {"is_active": "false"}).content.decode()
    assert '<option value="false" selected>Tidak aktif</option>' in chosen


def test_agency_status_filter_offers_all_active_inactive(admin_user, agency_a, region):
    Agency.objects.create(
        region=region, code="PD-LAMA", name="Dinas Lama", kind="perangkat_daerah", is_active=False
    )
    client = client_for(admin_user)
    html = client.get(reverse("agency_list")).content.decode()
    assert options(html, "is_active") == [("", "Semua"), ("true", "Aktif"), ("false", "Tidak aktif")]
    listed = client.get(reverse("agency_list"), {"is_active": "false"}).context["page"]
    assert [agency.name for agency in listed] == ["Dinas Lama"]


@pytest.mark.parametrize(
    ("url", "who"),
    [
        ("person_list", "admin"),
        ("agency_list", "admin"),
        ("review_queue", "reviewer"),
        ("compliance_board", "reviewer"),
        ("showcase", None),
        ("replication_list", "owner"),
    ],
)
def test_every_filter_select_starts_with_an_indonesian_all_choice(url, who, request, open_cycle, owner):
    client = client_for(request.getfixturevalue({"admin": "admin_user"}.get(who, who))) if who else Client()
    html = client.get(reverse(url)).content.decode()
    assert "Tidak diketahui" not in html and "---------" not in html and "Siapa saja" not in html
    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    names = re.findall(r'<select name="(\w+)"', form)
    assert names
    for name in names:
        if name in ("ordering", "tahun"):  # a sort order, and the compliance board's "current cycle"
            continue
        first = options(form, name)[0]
        assert first[0] == "" and first[1].startswith("Semua"), (url, name, first)
