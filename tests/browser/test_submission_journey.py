"""An innovator on a 360 px phone fills the profile and the evidence, reloads midway, and submits."""

import pytest
from django.core.management import call_command

from registry.models import Answer, Evidence
from tests.browser.conftest import sign_in, start_entry
from tests.registry.upload_samples import VALID_PDF

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = VALID_PDF  # a PDF that parses: the upload checks read it with pypdf
DESIGN = " ".join(
    ["Dasar hukum, permasalahan, isu strategis, metode pembaharuan, keunggulan dan cara kerja inovasi."] * 30
)


def wait_saved(page):
    page.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()


def answer(page, base_url, entry, code, option, *, pdf=None, link=None, number="01/2023"):
    page.goto(f"{base_url}/entries/{entry.pk}/indicators/{code}/")
    page.get_by_label("Jawaban Anda").select_option(option)
    wait_saved(page)
    form = page.get_by_test_id("evidence-form")
    if pdf:
        form.get_by_label("Berkas").set_input_files(str(pdf))
    if link:
        form.get_by_label("Atau tautan").fill(link)
    form.get_by_label("Nomor dokumen").fill(number)
    form.get_by_label("Tanggal dokumen").fill("2023-03-01")
    form.get_by_label("Perihal").fill("Keputusan penetapan inovasi")
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").first.wait_for()


def test_innovator_fills_and_submits_on_a_phone(live_server, phone, shot, tmp_path):
    call_command("seed_demo")
    base = live_server.url
    pdf = tmp_path / "sk-inovasi.pdf"
    pdf.write_bytes(PDF)
    sign_in(phone, base, "inovator.dinkes@parepare.demo")
    entry = start_entry(phone, "Posyandu Digital Parepare")

    phone.get_by_label("Inisiator", exact=True).select_option("OPD")
    phone.get_by_label("Digital atau tidak").select_option("Digital")
    phone.get_by_label("Bentuk inovasi").select_option("Inovasi pelayanan publik")
    phone.get_by_label("Tema").select_option("Digitalisasi layanan pemerintahan")
    phone.get_by_label("Urusan pemerintahan utama").select_option("Kesehatan")
    phone.get_by_label("Tanggal penerapan").fill("2023-02-01")
    phone.get_by_label("Rancang bangun").fill(DESIGN)
    phone.get_by_label("Tujuan").fill("Mempercepat layanan posyandu.")
    phone.get_by_label("Manfaat").fill("Ibu dan balita terlayani lebih cepat.")
    phone.get_by_label("Hasil").fill("Cakupan penimbangan naik.")
    wait_saved(phone)
    shot(phone, "submission-profile-phone")

    answer(phone, base, entry, "SID-16", "3", pdf=pdf)
    answer(phone, base, entry, "SID-17", "2", pdf=pdf)
    # Midway: a reload finds everything typed and added so far.
    phone.reload()
    assert phone.get_by_label("Jawaban Anda").input_value() == "2"
    assert phone.get_by_test_id("evidence-item").count() == 1
    phone.goto(f"{base}/entries/{entry.pk}/profile/")
    assert phone.get_by_label("Tujuan").input_value() == "Mempercepat layanan posyandu."
    answer(phone, base, entry, "SID-25", "3", link="https://www.instagram.com/p/posyandu-digital")
    shot(phone, "submission-indicator-phone")

    # Submitting now is refused with the list of what is missing.
    phone.goto(f"{base}/entries/{entry.pk}/")
    phone.get_by_test_id("submit-entry").click()
    missing = phone.get_by_test_id("missing").inner_text()
    assert "SID-32" in missing and "SID-33" in missing and "SID-35" in missing
    entry.refresh_from_db()
    assert entry.status == "draft"

    answer(phone, base, entry, "SID-32", "1", pdf=pdf)
    answer(phone, base, entry, "SID-33", "orang:1", pdf=pdf)
    answer(phone, base, entry, "SID-35", "2", link="https://www.youtube.com/watch?v=posyandu")
    phone.goto(f"{base}/entries/{entry.pk}/")
    # SID-16 3x3 + SID-17 2x2 + SID-25 1x3 + SID-32 2x1 + SID-33 3x1 + SID-35 4x2 = 29
    assert phone.get_by_test_id("kematangan").inner_text() == "29"
    assert phone.get_by_test_id("completeness").inner_text() == "6/20"
    with phone.expect_navigation():
        phone.get_by_test_id("submit-entry").click()
    phone.get_by_test_id("timeline").wait_for()
    assert phone.get_by_test_id("status").first.inner_text() == "Diajukan"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "submission-submitted-phone")
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert Evidence.objects.filter(answer__innovation=entry, kind="file").count() == 4
    assert Answer.objects.get(innovation=entry, indicator__code="SID-33").option_group == "orang"


def test_failed_upload_is_retried_without_refilling_the_form(live_server, phone, tmp_path):
    call_command("seed_demo")
    base = live_server.url
    pdf = tmp_path / "sk.pdf"
    pdf.write_bytes(PDF)
    sign_in(phone, base, "inovator.puskesmas@parepare.demo")
    entry = start_entry(phone, "Puskesmas Ramah Lansia")
    phone.goto(f"{base}/entries/{entry.pk}/indicators/SID-16/")
    form = phone.get_by_test_id("evidence-form")
    form.get_by_label("Berkas").set_input_files(str(pdf))
    form.get_by_label("Nomor dokumen").fill("45/2023")
    form.get_by_label("Tanggal dokumen").fill("2023-03-01")
    form.get_by_label("Perihal").fill("SK Kepala Dinas")
    # The connection drops during the first upload.
    phone.route("**/evidence/", lambda route: route.abort("connectionreset"))
    form.get_by_test_id("add-evidence").click()
    retry = form.get_by_role("button", name="Coba lagi")
    retry.wait_for()
    assert "gagal" in form.inner_text().lower()
    assert form.get_by_label("Nomor dokumen").input_value() == "45/2023"
    assert not Evidence.objects.exists()
    phone.unroute("**/evidence/")
    retry.click()
    phone.get_by_test_id("evidence-item").first.wait_for()
    item = Evidence.objects.get()
    assert (item.original_name, item.document_number) == ("sk.pdf", "45/2023")
