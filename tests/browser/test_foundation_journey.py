"""A newcomer's first look: an innovator sees only their agency; an admin imports agencies."""

import pytest
from django.core.management import call_command

from agencies.models import Agency
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_innovator_on_a_phone_sees_only_their_agency(live_server, phone, shot):
    call_command("seed_demo")
    sign_in(phone, live_server.url, "inovator.dinkes@parepare.demo")
    cards = phone.get_by_test_id("my-agency")
    assert cards.count() == 1
    assert "Dinas Kesehatan" in cards.first.inner_text()
    assert phone.get_by_test_id("cycle-card").is_visible()
    # On 360 px nothing scrolls sideways.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    shot(phone, "foundation-innovator-home-phone")

    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("link", name="Instansi saya").click()
    assert phone.get_by_test_id("agency-row").count() == 1
    shot(phone, "foundation-innovator-agencies-phone")

    other = Agency.objects.get(code="PD-DIKBUD")
    response = phone.goto(f"{live_server.url}/agencies/{other.pk}/")
    assert response.status == 404
    assert "Halaman tidak ditemukan" in phone.content()


def test_admin_imports_agencies_from_a_csv(live_server, desktop, shot, tmp_path):
    call_command("seed_demo")
    sign_in(desktop, live_server.url, "admin@parepare.demo")
    shot(desktop, "foundation-admin-home-desktop")

    bad = tmp_path / "salah.csv"
    bad.write_text(
        "code,name,kind,parent_code\nKEL-BARU,Kelurahan Baru,kelurahan,KEC-TIDAK-ADA\n", encoding="utf-8"
    )
    desktop.goto(f"{live_server.url}/agencies/import/")
    desktop.get_by_label("Berkas CSV").set_input_files(str(bad))
    desktop.get_by_role("button", name="Impor").click()
    problems = desktop.get_by_test_id("import-problems")
    assert "Baris 2" in problems.inner_text()
    assert not Agency.objects.filter(code="KEL-BARU").exists()
    shot(desktop, "foundation-admin-import-problems")

    good = tmp_path / "baru.csv"
    good.write_text(
        "\ufeffcode,name,kind,parent_code\n"
        "UPTD-SMP-99,UPTD SMP Negeri 99 Parepare,uptd,PD-DIKBUD\n"
        "KEL-BARU,Kelurahan Baru,kelurahan,KEC-UJUNG\n",
        encoding="utf-8",
    )
    desktop.get_by_label("Berkas CSV").set_input_files(str(good))
    desktop.get_by_role("button", name="Impor").click()
    assert "2 ditambahkan" in desktop.get_by_test_id("import-report").inner_text()
    assert Agency.objects.get(code="KEL-BARU").parent.code == "KEC-UJUNG"
    shot(desktop, "foundation-admin-import-done")

    desktop.goto(f"{live_server.url}/agencies/?kind=uptd")
    assert "UPTD SMP Negeri 99 Parepare" in desktop.content()
