"""The index dashboard carries the XLSX, CSV and PDF buttons of the compliance board, for the year it shows."""

import re

import pytest
from django.urls import reverse

from reports.models import ExportLog
from tests.conftest import assert_error_page, client_for, make_cycle

from .test_dashboard import URL, scenario  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db

TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
    "pdf": "application/pdf",
}


def export_links(html: str) -> dict[str, str]:
    links = dict(re.findall(r'href="([^"]+)" data-testid="export-(xlsx|csv|pdf)"', html))
    return {fmt: href.replace("&amp;", "&") for href, fmt in links.items()}


def test_dashboard_export_buttons_download_the_shown_year(scenario, reviewer):  # noqa: F811
    client = client_for(reviewer)
    links = export_links(client.get(URL).content.decode())
    assert links == {fmt: f"{reverse('compliance_export', args=[fmt])}?tahun=2024" for fmt in TYPES}
    for fmt, href in links.items():
        response = client.get(href)
        assert response.status_code == 200, fmt
        assert response["Content-Type"].startswith(TYPES[fmt])
        assert response["Content-Disposition"].startswith("attachment;")
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert body
        if fmt == "csv":
            assert "Posyandu Digital" in body.decode("utf-8-sig")
    logs = ExportLog.objects.order_by("pk")
    assert [log.format for log in logs] == ["xlsx", "csv", "pdf"]
    assert all(log.filters == {"tahun": "2024"} and log.cycle_id == scenario.pk for log in logs)
    assert all(log.created_by == reviewer for log in logs)


def test_dashboard_of_another_year_exports_that_year(scenario, region, reviewer):  # noqa: F811
    older = make_cycle(region, 2023, scenario.edition)
    client = client_for(reviewer)
    links = export_links(client.get(URL, {"tahun": "2023"}).content.decode())
    assert links["pdf"] == f"{reverse('compliance_export', args=['pdf'])}?tahun=2023"
    assert client.get(links["pdf"]).status_code == 200
    assert ExportLog.objects.get().cycle == older


def test_dashboard_exports_only_what_it_shows(scenario, reviewer):  # noqa: F811
    # The dashboard shows the whole region whatever else the address says: so does its file.
    html = client_for(reviewer).get(URL, {"kind": "uptd", "state": "none"}).content.decode()
    assert export_links(html)["xlsx"] == f"{reverse('compliance_export', args=['xlsx'])}?tahun=2024"


def test_export_buttons_stay_away_from_innovators(scenario, owner):  # noqa: F811
    client = client_for(owner)
    assert_error_page(client.get(URL), 403, "Unduh angka")
    assert_error_page(client.get(reverse("compliance_export", args=["xlsx"]), {"tahun": "2024"}), 403)
    assert not ExportLog.objects.exists()
