"""Official results Kemendagri published: CSV import, command, page, dashboard, trend chart and XLSX summary."""

import io
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from reports.models import OfficialResult
from reports.official import OfficialImportError, import_official_results
from tests.conftest import client_for, make_cycle

pytestmark = pytest.mark.django_db

SHIPPED = Path(__file__).resolve().parents[2] / "reports" / "data" / "official-results-parepare.csv"
PAGE = "/laporan/hasil-resmi/"
HEADER = "region_code,year,iid_claimed,iid_verified,predicate,innovations,rank_note,source\n"


def stored(region) -> list[tuple]:
    return list(
        OfficialResult.objects.filter(region=region)
        .order_by("year")
        .values_list(
            "year", "claimed_iid", "validated_iid", "predicate", "innovation_count", "source", "updated_at"
        )
    )


def upload(text: str, name="hasil.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


# --- import ---------------------------------------------------------------------------------------------------


def test_the_shipped_parepare_file_imports_every_published_year(region):
    report = import_official_results(SHIPPED.read_bytes(), region=region)
    assert report.created == ["73.72 2021", "73.72 2022", "73.72 2023"]
    rows = {row[0]: row[1:5] for row in stored(region)}
    assert rows == {
        2021: (None, Decimal("49.63"), "Inovatif", None),
        2022: (None, Decimal("58.89"), "Inovatif", None),
        2023: (Decimal("61.31"), Decimal("57.85"), "Inovatif", 21),
    }
    assert OfficialResult.objects.get(region=region, year=2023).iid == Decimal("57.85")


def test_importing_the_same_file_twice_changes_nothing(region):
    import_official_results(SHIPPED.read_bytes(), region=region)
    before = stored(region)
    report = import_official_results(SHIPPED.read_bytes(), region=region)
    assert (report.created, report.updated, len(report.unchanged)) == ([], [], 3)
    assert not report.changed_anything
    assert stored(region) == before  # updated_at included: no row was saved again


def test_semicolons_bom_and_a_decimal_comma_are_read_and_a_changed_row_is_updated(region):
    import_official_results(SHIPPED.read_bytes(), region=region)
    text = HEADER.replace(",", ";") + '73.72;2023;61,31;58,00;Inovatif;22;;"SK Mendagri"\n'
    report = import_official_results(b"\xef\xbb\xbf" + text.encode(), region=region)
    assert report.updated == ["73.72 2023"]
    result = OfficialResult.objects.get(region=region, year=2023)
    assert (result.validated_iid, result.innovation_count, result.source) == (
        Decimal("58.00"),
        22,
        "SK Mendagri",
    )


def test_a_bad_file_lists_every_problem_with_its_row_and_writes_nothing(region, other_region):
    import_official_results(SHIPPED.read_bytes(), region=region)
    before = stored(region)
    text = HEADER + (
        "73.72,2024,70.5,,Sangat Inovatif,,,\n"  # row 2: valid, but must not be written
        "73.72,20x4,,50,,,,\n"  # row 3: year
        "73.72,2025,,,Inovatif,,,\n"  # row 4: no IID
        "73.72,2026,101,abc,,lima,,\n"  # row 5: out of range, not a number, count
        "73.71,2027,,50,,,,\n"  # row 6: another region
        "73.72,2024,,60,,,,\n"  # row 7: same year again
        "73.72,2028,,50.123,,,,\n"  # row 8: three decimals
    )
    with pytest.raises(OfficialImportError) as caught:
        import_official_results(text.encode(), region=region)
    problems = caught.value.problems
    assert problems == [
        "Baris 3: tahun '20x4' bukan tahun antara 2000 dan 2100.",
        "Baris 4: isi setidaknya satu IID (iid_claimed atau iid_verified).",
        "Baris 5: iid_claimed 101 di luar 0–100.",
        "Baris 5: iid_verified 'abc' bukan angka.",
        "Baris 5: jumlah inovasi 'lima' bukan bilangan bulat.",
        "Baris 6: kode daerah 73.71 bukan kode daerah ini (73.72).",
        "Baris 7: 73.72 2024 sudah ada di baris 2.",
        "Baris 8: iid_verified 50.123 punya lebih dari dua angka desimal.",
    ]
    assert stored(region) == before
    assert not OfficialResult.objects.filter(year=2024).exists()


def test_a_file_without_the_needed_columns_or_not_utf8_is_refused(region):
    with pytest.raises(OfficialImportError) as caught:
        import_official_results(b"tahun,nilai\n2023,57\n", region=region)
    assert caught.value.problems[0].startswith("Baris 1: baris judul (header) harus memuat kolom")
    with pytest.raises(OfficialImportError) as caught:
        import_official_results(HEADER.encode() + b"73.72,2023,,57,Inovatif,,,Ibu kota \xe9\n", region=region)
    assert "UTF-8" in caught.value.problems[0]
    assert not OfficialResult.objects.exists()


# --- command and seed ---------------------------------------------------------------------------------------


def test_command_imports_then_changes_nothing_and_refuses_a_bad_file(region, tmp_path):
    out = io.StringIO()
    call_command("import_official_results", str(SHIPPED), region="73.72", stdout=out)
    assert "3 ditambahkan" in out.getvalue()
    out = io.StringIO()
    call_command("import_official_results", str(SHIPPED), stdout=out)
    assert "0 ditambahkan, 0 diperbarui, 3 tidak berubah" in out.getvalue()
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "99.99,2023,,57,,,,\n")
    with pytest.raises(CommandError, match=r"Baris 2: tidak ada daerah berkode 99\.99"):
        call_command("import_official_results", str(bad))
    with pytest.raises(CommandError, match=r"Tidak ada daerah berkode 11\.11"):
        call_command("import_official_results", str(SHIPPED), region="11.11")
    assert OfficialResult.objects.count() == 3


