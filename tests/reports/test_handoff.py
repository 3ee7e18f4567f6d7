import datetime
import hashlib
import io
import zipfile

import openpyxl
import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Role
from registry.models import Answer, Evidence, Innovation, SpdProfile
from reports import handoff
from reports.models import ExportLog, HandoffPackage
from scoring.collect import cycle_index
from tests.conftest import (
    assert_error_page,
    assert_sent_to_login,
    client_for,
    make_cycle,
    make_person,
    run_together,
)

pytestmark = pytest.mark.django_db
Status = HandoffPackage.Status

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PDF_2 = PDF.replace(b"Catalog", b"Catalog/Lang(id)")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(64))
MP4 = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 40


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def answer_for(owner, code, level=None, group=""):
    field = "spd_profile" if isinstance(owner, SpdProfile) else "innovation"
    return Answer.objects.create(
        **{field: owner},
        indicator=owner.cycle.edition.indicators.get(code=code),
        level=level,
        option_group=group,
    )


def add_file(answer, name, content, by, *, review="accepted", content_type="application/pdf", **meta):
    item = Evidence(
        answer=answer,
        kind="file",
        original_name=name,
        content_type=content_type,
        size=len(content),
        review=review,
        review_note="Tidak terbaca" if review == "rejected" else "",
        created_by=by,
        **meta,
    )
    item.file.save(name, ContentFile(content), save=True)
    return item


def add_link(answer, url, by, **meta):
    return Evidence.objects.create(answer=answer, kind="link", url=url, created_by=by, **meta)


def make_entry(cycle, agency, by, name, status, **profile):
    return Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, created_by=by, status=status, **profile
    )


@pytest.fixture
def scene(open_cycle, agency_a, agency_b, region, owner, admin_user):
    """Two innovations that count (Dinkes submitted, Dikbud approved), one draft and one rejected that do not,
    and an SPD profile, with file and link evidence."""
    dinkes = make_entry(
        open_cycle,
        agency_a,
        owner,
        "Posyandu Digital",
        "submitted",
        initiator="OPD",
        initiator_name="Kepala Dinas",
        digital_kind="Digital",
        urusan="Kesehatan",
        related_urusan=["Sosial", "Pendidikan"],
        implementation_date=datetime.date(2023, 3, 1),
        design='=HYPERLINK("http://evil.example","klik")',
        goals="+62 811 000",
        benefits="-Balita terpantau",
        results="@SUM(A1)",
    )
    dinkes.budget_file.save("anggaran 2023.pdf", ContentFile(PDF_2), save=True)
    sid16 = answer_for(dinkes, "SID-16", 3)
    add_file(sid16, "SK Kepala Dinas.PDF", PDF, owner, document_number="7/2023", subject="SK Inovasi",
             document_date=datetime.date(2023, 4, 2))  # fmt: skip
    add_file(sid16, "SK Kepala Dinas.pdf", PDF_2, owner, review="rejected", document_number="=1+1")
    sid19 = answer_for(dinkes, "SID-19", 2)
    add_file(sid19, "foto kegiatan.png", PNG, owner, content_type="image/png")
    add_link(answer_for(dinkes, "SID-25", 1), "https://parepare.go.id/posyandu", owner, subject="Berita")
    answer_for(dinkes, "SID-30", 2, group="digital")

    dikbud = make_entry(open_cycle, agency_b, owner, "Sekolah Ramah", "approved", urusan="Pendidikan")
    add_file(answer_for(dikbud, "SID-16", 2), "perkada.pdf", PDF, owner)
    add_file(answer_for(dikbud, "SID-35", 2), "video.mp4", MP4, owner, content_type="video/mp4")

    draft_agency = Agency.objects.create(region=region, code="PD-DISHUB", name="Dinas Perhubungan",
                                         kind=Agency.Kind.PERANGKAT_DAERAH)  # fmt: skip
    draft = make_entry(open_cycle, draft_agency, owner, "Draf", "draft")
    add_file(answer_for(draft, "SID-16", 1), "draft.pdf", PDF, owner)
    rejected_agency = Agency.objects.create(region=region, code="PD-DINSOS", name="Dinas Sosial",
                                            kind=Agency.Kind.PERANGKAT_DAERAH)  # fmt: skip
    rejected = make_entry(open_cycle, rejected_agency, owner, "Ditolak", "rejected")
    add_file(answer_for(rejected, "SID-16", 1), "ditolak.pdf", PDF, owner)

    spd = SpdProfile.objects.create(cycle=open_cycle)
    add_file(answer_for(spd, "SPD-01", 3), "Perda Inovasi.pdf", PDF, admin_user, document_number="3/2022")
    add_link(answer_for(spd, "SPD-02a", 2), "https://jdih.parepare.go.id/perkada", admin_user)
    return {"dinkes": dinkes, "dikbud": dikbud, "spd": spd}


