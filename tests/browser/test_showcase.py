"""An anonymous visitor searches the public showcase, opens an innovation and sees only its public evidence."""

import datetime

import pytest
from django.core.management import call_command

from agencies.models import Agency, Region, User
from registry.models import Answer, Cycle, Evidence, Innovation, ReviewEvent
from tests.conftest import PDF, cycle_like, open_windows, stored_pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESIGN = " ".join(["Posyandu mencatat penimbangan balita di aplikasi dan mengirim pengingat ke ibu."] * 12)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def approved(agency, cycle, name, urusan, **fields):
    author = User.objects.filter(region=agency.region).first() or User.objects.create(
        email=f"penulis@{agency.code.lower()}.example.org", full_name="Penulis", region=agency.region
    )
    entry = Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, urusan=urusan, status="approved", created_by=author, **fields
    )
    ReviewEvent.objects.create(innovation=entry, actor=author, from_status="in_review", to_status="approved")
    return entry


def add_pdf(entry, code, name, *, public):
    """A PDF for the row, chosen at level 2 and judged Sesuai by the reviewer."""
    answer, _created = Answer.objects.get_or_create(
        innovation=entry, indicator=entry.cycle.edition.indicators.get(code=code), defaults={"level": 2}
    )
    Answer.objects.filter(pk=answer.pk).update(verdict="sesuai")
    item = stored_pdf(answer, name, entry.created_by, subject=f"Dokumen {name}")
    Evidence.objects.filter(pk=item.pk).update(is_public=public)
    return item


def showcase_data():
    call_command("seed_demo")
    cycle = Cycle.objects.get(year=2024, region__code="73.72")
    posyandu = approved(
        Agency.objects.get(code="PD-DINKES"),
        cycle,
        "Posyandu Digital",
        "Kesehatan",
        thematic="Digitalisasi layanan pemerintahan",
        digital_kind="Digital",
        initiator="OPD",
        implementation_date=datetime.date(2023, 2, 1),
        goals="Menurunkan angka stunting balita dengan pencatatan penimbangan yang tidak pernah hilang.",
        benefits="Ibu hamil dan balita terpantau setiap bulan; kader tidak lagi menulis ulang buku register.",
        results="Cakupan penimbangan naik dari 71 menjadi 92 persen dalam satu tahun.",
        design=DESIGN,
    )
    add_pdf(posyandu, "SID-16", "perwali-posyandu.pdf", public=True)
    add_pdf(posyandu, "SID-17", "sk-tim-rahasia.pdf", public=False)
    approved(Agency.objects.get(code="PD-DIKBUD"), cycle, "Sekolah Ramah Anak", "Pendidikan")
    makassar = Region.objects.create(code="73.71", name="Kota Makassar", kind=Region.Kind.KOTA)
    makassar_cycle = cycle_like(cycle, makassar)
    tamalate = Agency.objects.create(
        region=makassar, code="KEC-TAMALATE", name="Kecamatan Tamalate", kind=Agency.Kind.KECAMATAN
    )
    approved(tamalate, makassar_cycle, "Posyandu Lorong Sehat", "Kesehatan", goals="Posyandu di tiap lorong.")
    return posyandu


def fits_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def search_and_open(page, base):
    page.goto(f"{base}/etalase/")
    assert page.get_by_test_id("showcase-card").count() == 3
    page.get_by_label("Urusan", exact=True).select_option("Kesehatan")
    page.get_by_label("Cari", exact=True).fill("posyandu digital")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/etalase/?*")
    cards = page.get_by_test_id("showcase-card")
    assert cards.count() == 1
    assert "Kota Parepare" in cards.first.inner_text()


