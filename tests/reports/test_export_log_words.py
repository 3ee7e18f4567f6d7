"""The export log shows each file's filters in words, as the file's own summary does, old rows included."""

import re

import pytest
from django.urls import reverse

from agencies.models import Agency
from reports.models import ExportLog
from tests.conftest import client_for
from tests.reports.test_compliance import log_row

pytestmark = pytest.mark.django_db


def logged(cycle, filters, name="kepatuhan.xlsx", fmt="xlsx"):
    return log_row(cycle, None, name, fmt=fmt, filters=filters)


def filters_cells(html: str) -> list[str]:
    cells = re.findall(r'data-testid="export-filters">(.*?)</td>', html, re.S)
    return [re.sub(r"\s+", " ", cell).strip() for cell in cells]


def test_export_log_shows_the_filters_in_words(open_cycle, region, reviewer):
    kecamatan = Agency.objects.create(region=region, code="KEC-BCK", name="Bacukiki", kind="kecamatan")
    # Rows as `ComplianceFilter.cleaned` stored them, before and after this change: nothing was migrated.
    logged(open_cycle, {"tahun": "2024"}, "a.xlsx")
    logged(
        open_cycle,
        {"kind": "kelurahan", "kecamatan": kecamatan.pk, "state": "none", "q": "posyandu", "tahun": "2024"},
        "b.pdf",
        "pdf",
    )
    logged(open_cycle, {"tahun": "2024", "ordering": ["-agency"], "lama": "x"}, "c.csv", "csv")
    logged(open_cycle, {}, "d.zip", "handoff")
    html = client_for(reviewer).get(reverse("export_log")).content.decode()
    assert "tahun=2024" not in html
    assert filters_cells(html) == [
        "—",
        "Tahun: 2024, Urutkan menurut: instansi (menurun), lama: x",
        "Tahun: 2024, Jenis instansi: Kelurahan, Kecamatan: Bacukiki, Status: Belum ada isian, Cari: posyandu",
        "Tahun: 2024",
    ]


def test_export_made_from_the_board_is_logged_and_shown_in_the_summarys_words(open_cycle, region, reviewer):
    kecamatan = Agency.objects.create(region=region, code="KEC-BCK", name="Bacukiki", kind="kecamatan")
    client = client_for(reviewer)
    response = client.get(reverse("compliance_export", args=["csv"]), {"kecamatan": kecamatan.pk})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    assert ExportLog.objects.get().filters == {"kecamatan": kecamatan.pk, "tahun": "2024"}
    html = client.get(reverse("export_log")).content.decode()
    assert filters_cells(html) == ["Tahun: 2024, Kecamatan: Bacukiki"]