def build_through_the_page(user, cycle, capture):
    with capture(execute=True):
        response = client_for(user).post(reverse("handoff_request"), {"tahun": cycle.year})
    assert response.status_code == 302
    return HandoffPackage.objects.get()


@pytest.fixture
def package(scene, open_cycle, admin_user, django_capture_on_commit_callbacks):
    built = build_through_the_page(admin_user, open_cycle, django_capture_on_commit_callbacks)
    assert built.status == Status.DONE, built.message
    return built


def read_archive(package):
    with package.archive.open("rb") as handle:
        return zipfile.ZipFile(io.BytesIO(handle.read()))


def read_workbook(package):
    with package.workbook.open("rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def column(sheet, letter):
    return [cell.value for cell in sheet[letter][1:]]


def line_of(sheet, code, nth=0):
    rows = [row for row in sheet.iter_rows(min_row=2, values_only=True) if row[0] == code]
    return rows[nth]


# --- the archive --------------------------------------------------------------------------------------------


def test_archive_holds_every_file_of_the_counted_entries_under_its_indicator_code(package, scene):
    archive = read_archive(package)
    assert sorted(archive.namelist()) == [
        "01_dinas-kesehatan/SID-16_sk-kepala-dinas.pdf",
        "01_dinas-kesehatan/SID-16_sk-kepala-dinas_2.pdf",
        "01_dinas-kesehatan/SID-19_foto-kegiatan.png",
        "01_dinas-kesehatan/anggaran_anggaran_2023.pdf",
        "02_dinas-pendidikan-dan-kebudayaan/SID-16_perkada.pdf",
        "02_dinas-pendidikan-dan-kebudayaan/SID-35_video.mp4",
        "SPD/SPD-01_perda-inovasi.pdf",
    ]
    assert archive.testzip() is None
    assert archive.read("01_dinas-kesehatan/anggaran_anggaran_2023.pdf") == PDF_2


def test_every_accepted_evidence_file_is_found_with_its_exact_bytes(package, scene):
    archive = read_archive(package)
    accepted = Evidence.objects.filter(kind="file", review="accepted").exclude(
        answer__innovation__status__in=["draft", "rejected"]
    )
    assert accepted.count() == 5
    for item in accepted.select_related("answer__indicator"):
        code = item.answer.indicator.code
        matches = [name for name in archive.namelist() if name.split("/")[1].startswith(f"{code}_")]
        with item.file.open("rb") as stored:
            content = stored.read()
        assert content in [archive.read(name) for name in matches], (code, item.original_name)
    # The rejected item goes too: the verifier sees what the region claims; its verdict is in the workbook.
    assert archive.read("01_dinas-kesehatan/SID-16_sk-kepala-dinas_2.pdf") == PDF_2


def test_archive_deflates_pdfs_and_stores_compressed_media_as_they_are(package):
    infos = {info.filename: info.compress_type for info in read_archive(package).infolist()}
    assert infos["01_dinas-kesehatan/SID-16_sk-kepala-dinas.pdf"] == zipfile.ZIP_DEFLATED
    assert infos["01_dinas-kesehatan/SID-19_foto-kegiatan.png"] == zipfile.ZIP_STORED
    assert infos["02_dinas-pendidikan-dan-kebudayaan/SID-35_video.mp4"] == zipfile.ZIP_STORED


def test_draft_and_rejected_entries_stay_out_of_the_package(package):
    names = " ".join(read_archive(package).namelist())
    assert "draft" not in names and "ditolak" not in names
    assert read_workbook(package).sheetnames == [
        "Profil SPD",
        "01 Dinas Kesehatan",
        "02 Dinas Pendidikan dan Kebuday",  # 31 characters
    ]


# --- the workbook -------------------------------------------------------------------------------------------


def test_spd_sheet_lists_the_catalogue_rows_in_order_with_their_evidence(package, open_cycle):
    sheet = read_workbook(package)["Profil SPD"]
    edition = open_cycle.edition.parsed()
    assert sheet.freeze_panes == "A2"
    assert column(sheet, "A") == [row.id for row in edition.spd_rows]  # one line a row: one item at most
    perda = line_of(sheet, "SPD-01")
    spd01 = edition.row("SPD-01")
    assert perda[:4] == (
        "SPD-01",
        spd01.name,
        next(o.label for o in spd01.options if o.level == 3),
        3,
    )
    assert perda[5:8] == ("Perda Inovasi.pdf", "SPD/SPD-01_perda-inovasi.pdf", "3/2022")
    assert line_of(sheet, "SPD-02a")[5:7] == ("https://jdih.parepare.go.id/perkada", None)
    assert line_of(sheet, "SPD-03")[2:6] == (None, None, None, None)


def test_innovation_sheet_has_the_profile_in_form_order_then_the_20_indicators(package, open_cycle, scene):
    sheet = read_workbook(package)["01 Dinas Kesehatan"]
    edition = open_cycle.edition.parsed()
    assert sheet.freeze_panes == "A2"
    codes = [code for code in column(sheet, "A") if code]
    first_sid = codes.index("SID-16")
    profile_codes = list(dict.fromkeys(codes[:first_sid]))
    assert profile_codes == [item.name for item in edition.profile_fields]
    indicator_codes = list(dict.fromkeys(codes[first_sid:]))
    assert indicator_codes == [row.id for row in edition.sid_rows]
    assert codes[first_sid:].count("SID-16") == 2  # two evidence items, one line each

    assert line_of(sheet, "nama_inovasi")[2] == "Posyandu Digital"
    assert line_of(sheet, "urusan_utama")[2] == "Kesehatan"
    assert line_of(sheet, "urusan_lain_beririsan")[2] == "Sosial; Pendidikan"
    assert line_of(sheet, "inisiator", 0)[2] == "OPD"
    assert line_of(sheet, "inisiator", 1)[2] == "Kepala Dinas"
    assert line_of(sheet, "waktu_penerapan")[2].date() == datetime.date(2023, 3, 1)
    assert line_of(sheet, "anggaran")[6] == "01_dinas-kesehatan/anggaran_anggaran_2023.pdf"

    sid16 = edition.row("SID-16")
    accepted, rejected = line_of(sheet, "SID-16", 0), line_of(sheet, "SID-16", 1)
    assert accepted[1:4] == (sid16.name, next(o.label for o in sid16.options if o.level == 3), 3)
    assert accepted[5:11] == (
        "SK Kepala Dinas.PDF",
        "01_dinas-kesehatan/SID-16_sk-kepala-dinas.pdf",
        "7/2023",
        datetime.datetime(2023, 4, 2),
        "SK Inovasi",
        "Sesuai",
    )
    assert (rejected[6], rejected[10]) == ("01_dinas-kesehatan/SID-16_sk-kepala-dinas_2.pdf", "Tidak Sesuai")
    link = line_of(sheet, "SID-25")
    assert (link[5], link[6], link[9]) == ("https://parepare.go.id/posyandu", None, "Berita")
    digital = edition.row("SID-30").option_groups["digital"]
    assert line_of(sheet, "SID-30")[2] == "Digital: " + next(o.label for o in digital if o.level == 2)
    assert line_of(sheet, "SID-31")[2:6] == (None, None, None, None)


def test_text_that_looks_like_a_formula_is_written_as_text(package):
    book = read_workbook(package)
    sheet = book["01 Dinas Kesehatan"]
    for code, text in [
        ("rancang_bangun", '=HYPERLINK("http://evil.example","klik")'),
        ("tujuan_inovasi", "+62 811 000"),
        ("manfaat_diperoleh", "-Balita terpantau"),
        ("hasil_inovasi", "@SUM(A1)"),
    ]:
        row = next(row for row in sheet.iter_rows(min_row=2) if row[0].value == code)
        assert (row[2].value, row[2].data_type, row[2].quotePrefix) == (text, "s", True)
    number = next(row[7] for row in sheet.iter_rows(min_row=2) if row[7].value == "=1+1")
    assert number.data_type == "s"
    with package.workbook.open("rb") as handle, zipfile.ZipFile(handle) as raw:
        sheets = [name for name in raw.namelist() if name.startswith("xl/worksheets/sheet")]
        assert all(b"<f>" not in raw.read(name) for name in sheets)


def test_write_cell_drops_characters_a_workbook_cannot_hold():
    sheet = openpyxl.Workbook(write_only=True).create_sheet()
    assert handoff.write_cell(sheet, "Rancang\x0bbangun\x00").value == "Rancangbangun"


# --- the record of what left ------------------------------------------------------------------------------


def test_done_package_writes_one_export_log_with_the_checksums_and_the_index(package, open_cycle, admin_user):
    with package.workbook.open("rb") as handle:
        workbook_bytes = handle.read()
    with package.archive.open("rb") as handle:
        archive_bytes = handle.read()
    assert package.workbook_checksum == hashlib.sha256(workbook_bytes).hexdigest()
    assert package.archive_checksum == hashlib.sha256(archive_bytes).hexdigest()
    assert (package.done_steps, package.total_steps, package.percent) == (8, 8, 100)  # 7 files + workbook
    assert package.started_at <= package.finished_at and package.task_id
    log = ExportLog.objects.get()
    result = cycle_index(open_cycle).result
    assert (log.format, log.filters, log.row_count, log.created_by, log.edition) == (
        "handoff",
        {},
        2,
        admin_user,
        open_cycle.edition,
    )
    assert (log.checksum, log.size) == (package.workbook_checksum, len(workbook_bytes))
    assert (log.claimed_iid, log.verified_iid) == (result.self_assessed.iid, result.verified.iid)
    assert log.filename.endswith(".xlsx")


def test_building_the_same_package_again_does_nothing(package):
    assert handoff.build(package.pk) == Status.DONE
    assert ExportLog.objects.count() == 1


# --- requests, double clicks, stalls, failures ---------------------------------------------------------------


def test_double_submit_starts_one_package_and_tells_the_second_click(open_cycle, admin_user, reviewer):
    # Without running the on-commit callbacks the first package stays queued, as behind a busy worker.
    first = client_for(admin_user).post(reverse("handoff_request"), {"tahun": 2024})
    second = client_for(reviewer).post(reverse("handoff_request"), {"tahun": 2024}, follow=True)
    assert first.status_code == 302 and second.status_code == 200
    assert HandoffPackage.objects.count() == 1
    message = [str(m) for m in second.context["messages"]]
    assert len(message) == 1 and admin_user.full_name in message[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres_only
def test_twenty_simultaneous_requests_start_one_package(open_cycle, admin_user, settings):
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL, the production database")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    requests, errors = run_together(
        20, lambda _number: handoff.request_package(cycle=open_cycle, by=admin_user)
    )
    assert [repr(error) for error in errors] == []
    assert HandoffPackage.objects.count() == 1
    only = HandoffPackage.objects.get().pk
    assert sorted((package.pk, created) for package, created in requests) == [(only, False)] * 19 + [
        (only, True)
    ]


def test_a_finished_package_does_not_block_a_new_one(
    package, open_cycle, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client_for(admin_user).post(reverse("handoff_request"), {"tahun": 2024})
    assert list(HandoffPackage.objects.values_list("status", flat=True)) == ["done", "done"]
    assert ExportLog.objects.count() == 2


def test_package_running_over_an_hour_is_stalled_and_may_be_requested_again(open_cycle, admin_user):
    old, created = handoff.request_package(cycle=open_cycle, by=admin_user)
    assert created
    HandoffPackage.objects.filter(pk=old.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=61)
    )
    page = client_for(admin_user).get(reverse("handoff"))
    assert page.context["packages"][0][1:] == (True, False)  # stalled, not busy
    assert (
        'data-testid="handoff-status"' in page.content.decode() and "hx-trigger" not in page.content.decode()
    )
    new, created = handoff.request_package(cycle=open_cycle, by=admin_user)
    old.refresh_from_db()
    assert created and new.pk != old.pk
    assert old.status == Status.FAILED and old.message and old.finished_at


def test_package_running_for_less_than_an_hour_is_not_stalled(open_cycle, admin_user):
    package, _created = handoff.request_package(cycle=open_cycle, by=admin_user)
    HandoffPackage.objects.filter(pk=package.pk).update(
        status=Status.RUNNING, started_at=timezone.now() - datetime.timedelta(minutes=59)
    )
    again, created = handoff.request_package(cycle=open_cycle, by=admin_user)
    assert (again.pk, created) == (package.pk, False)


def test_missing_file_is_left_out_and_named_in_the_workbook(
    scene, open_cycle, admin_user, django_capture_on_commit_callbacks
):
    lost = Evidence.objects.get(original_name="perkada.pdf")
    lost.file.storage.delete(lost.file.name)
    package = build_through_the_page(admin_user, open_cycle, django_capture_on_commit_callbacks)
    assert package.status == Status.DONE
    assert "1" in package.message
    assert "02_dinas-pendidikan-dan-kebudayaan/SID-16_perkada.pdf" not in read_archive(package).namelist()
    sheet = read_workbook(package)["02 Dinas Pendidikan dan Kebuday"]
    line = line_of(sheet, "SID-16")
    assert line[5] == "perkada.pdf" and line[6] != "02_dinas-pendidikan-dan-kebudayaan/SID-16_perkada.pdf"
    assert line[6] == handoff_missing_text()
    page = client_for(admin_user).get(reverse("handoff"))
    assert package.message in page.content.decode()


def handoff_missing_text():
    from django.utils import translation

    with translation.override("id"):
        return handoff._archive_cell(("x",), {}, {("x",)})


def test_failure_marks_the_package_failed_with_a_message_and_leaves_no_files(
    scene, open_cycle, admin_user, monkeypatch, settings, django_capture_on_commit_callbacks
):
    def disk_full(self, name, content):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(FileSystemStorage, "_save", disk_full)
    package = build_through_the_page(admin_user, open_cycle, django_capture_on_commit_callbacks)
    assert package.status == Status.FAILED
    assert "No space left on device" in package.message and package.finished_at
    assert not package.workbook and not package.archive
    assert not (settings.MEDIA_ROOT / "handoff").exists()
    assert ExportLog.objects.count() == 0
    page = client_for(admin_user).get(reverse("handoff")).content.decode()
    assert "handoff-workbook" not in page and "hx-trigger" not in page


def test_failure_is_raised_to_the_task_runner_too(scene, open_cycle, admin_user, monkeypatch):
    monkeypatch.setattr(FileSystemStorage, "_save", lambda *args: (_ for _ in ()).throw(OSError("disk")))
    package = HandoffPackage.objects.create(cycle=open_cycle, requested_by=admin_user)
    with pytest.raises(OSError):
        handoff.build(package.pk)
    package.refresh_from_db()
    assert package.status == Status.FAILED


def test_progress_is_written_about_once_a_percent_not_once_a_file(open_cycle, admin_user):
    package = HandoffPackage.objects.create(cycle=open_cycle)
    HandoffPackage.objects.filter(pk=package.pk).update(status=Status.RUNNING, total_steps=2001)
    progress = handoff.Progress(package.pk, 2001, clock=lambda: 0.0)
    with CaptureQueriesContext(connection) as queries:
        for _file in range(2000):
            progress.advance()
    # 2000 of 2001 steps reach 99 %: one write for each whole percent from 1 to 99; the last step is the finish.
    assert len(queries) == 99
    package.refresh_from_db()
    assert package.done_steps == 1981  # the first step at 99 %: 1981 * 100 // 2001 == 99


def test_progress_is_written_each_second_when_files_are_slow(open_cycle):
    package = HandoffPackage.objects.create(cycle=open_cycle)
    HandoffPackage.objects.filter(pk=package.pk).update(status=Status.RUNNING, total_steps=100_000)
    ticks = iter([0.0, 0.4, 0.8, 1.2, 1.3])
    progress = handoff.Progress(package.pk, 100_000, clock=lambda: next(ticks))
    with CaptureQueriesContext(connection) as queries:
        for _file in range(4):
            progress.advance()
    assert len(queries) == 1  # at 1.2 s
    assert HandoffPackage.objects.get(pk=package.pk).done_steps == 3


def test_progress_stops_the_build_when_the_package_was_declared_stalled(open_cycle):
    package = HandoffPackage.objects.create(cycle=open_cycle)
    HandoffPackage.objects.filter(pk=package.pk).update(status=Status.FAILED, total_steps=10)
    with pytest.raises(handoff.PackageAbandoned):
        handoff.Progress(package.pk, 10).advance()


# --- pages --------------------------------------------------------------------------------------------------


def test_progress_partial_polls_while_building_and_stops_when_done(open_cycle, admin_user, package):
    running = HandoffPackage.objects.create(cycle=open_cycle, requested_by=admin_user)
    HandoffPackage.objects.filter(pk=running.pk).update(
        status=Status.RUNNING, started_at=timezone.now(), done_steps=3, total_steps=10
    )
    client = client_for(admin_user)
    busy = client.get(reverse("handoff_progress", args=[running.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in busy and 'value="30"' in busy
    assert reverse("handoff_progress", args=[running.pk]) in busy
    finished = client.get(reverse("handoff_progress", args=[package.pk])).content.decode()
    assert "hx-trigger" not in finished and "<progress" not in finished
    assert reverse("handoff_workbook", args=[package.pk]) in finished
    assert package.workbook_checksum in finished and package.archive_checksum in finished


def test_downloads_stream_the_stored_files(package, reviewer):
    client = client_for(reviewer)
    for name, field in (("handoff_workbook", package.workbook), ("handoff_archive", package.archive)):
        response = client.get(reverse(name, args=[package.pk]))
        with field.open("rb") as handle:
            assert b"".join(response.streaming_content) == handle.read()
        assert response["Content-Disposition"].startswith("attachment")


def test_unfinished_package_has_nothing_to_download(open_cycle, admin_user):
    queued, _created = handoff.request_package(cycle=open_cycle, by=admin_user)
    response = client_for(admin_user).get(reverse("handoff_workbook", args=[queued.pk]))
    assert_error_page(response, 404)  # the error page, not an empty attachment
    assert not response.has_header("Content-Disposition")


def test_page_lists_the_packages_of_the_chosen_year_with_status(package, open_cycle, region, admin_user):

    older = make_cycle(region, 2023, open_cycle.edition)
    client = client_for(admin_user)
    current = client.get(reverse("handoff"))
    assert current.context["cycle"] == open_cycle and len(current.context["packages"]) == 1
    assert package.workbook_checksum in current.content.decode()
    chosen = client.get(reverse("handoff"), {"tahun": 2023})
    assert chosen.context["cycle"] == older and chosen.context["packages"] == []
    for bad in ("1999", "abc", "２０２４"):
        response = client.get(reverse("handoff"), {"tahun": bad})
        assert response.status_code == 200 and response.context["cycle"] is None
        assert 'data-testid="year-problem"' in response.content.decode()


def test_page_query_count_does_not_grow_with_packages(open_cycle, admin_user, django_assert_num_queries):
    client = client_for(admin_user)
    HandoffPackage.objects.create(cycle=open_cycle, requested_by=admin_user)
    with django_assert_num_queries(6):
        client.get(reverse("handoff"))
    for _n in range(2):
        HandoffPackage.objects.create(cycle=open_cycle, requested_by=admin_user)
    with django_assert_num_queries(6):
        response = client.get(reverse("handoff"))
    assert len(response.context["packages"]) == 3


# --- who may -------------------------------------------------------------------------------------------------


def urls_of(package):
    return [
        ("get", reverse("handoff")),
        ("post", reverse("handoff_request")),
        ("get", reverse("handoff_progress", args=[package.pk])),
        ("get", reverse("handoff_workbook", args=[package.pk])),
        ("get", reverse("handoff_archive", args=[package.pk])),
    ]


def test_anonymous_is_sent_to_login(package):
    from django.test import Client

    for method, url in urls_of(package):
        response = getattr(Client(), method)(url, {"tahun": 2024} if method == "post" else None)
        assert_sent_to_login(response, url)


def test_innovators_are_refused(package, owner, outsider):
    for person in (owner, outsider):
        for method, url in urls_of(package):
            response = getattr(client_for(person), method)(url, {"tahun": 2024} if method == "post" else None)
            assert_error_page(response, 403, package.workbook_checksum)
    assert HandoffPackage.objects.count() == 1


def test_another_regions_bappeda_finds_nothing(package, other_region):
    foreign = make_person("admin@makassar.example.org", Role.ADMIN, other_region)
    client = client_for(foreign)
    for name in ("handoff_progress", "handoff_workbook", "handoff_archive"):
        assert_error_page(client.get(reverse(name, args=[package.pk])), 404, package.workbook_checksum)
    assert_error_page(client.post(reverse("handoff_request"), {"tahun": 2024}), 404)
    page = client.get(reverse("handoff"))
    assert page.context["packages"] == [] and package.workbook_checksum not in page.content.decode()
    assert HandoffPackage.objects.count() == 1


# --- names, without the database ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("01 Dinas [Kesehatan]: *baru*?", "01 Dinas Kesehatan baru"),
        ("02 A/B\\C", "02 A B C"),
        ("03 " + "x" * 40, "03 " + "x" * 28),
        ("04 Kantor 'Camat'", "04 Kantor 'Camat"),
    ],
)
def test_sheet_name_is_valid_for_a_workbook(text, expected):
    assert handoff.sheet_name(text) == expected


def test_archive_names_are_slugs_with_the_code_and_unique_in_their_folder():
    used: set[str] = set()
    assert handoff.archive_name("SID-16", "SK Kepala Dinas.PDF", used) == "SID-16_sk-kepala-dinas.pdf"
    assert handoff.archive_name("SID-16", "sk kepala dinas.pdf", used) == "SID-16_sk-kepala-dinas_2.pdf"
    assert handoff.archive_name("SID-16", "SK_Kepala-Dinas.pdf", used) == "SID-16_sk_kepala-dinas.pdf"
    assert handoff.archive_name("SID-16", "sk kepala dinas.pdf", used) == "SID-16_sk-kepala-dinas_3.pdf"
    assert handoff.archive_name("SPD-02a", "??.jpeg", used) == "SPD-02a_berkas.jpeg"
    assert handoff.archive_name("SID-19", "../../etc/passwd", used) == "SID-19_passwd"