def test_anonymous_visitor_searches_and_opens_an_innovation(live_server, phone, desktop, shot):
    entry = showcase_data()
    base = live_server.url

    search_and_open(phone, base)
    assert fits_width(phone)
    shot(phone, "showcase-search-phone")
    phone.get_by_role("link", name="Posyandu Digital", exact=True).click()
    phone.wait_for_url(f"**/etalase/{entry.pk}/")
    assert phone.title().startswith("Posyandu Digital — Dinas Kesehatan, Kota Parepare")
    assert phone.get_by_test_id("showcase-name").inner_text() == "Posyandu Digital"
    # SID-16 (bobot 3) and SID-17 (bobot 2) at level 2, both Sesuai with evidence: 6 + 4.
    assert phone.get_by_test_id("verified-kematangan").inner_text() == "10"
    public = phone.get_by_role("link", name="Dokumen perwali-posyandu.pdf")
    assert public.count() == 1
    assert phone.get_by_text("sk-tim-rahasia").count() == 0
    served = phone.request.get(base + public.get_attribute("href"))
    assert (served.status, served.headers["content-type"], served.body()) == (200, "application/pdf", PDF)
    assert phone.get_by_test_id("replicate").get_attribute("href").startswith("/accounts/login/?next=")
    assert fits_width(phone)
    shot(phone, "showcase-detail-phone")

    desktop.goto(f"{base}/etalase/")
    shot(desktop, "showcase-list-desktop")
    search_and_open(desktop, base)
    desktop.get_by_role("link", name="Posyandu Digital", exact=True).click()
    desktop.wait_for_url(f"**/etalase/{entry.pk}/")
    assert desktop.get_by_text("sk-tim-rahasia").count() == 0
    shot(desktop, "showcase-detail-desktop")


def test_an_innovator_of_another_region_replicates_from_the_showcase(live_server, phone, shot):
    from django.utils import timezone

    from agencies.models import Role

    posyandu = showcase_data()
    base = live_server.url
    makassar = Region.objects.get(code="73.71")
    today = timezone.localdate()
    Cycle.objects.create(region=makassar, year=today.year, edition=posyandu.cycle.edition, **open_windows())
    mariso = Agency.objects.create(
        region=makassar, code="KEC-MARISO", name="Kecamatan Mariso", kind=Agency.Kind.KECAMATAN
    )
    innovator = User.objects.create_user(
        email="mariso@makassar.example.org",
        password="kata-sandi-mariso",
        full_name="Inovator Mariso",
        role=Role.INNOVATOR,
        region=makassar,
    )
    innovator.agencies.add(mariso)

    phone.goto(f"{base}/accounts/login/?next=/etalase/{posyandu.pk}/")
    phone.get_by_label("Alamat e-mail").fill("mariso@makassar.example.org")
    phone.get_by_label("Kata sandi").fill("kata-sandi-mariso")
    phone.get_by_role("button", name="Masuk").click()
    phone.wait_for_url(f"**/etalase/{posyandu.pk}/")
    phone.get_by_test_id("replicate").click()
    phone.wait_for_url(f"**/replications/{posyandu.pk}/")
    assert "Kota Parepare" in phone.get_by_test_id("replication-count").locator("..").inner_text()
    assert phone.get_by_label(
        f"Replikasi sebagai inovasi instansi Anda tahun {today.year}"
    ).input_value() == str(mariso.pk)
    phone.get_by_role("button", name="Mulai replikasi").click()
    phone.wait_for_url("**/entries/*/")
    replica = Innovation.objects.get(agency=mariso)
    assert (replica.replicated_from, replica.cycle.region, replica.status) == (posyandu, makassar, "draft")
    assert phone.get_by_role("heading", name="Posyandu Digital").count() >= 1
    assert fits_width(phone)
    shot(phone, "replication-from-another-region-phone")

    # The source now shows the replication, counted as another region's (SID-31).
    phone.goto(f"{base}/replications/{posyandu.pk}/")
    assert "Direplikasi 1 kali (1 oleh daerah lain)" in phone.get_by_test_id("replication-count").inner_text()
    phone.goto(f"{base}/etalase/{posyandu.pk}/")
    assert phone.get_by_test_id("replicated-by").inner_text() == "1"
