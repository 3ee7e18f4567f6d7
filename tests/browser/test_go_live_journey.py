"""A new region goes live: `setup_region` on an empty database, then everything else in the browser."""

import io
import re

import pytest
from django.core import mail
from django.core.management import call_command

from agencies.models import Agency, Region, User
from registry.models import Innovation
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_PASSWORD = "Makassar-bappeda-2025"
INNOVATOR_PASSWORD = "Puskesmas-kassi-2025"
AGENCIES = (
    "code;name;kind;parent_code\n"
    "PD-DINKES;Dinas Kesehatan;perangkat_daerah;\n"
    "UPTD-PKM-KASSI;UPTD Puskesmas Kassi-Kassi;uptd;PD-DINKES\n"
    "KEC-RAPPOCINI;Kecamatan Rappocini;kecamatan;\n"
    "KEL-KASSI;Kelurahan Kassi-Kassi;kelurahan;KEC-RAPPOCINI\n"
)


def invitation_path(text: str) -> str:
    return re.search(r"/accounts/invitation/[^/\s]+/[^/\s]+/", text).group(0)


def choose_password(page, url: str, password: str) -> None:
    page.goto(url)
    page.locator("#id_new_password1").fill(password)
    page.get_by_label("Konfirmasi sandi baru").fill(password)
    page.get_by_role("button", name="Aktifkan akun saya").click()
    page.wait_for_url("**/accounts/invitation/done/")


def test_a_new_region_goes_live_from_the_command_line_to_the_first_entry(
    live_server, browser, desktop, phone, shot, tmp_path, settings
):
    settings.REGISTRI_BASE_URL = live_server.url
    assert not Region.objects.exists()
    out = io.StringIO()
    call_command(
        "setup_region",
        *("--code", "73.71", "--name", "Kota Makassar", "--kind", "kota"),
        *("--admin-email", "bappeda@makassar.go.id", "--admin-name", "Rahmat Bappeda"),
        stdout=out,
    )
    printed_link = invitation_path(out.getvalue())

    # The administrator chooses a password through the printed link and signs in.
    choose_password(desktop, live_server.url + printed_link, ADMIN_PASSWORD)
    sign_in(desktop, live_server.url, "bappeda@makassar.go.id", ADMIN_PASSWORD)
    steps = desktop.get_by_test_id("setup-steps")
    assert "Belum ada instansi" in steps.inner_text()
    shot(desktop, "go-live-admin-first-home")

    # The agencies come from a spreadsheet saved with semicolons.
    csv_file = tmp_path / "instansi-makassar.csv"
    csv_file.write_text(AGENCIES, encoding="utf-8")
    steps.get_by_test_id("setup-import").click()
    desktop.get_by_label("Berkas CSV").set_input_files(str(csv_file))
    desktop.get_by_role("button", name="Impor").click()
    assert "4 ditambahkan" in desktop.get_by_test_id("import-report").inner_text()
    assert Agency.objects.filter(region__code="73.71").count() == 4

    # Then an innovator of the puskesmas is invited.
    desktop.goto(f"{live_server.url}/people/invite/")
    desktop.get_by_label("Alamat e-mail").fill("pkm.kassi@makassar.go.id")
    desktop.get_by_label("Nama lengkap").fill("Nur Puskesmas Kassi")
    desktop.get_by_label("Peran").select_option("innovator")
    desktop.get_by_label("Instansi").select_option(label="UPTD Puskesmas Kassi-Kassi")
    desktop.get_by_role("button", name="Kirim undangan").click()
    desktop.wait_for_url(f"{live_server.url}/people/")
    invitation = next(message for message in mail.outbox if message.to == ["pkm.kassi@makassar.go.id"])
    assert "Rahmat Bappeda" in invitation.body
    desktop.goto(f"{live_server.url}/")
    assert desktop.get_by_test_id("setup-steps").count() == 0
    shot(desktop, "go-live-admin-ready")

    # The innovator, on a phone, activates the account from the e-mail and starts the year's entry.
    choose_password(phone, live_server.url + invitation_path(invitation.body), INNOVATOR_PASSWORD)
    sign_in(phone, live_server.url, "pkm.kassi@makassar.go.id", INNOVATOR_PASSWORD)
    phone.get_by_test_id("start-entry-link").click()
    phone.get_by_label("Nama inovasi").fill("Antrean Puskesmas dari Rumah")
    phone.get_by_test_id("start-entry").click()
    phone.wait_for_url(re.compile(r".*/entries/\d+/.*"))
    shot(phone, "go-live-innovator-first-entry")

    entry = Innovation.objects.get()
    assert entry.name == "Antrean Puskesmas dari Rumah"
    assert entry.agency.code == "UPTD-PKM-KASSI"
    assert entry.cycle.region.code == "73.71"
    assert entry.created_by == User.objects.get(email="pkm.kassi@makassar.go.id")