# --- page -----------------------------------------------------------------------------------------------------


@pytest.fixture
def official(region):
    import_official_results(SHIPPED.read_bytes(), region=region)
    return OfficialResult.objects.get(region=region, year=2023)


def test_admin_adds_edits_and_uploads_results_of_the_own_region(region, other_region, admin_user):
    client = client_for(admin_user)
    response = client.post(
        PAGE, {"year": "2024", "claimed_iid": "70,10", "predicate": "Sangat Inovatif", "source": "SK 100"}
    )
    assert response.status_code == 302
    result = OfficialResult.objects.get(year=2024)
    assert (result.region, result.claimed_iid, result.validated_iid, result.entered_by) == (
        region,
        Decimal("70.10"),
        None,
        admin_user,
    )
    response = client.post(PAGE, {"year": "2024", "validated_iid": "60"})
    assert response.status_code == 422
    assert "Tahun ini sudah punya hasil resmi" in response.content.decode()
    response = client.post(PAGE, {"year": "2019", "predicate": "Inovatif"})
    assert "Isi setidaknya satu IID" in response.content.decode()
    edit = reverse("official_result_edit", args=[result.pk])
    response = client.post(edit, {"year": "2024", "claimed_iid": "70,10", "validated_iid": "65,5"})
    assert response.status_code == 302
    result.refresh_from_db()
    assert result.validated_iid == Decimal("65.50")
    assert OfficialResult.objects.count() == 1

    response = client.post(reverse("official_results_import"), {"file": upload(SHIPPED.read_text())})
    assert response.status_code == 302
    html = client.get(PAGE).content.decode()
    assert html.count('data-testid="official-row"') == 4
    assert "pernyataan Kepala BSKDN di Parepare 2024" in html


