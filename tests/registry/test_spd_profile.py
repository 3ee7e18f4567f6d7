from decimal import Decimal

import pytest
from django.urls import reverse

from registry.models import Answer, Evidence
from tests.conftest import assert_error_page, client_for, heading

pytestmark = pytest.mark.django_db


def test_bappeda_fills_spd_rows_with_evidence_and_sees_the_score(open_cycle, admin_user):
    client = client_for(admin_user)
    client.get(reverse("spd_indicator", args=[open_cycle.pk, "SPD-06"]))
    answer = Answer.objects.get(spd_profile__cycle=open_cycle, indicator__code="SPD-06")
    client.post(
        reverse("spd_indicator", args=[open_cycle.pk, "SPD-06"]), {"version": answer.version, "option": "3"}
    )
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.post(
        reverse("spd_evidence_add", args=[open_cycle.pk, "SPD-06"]),
        {"file": SimpleUploadedFile("investasi.png", png), "document_date": "2024-01-05"},
    )
    assert Evidence.objects.filter(answer__spd_profile__cycle=open_cycle).count() == 1
    page = client.get(reverse("spd_detail", args=[open_cycle.pk]))
    assert page.context["spd"] == Decimal("4.5")  # bobot 1.5 x level 3
    assert page.context["complete"] == 1


def test_spd_pages_are_for_bappeda_only(open_cycle, owner, reviewer):
    for url, title in (
        (reverse("spd_detail", args=[open_cycle.pk]), "Profil SPD 2024"),
        (reverse("spd_indicator", args=[open_cycle.pk, "SPD-01"]), "Visi dan Misi"),
    ):
        assert_error_page(client_for(owner).get(url), 404, title)
        shown = client_for(reviewer).get(url)
        assert shown.status_code == 200
        assert heading(shown) == title


def test_spd_pages_of_another_region_are_not_found(open_cycle, other_region):
    from tests.conftest import make_person

    foreign_admin = make_person("admin@makassar.example.org", "admin", other_region)
    response = client_for(foreign_admin).get(reverse("spd_detail", args=[open_cycle.pk]))
    assert_error_page(response, 404, "Profil SPD 2024", open_cycle.region.name)
