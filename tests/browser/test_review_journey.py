"""Reviewer sends an entry back with a note on one row; the innovator fixes it; the reviewer sees the diff and approves."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import call_command

from agencies.models import Agency, User
from registry.models import Answer, Cycle, Evidence, Innovation
from scoring.collect import cycle_index
from tests.browser.conftest import sign_in
from tests.registry.upload_samples import VALID_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROWS = {"SID-16": ("", 3), "SID-17": ("", 2), "SID-32": ("", 1), "SID-33": ("orang", 1), "SID-35": ("", 2)}


def submitted_entry():
    cycle = Cycle.objects.get(year=2024)
    innovator = User.objects.get(email="inovator.dinkes@parepare.demo")
    entry = Innovation.objects.create(
        cycle=cycle,
        agency=Agency.objects.get(code="PD-DINKES"),
        name="Posyandu Digital",
        created_by=innovator,
        status="submitted",
        urusan="Kesehatan",
        initiator="OPD",
        digital_kind="Digital",
        form_kind="Inovasi pelayanan publik",
        thematic="Non tematik",
        implementation_date=datetime.date(2023, 2, 1),
        design=" ".join(["rancang"] * 300),
        goals="Tujuan",
        benefits="Manfaat",
        results="Hasil",
    )
    for code, (group, level) in ROWS.items():
        answer = Answer.objects.create(
            innovation=entry,
            indicator=cycle.edition.indicators.get(code=code),
            option_group=group,
            level=level,
        )
        Evidence.objects.create(
            answer=answer, kind="link", url=f"https://parepare.go.id/{code}", created_by=innovator
        )
    return entry


def give_verdict(page, code, value, *, level=None, note="", item_note=""):
    """Judge the row's unchecked evidence items as `value` too, then the row itself."""
    form = page.get_by_test_id(f"verdict-form-{code}")
    items = form.get_by_test_id("evidence-item")
    for index in range(items.count()):
        item = items.nth(index)
        if item.get_attribute("data-review") != "pending":
            continue
        item.get_by_label(value, exact=True).check()
        if item_note:
            item.get_by_label("Alasan (wajib untuk Tidak Sesuai)").fill(item_note)
    form.get_by_label(f"Baris {value}", exact=True).check()
    if level is not None:
        form.get_by_label("Level yang didukung").select_option(str(level))
    if note:
        form.get_by_label("Catatan untuk inovator").fill(note)
    form.get_by_role("button", name="Simpan penilaian").click()
    page.wait_for_load_state()


def test_send_back_fix_resubmit_and_approve(live_server, browser, shot):
    call_command("seed_demo")
    entry = submitted_entry()
    base = live_server.url
    reviewer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    innovator = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    for page in (reviewer, innovator):
        page.set_default_timeout(15_000)

    sign_in(reviewer, base, "verifikator@parepare.demo")
    reviewer.goto(f"{base}/review/")
    reviewer.get_by_role("link", name="Posyandu Digital", exact=True).click()
    for code in ("SID-16", "SID-32", "SID-33", "SID-35"):
        give_verdict(reviewer, code, "Sesuai")
    give_verdict(
        reviewer,
        "SID-17",
        "Tidak Sesuai",
        level=1,
        note="SK tim hanya memuat 8 orang",
        item_note="Lampiran anggota tim tidak ada",
    )
    assert reviewer.get_by_test_id("verified").inner_text() == "24"  # 26 claimed, SID-17 down from 4 to 2
    reviewer.get_by_label("Catatan (wajib").fill("Perbaiki data dukung indikator SDM.")
    reviewer.get_by_test_id("request-revision").click()
    reviewer.get_by_text("Perlu perbaikan").first.wait_for()
    shot(reviewer, "review-sent-back-desktop")

    sign_in(innovator, base, "inovator.dinkes@parepare.demo")
    innovator.goto(f"{base}/entries/{entry.pk}/")
    assert "Perbaiki data dukung indikator SDM." in innovator.get_by_test_id("revision-note").inner_text()
    assert "8 orang" in innovator.get_by_test_id("fix-SID-17").inner_text()
    shot(innovator, "review-revision-innovator-phone")
    innovator.goto(f"{base}/entries/{entry.pk}/indicators/SID-17/")
    form = innovator.get_by_test_id("evidence-form")
    form.get_by_label("Berkas").set_input_files(
        files=[{"name": "sk-tim-lengkap.pdf", "mimeType": "application/pdf", "buffer": VALID_PDF}]
    )
    form.get_by_label("Nomor dokumen").fill("800/12/2023")
    form.get_by_label("Tanggal dokumen").fill("2023-06-01")
    form.get_by_label("Perihal").fill("SK Tim Inovasi (lengkap)")
    form.get_by_test_id("add-evidence").click()
    innovator.get_by_test_id("evidence-item").nth(1).wait_for()
    innovator.goto(f"{base}/entries/{entry.pk}/")
    innovator.get_by_test_id("submit-entry").click()
    innovator.get_by_text("Diajukan ulang").first.wait_for()

    before = cycle_index(entry.cycle).result.verified
    reviewer.goto(f"{base}/review/{entry.pk}/")
    changes = reviewer.get_by_test_id("changes").inner_text()
    assert "SID-17" in changes and "SID-16" not in changes
    # A saved verdict shows its level again: SID-16 was judged Sesuai at its chosen level 3.
    assert (
        reviewer.get_by_test_id("verdict-form-SID-16").get_by_label("Level yang didukung").input_value()
        == "3"
    )
    # SID-17's verdict was cleared on resubmission: approving now is refused, naming the row, and
    # the typed note stays.
    reviewer.get_by_test_id("start-review").click()
    reviewer.wait_for_load_state()
    unjudged = reviewer.get_by_test_id("unjudged")
    assert "SID-17" in unjudged.inner_text() and "SID-16" not in unjudged.inner_text()
    reviewer.get_by_label("Catatan (wajib").fill("Data dukung sudah lengkap.")
    reviewer.get_by_test_id("approve").click()
    reviewer.get_by_text("Belum ada keputusan untuk 1 baris yang diisi (opsi dan bukti): SID-17.").wait_for()
    assert reviewer.get_by_label("Catatan (wajib").input_value() == "Data dukung sudah lengkap."
    assert Innovation.objects.get(pk=entry.pk).status == "in_review"
    shot(reviewer, "review-approve-refused-desktop")
    reviewer.get_by_test_id("unjudged").get_by_role("link", name="SID-17").click()
    give_verdict(reviewer, "SID-17", "Sesuai")
    assert reviewer.get_by_test_id("verified").inner_text() == "26"
    assert reviewer.get_by_test_id("unjudged").count() == 0
    reviewer.get_by_label("Catatan (wajib").fill("Data dukung sudah lengkap.")
    reviewer.get_by_test_id("approve").click()
    reviewer.get_by_text("Disetujui").first.wait_for()
    shot(reviewer, "review-approved-desktop")
    after = cycle_index(entry.cycle).result.verified
    # Verified IID: nothing approved before; after, n = 1 and kematangan 26: SID = 26/10 + 0.38 = 2.98;
    # total 2.98 (no SPD profile yet); IID = 2.98 / 250 x 100 = 1.192 -> 1.19.
    assert (before.iid, after.iid) == (Decimal("0.00"), Decimal("1.19"))
