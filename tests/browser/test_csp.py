"""Every main page works under the Content-Security-Policy: chromium reports no violation for any demo role.

The policy refuses inline scripts, inline event handlers, style attributes and <style> elements; a page that still
used one would lose it silently in production (a confirmation that no longer asks, an autosave whose status never
shows). Chromium logs each refusal ("Refused to apply inline style…") and fires `securitypolicyviolation`; both
are collected on every page, while the page is used as its role uses it (autosave, upload, confirmation).
"""

import pytest
from django.core.management import call_command
from fpdf import FPDF

from agencies.models import Agency, User
from registry.models import Cycle, Evidence, Innovation
from registry.synthetic import create_synthetic_entries
from tests.browser.conftest import showcased_posyandu, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WATCH = """document.addEventListener("securitypolicyviolation", (event) => {
  (window.__violations = window.__violations || []).push(event.violatedDirective + " " + event.blockedURI);
});"""


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


class Watcher:
    """Collects CSP refusals per page from the console and from `securitypolicyviolation` events."""

    def __init__(self, page):
        self.page = page
        self.found: dict[str, list[str]] = {}
        self.pages: list[str] = []
        page.add_init_script(WATCH)
        page.on("console", self._console)

    def _console(self, message):
        if "Content Security Policy" in message.text or message.text.startswith("Refused to"):
            self.found.setdefault(self.page.url, []).append(message.text)

    def collect(self) -> None:
        events = self.page.evaluate("window.__violations || []")
        if events:
            self.found.setdefault(self.page.url, []).extend(events)

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, (url, response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, (url, policy)
        self.page.wait_for_load_state("load")
        self.pages.append(url)
        self.collect()


def real_pdf() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="Keputusan Wali Kota tentang penetapan inovasi daerah")
    return bytes(pdf.output())


def demo_world():
    call_command("seed_demo")
    cycle = Cycle.objects.get(year=2024)
    admin = User.objects.get(email="admin@parepare.demo")
    draft = Innovation.objects.create(
        cycle=cycle,
        agency=Agency.objects.get(code="UPTD-PKM-LAKESSI"),
        name="Puskesmas Keliling",
        created_by=User.objects.get(email="inovator.puskesmas@parepare.demo"),
    )
    posyandu = showcased_posyandu(cycle)
    create_synthetic_entries(cycle, 8, created_by=admin)
    return cycle, draft, posyandu


def test_main_pages_have_no_csp_violation_for_any_role(live_server, desktop, tmp_path):
    cycle, draft, posyandu = demo_world()
    base = live_server.url
    page = desktop
    watcher = Watcher(page)
    pdf = tmp_path / "sk-inovasi.pdf"
    pdf.write_bytes(real_pdf())

    # Anonymous visitors.
    for path in ["/accounts/login/", "/accounts/reset/", "/etalase/", f"/etalase/{posyandu.pk}/"]:
        watcher.visit(base + path)

    # An innovator fills a draft: autosaved profile, an answer, an upload, a removal that is asked first.
    sign_in(page, base, "inovator.puskesmas@parepare.demo")
    for path in [
        "/",
        "/entries/",
        f"/entries/{draft.pk}/",
        "/replications/",
        "/agencies/",
        "/notifications/",
    ]:
        watcher.visit(base + path)
    watcher.visit(f"{base}/entries/{draft.pk}/profile/")
    page.get_by_label("Tujuan").fill("Layanan kesehatan sampai ke rumah warga.")
    page.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()
    # A page that lost its version (an old copy) is told in place to reload; nothing is saved, the text stays.
    page.evaluate("document.getElementById('id_version').remove()")
    page.get_by_label("Tujuan").fill("Diketik di halaman lama.")
    page.get_by_test_id("save-status").filter(has_text="muat ulang halaman").wait_for()
    assert page.get_by_label("Tujuan").input_value() == "Diketik di halaman lama."
    draft.refresh_from_db()
    assert draft.goals == "Layanan kesehatan sampai ke rumah warga."
    watcher.collect()
    watcher.visit(f"{base}/entries/{draft.pk}/indicators/SID-16/")
    page.get_by_label("Jawaban Anda").select_option("3")
    page.get_by_test_id("save-status").filter(has_text="Tersimpan").wait_for()
    form = page.get_by_test_id("evidence-form")
    form.get_by_label("Berkas").set_input_files(str(pdf))
    form.get_by_label("Nomor dokumen").fill("01/2023")
    form.get_by_label("Tanggal dokumen").fill("2023-03-01")
    form.get_by_label("Perihal").fill("Keputusan penetapan inovasi")
    form.get_by_test_id("add-evidence").click()
    page.get_by_test_id("evidence-item").first.wait_for()
    questions = []

    def dismiss(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_test_id("evidence-item").first.get_by_role("button", name="Hapus").click()
    page.wait_for_timeout(300)
    assert questions == ["Hapus data dukung ini?"]
    assert Evidence.objects.filter(answer__innovation=draft).count() == 1  # dismissed: nothing removed
    watcher.collect()

    # The region's reviewer: queue, an entry with a PDF shown inline, the reports.
    sign_in(page, base, "verifikator@parepare.demo")
    for path in [
        "/",
        "/review/",
        f"/review/{posyandu.pk}/",
        "/laporan/",
        "/laporan/kepatuhan/",
        "/laporan/paket-nasional/",
        "/laporan/ekspor/riwayat/",
        f"/spd/{cycle.pk}/",
        "/catalogue/",
        "/etalase/",
    ]:
        watcher.visit(base + path)
        if path == f"/review/{posyandu.pk}/":
            # The PDF is framed from our own origin when its item is opened.
            with page.expect_response(lambda response: "/evidence/" in response.url) as framed:
                page.get_by_text("perwali-posyandu.pdf").click()
            assert framed.value.status == 200
            page.wait_for_timeout(500)
            watcher.collect()
    assert page.locator("svg.chart").count() == 0  # the showcase draws none; the dashboard did, below
    watcher.visit(f"{base}/laporan/")
    assert page.locator("svg.chart").count() >= 1

    # The administrator's pages.
    sign_in(page, base, "admin@parepare.demo")
    agency = Agency.objects.get(code="KEL-LEMOE")
    for path in [
        "/",
        "/people/",
        "/people/invite/",
        "/cycles/",
        f"/cycles/{cycle.pk}/edit/",
        "/agencies/",
        f"/agencies/{agency.pk}/",
        "/agencies/import/",
    ]:
        watcher.visit(base + path)

    assert len(watcher.pages) >= 30
    assert watcher.found == {}