def test_a_bad_upload_lists_its_problems_on_the_page_and_writes_nothing(region, admin_user):
    text = HEADER + "73.72,2023,,,Inovatif,,,\n73.71,2022,,58,,,,\n"
    response = client_for(admin_user).post(reverse("official_results_import"), {"file": upload(text)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Baris 2: isi setidaknya satu IID" in html
    assert "Baris 3: kode daerah 73.71 bukan kode daerah ini (73.72)." in html
    assert not OfficialResult.objects.exists()


def test_reviewers_view_innovators_are_refused_another_region_is_hidden(
    official, other_region, reviewer, owner, admin_user
):
    from agencies.models import Role
    from tests.conftest import make_person

    viewing = client_for(reviewer).get(PAGE)
    assert viewing.status_code == 200
    html = viewing.content.decode()
    assert "57,85" in html and "61,31" in html
    assert reverse("official_results_import") not in html  # no upload form for a reviewer
    assert client_for(reviewer).post(PAGE, {"year": "2030", "claimed_iid": "50"}).status_code == 403
    edit = reverse("official_result_edit", args=[official.pk])
    assert client_for(reviewer).get(edit).status_code == 403
    assert client_for(owner).get(PAGE).status_code == 403
    foreign_admin = make_person("admin.makassar@example.org", Role.ADMIN, other_region)
    assert client_for(foreign_admin).get(edit).status_code == 404
    assert client_for(foreign_admin).post(edit, {"year": "2023", "claimed_iid": "1"}).status_code == 404
    assert "57,85" not in client_for(foreign_admin).get(PAGE).content.decode()
    official.refresh_from_db()
    assert official.claimed_iid == Decimal("61.31")


# --- dashboard, trend chart and XLSX summary ---------------------------------------------------------------


def _testid_text(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)<', html, re.S)
    assert match, testid
    return match.group(1).strip()


def test_dashboard_shows_the_official_result_beside_the_computed_scores(open_cycle, region, reviewer):
    make_cycle(region, 2023, open_cycle.edition)
    import_official_results(SHIPPED.read_bytes(), region=region)
    html = client_for(reviewer).get("/laporan/?tahun=2023").content.decode()
    assert _testid_text(html, "iid-claimed") == "0,00"  # the computed one, still there
    assert _testid_text(html, "official-claimed") == "61,31"
    assert _testid_text(html, "official-validated") == "57,85"
    assert _testid_text(html, "official-predicate") == "Inovatif"
    assert _testid_text(html, "official-source") == "pernyataan Kepala BSKDN di Parepare 2024"
    assert "21 inovasi" in html
    # 2024 has no official result.
    html = client_for(reviewer).get("/laporan/").content.decode()
    assert "official-validated" not in html
    assert "Belum dicatat." in html


def test_trend_has_an_official_series_and_the_years_with_only_an_official_result(
    open_cycle, region, reviewer
):
    import_official_results(SHIPPED.read_bytes(), region=region)
    response = client_for(reviewer).get("/laporan/")
    assert [point.year for point in response.context["trend"]] == [2021, 2022, 2023, 2024]
    svg = str(response.context["charts"]["trend"])
    assert "Hasil resmi Kemendagri" in svg
    official_bars = re.findall(r'<rect class="bar bar-2"[^>]*><title>([^<]*)</title>', svg)
    assert official_bars == [
        "2021 · Hasil resmi Kemendagri: 49,63",
        "2022 · Hasil resmi Kemendagri: 58,89",
        "2023 · Hasil resmi Kemendagri: 57,85",
    ]
    # The computed series only where the registry has a cycle.
    assert re.findall(r'<rect class="bar bar-0"[^>]*><title>([^<·]*)·', svg) == ["2024 "]
    html = response.content.decode()
    assert html.count('data-testid="trend-row"') == 4


def test_xlsx_summary_has_the_official_result_beside_the_computed_scores(open_cycle, region, reviewer):
    import_official_results(
        (HEADER + "73.72,2024,61.31,57.85,Inovatif,21,peringkat 5,SK Mendagri 100.2.1.6-123\n").encode(),
        region=region,
    )
    response = client_for(reviewer).get(reverse("compliance_export", args=["xlsx"]))
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    rows = [row for row in workbook["Ringkasan"].iter_rows(values_only=True) if row and row[0]]
    labels = [row[0] for row in rows]
    start = labels.index("Hasil resmi Kemendagri")
    assert rows[start][1:3] == ("Penilaian mandiri", "Tervalidasi")
    official = {row[0]: row[1:3] for row in rows[start + 1 :]}
    assert official["IID resmi"] == (61.31, 57.85)
    assert official["Predikat resmi"][0] == "Inovatif"
    assert official["Jumlah inovasi"][0] == 21
    assert official["SK atau sumber"][0] == "SK Mendagri 100.2.1.6-123"
    # The computed IID stays beside it.
    assert labels.index("IID") < start


def test_xlsx_summary_says_when_no_official_result_is_recorded(open_cycle, reviewer):
    response = client_for(reviewer).get(reverse("compliance_export", args=["xlsx"]))
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content))["Ringkasan"].iter_rows(values_only=True))
    labels = [row[0] for row in rows]
    assert labels[labels.index("Hasil resmi Kemendagri") + 1] == "Belum dicatat."
