"""First run: `setup_region` on an empty installation, and what a person without a region sees."""

import datetime
import io
import re

import pytest
from django.apps import apps
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Region, Role, User
from registry.models import Cycle
from registry.onboarding import default_windows
from scoring.models import Edition
from tests.conftest import PASSWORD, client_for, heading, make_person

pytestmark = pytest.mark.django_db

AGENCIES_CSV = (
    "code,name,kind,parent_code\n"
    "PD-BAPPEDA,Badan Perencanaan Pembangunan Daerah,perangkat_daerah,\n"
    "PD-DINKES,Dinas Kesehatan,perangkat_daerah,\n"
    "UPTD-PKM-1,UPTD Puskesmas Satu,uptd,PD-DINKES\n"
    "KEC-1,Kecamatan Satu,kecamatan,\n"
    "KEL-1,Kelurahan Satu,kelurahan,KEC-1\n"
)
MAKASSAR = ["--code", "73.71", "--name", "Kota Makassar", "--kind", "kota"]


def setup(*args, agencies=None, tmp_path=None) -> str:
    arguments = [*MAKASSAR, "--admin-email", "bappeda@makassar.go.id", *args]
    if agencies is not None:
        path = tmp_path / "instansi.csv"
        path.write_text(agencies, encoding="utf-8")
        arguments += ["--agencies", str(path)]
    out = io.StringIO()
    call_command("setup_region", *arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_setup_region_on_an_empty_installation(tmp_path):
    assert not Region.objects.exists() and not User.objects.exists()
    output = setup("--year", "2025", agencies=AGENCIES_CSV, tmp_path=tmp_path)

    region = Region.objects.get(code="73.71")
    assert (region.name, region.kind) == ("Kota Makassar", "kota")
    admin = User.objects.get(email="bappeda@makassar.go.id")
    assert (admin.region, admin.role, admin.is_active) == (region, Role.ADMIN, True)
    assert not admin.has_usable_password()
    assert Agency.objects.filter(region=region).count() == 5
    assert Agency.objects.get(code="KEL-1").parent.code == "KEC-1"
    cycle = Cycle.objects.get(region=region)
    assert cycle.year == 2025
    assert cycle.edition == Edition.objects.filter(year__lte=2025).order_by("-year", "-version").first()
    assert cycle.submission_opens <= cycle.submission_closes <= cycle.review_closes

    link = re.search(r"https?://\S+/accounts/invitation/\S+/", output).group(0)
    page = Client().get(link.split("8000", 1)[1], follow=True)
    assert 'name="new_password1"' in page.content.decode()


def test_setup_region_twice_changes_nothing(tmp_path):
    setup(agencies=AGENCIES_CSV, tmp_path=tmp_path)
    before = row_counts()
    output = setup(agencies=AGENCIES_CSV, tmp_path=tmp_path)
    assert row_counts() == before
    assert "sudah ada" in output


def test_a_bad_argument_changes_nothing_and_says_why_in_indonesian():
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        call_command(
            "setup_region",
            "--code",
            "7371",
            "--name",
            " ",
            "--kind",
            "kotamadya",
            "--admin-email",
            "bukan-alamat",
            "--year",
            "1999",
        )
    message = str(caught.value)
    assert "Tidak ada yang diubah" in message
    for expected in ("kotamadya", "7371", "bukan-alamat", "1999"):
        assert expected in message
    assert row_counts() == before


def test_a_bad_agency_file_changes_nothing(tmp_path):
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        setup(agencies=AGENCIES_CSV + "KEL-2,Kelurahan Dua,kelurahan,KEC-TIDAK-ADA\n", tmp_path=tmp_path)
    assert "Baris 7" in str(caught.value)
    assert row_counts() == before
    assert not Region.objects.filter(code="73.71").exists()


def test_a_missing_agency_file_changes_nothing(tmp_path):
    before = row_counts()
    with pytest.raises(CommandError) as caught:
        call_command(
            "setup_region",
            *MAKASSAR,
            "--admin-email",
            "a@makassar.go.id",
            "--agencies",
            str(tmp_path / "x.csv"),
        )
    assert "x.csv" in str(caught.value)
    assert row_counts() == before


def test_an_administrator_of_another_region_is_refused(region):
    make_person("admin@parepare.go.id", Role.ADMIN, region)
    with pytest.raises(CommandError) as caught:
        call_command("setup_region", *MAKASSAR, "--admin-email", "ADMIN@parepare.go.id")
    assert "Kota Parepare" in str(caught.value)
    assert not Region.objects.filter(code="73.71").exists()


def test_the_link_is_e_mailed_when_mail_is_configured(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    output = setup()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["bappeda@makassar.go.id"]
    assert "Kota Makassar" in message.body
    token_path = re.search(r"/accounts/invitation/\S+/", output).group(0).rsplit("/", 2)[0]
    assert token_path in message.body


def test_the_link_is_only_printed_when_mail_is_not_configured(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    output = setup()
    assert "/accounts/invitation/" in output
    assert "DJANGO_EMAIL" in output


def test_an_administrator_with_a_password_gets_no_new_link():
    setup()
    admin = User.objects.get(email="bappeda@makassar.go.id")
    admin.set_password(PASSWORD)
    admin.save()
    assert "/accounts/invitation/" not in setup()


def test_cycle_dates_can_be_chosen():
    setup(
        "--year",
        "2026",
        "--submission-opens",
        "2026-06-01",
        "--submission-closes",
        "2026-08-22",
        "--review-closes",
        "2026-09-30",
    )
    cycle = Cycle.objects.get(year=2026)
    assert (cycle.submission_opens, cycle.submission_closes, cycle.review_closes) == (
        datetime.date(2026, 6, 1),
        datetime.date(2026, 8, 22),
        datetime.date(2026, 9, 30),
    )


def test_cycle_dates_out_of_order_are_refused():
    with pytest.raises(CommandError) as caught:
        setup("--submission-opens", "2026-08-01", "--submission-closes", "2026-06-01")
    assert "tidak boleh" in str(caught.value)
    assert not Region.objects.exists()


@pytest.mark.parametrize(
    ("today", "opens", "closes"),
    [
        (datetime.date(2025, 3, 1), datetime.date(2025, 3, 1), datetime.date(2025, 8, 31)),
        # Too late in the year for the August deadline: two months from today.
        (datetime.date(2025, 8, 1), datetime.date(2025, 8, 1), datetime.date(2025, 9, 30)),
        # A later year opens on its first day.
        (datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 8, 31)),
    ],
)
def test_default_windows(today, opens, closes):
    windows = default_windows(opens.year, today)
    assert (windows.submission_opens, windows.submission_closes) == (opens, closes)
    assert windows.review_opens == opens
    assert windows.review_closes == closes + datetime.timedelta(days=30)


# --- A signed-in person without a region -------------------------------------------------------


@pytest.fixture
def regionless():
    return User.objects.create_superuser(email="root@example.org", password=PASSWORD, full_name="Root")


@pytest.mark.parametrize("name", ["home", "agency_list", "agency_import", "person_list", "cycle_create"])
def test_pages_send_a_person_without_a_region_to_the_set_up_page(regionless, name):
    response = client_for(regionless).get(reverse(name), follow=True)
    assert response.redirect_chain[-1][0] == reverse("region_setup")
    assert "belum termasuk daerah mana pun" in response.content.decode()


def test_the_web_import_by_a_person_without_a_region_is_refused(regionless):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("instansi.csv", AGENCIES_CSV.encode(), content_type="text/csv")
    response = client_for(regionless).post(reverse("agency_import"), {"file": upload})
    assert response.status_code == 409
    assert "Tidak ada yang disimpan" in response.content.decode()
    assert not Agency.objects.exists()


def test_a_person_without_a_region_creates_one_and_becomes_its_administrator(regionless):
    client = client_for(regionless)
    refused = client.post(reverse("region_setup"), {"code": "7371", "name": "Kota Makassar", "kind": "kota"})
    assert "73.71" in refused.content.decode()
    assert not Region.objects.exists()
    response = client.post(
        reverse("region_setup"), {"code": "73.71", "name": "Kota Makassar", "kind": "kota"}, follow=True
    )
    regionless.refresh_from_db()
    assert regionless.region.code == "73.71" and regionless.role == Role.ADMIN
    assert response.redirect_chain[-1][0] == reverse("home")
    assert response.context["setting_up"]


def test_a_person_without_a_region_joins_an_existing_one(regionless, region):
    client_for(regionless).post(reverse("region_setup"), {"existing": region.pk})
    regionless.refresh_from_db()
    assert regionless.region == region


def test_the_admin_site_and_the_showcase_stay_reachable_without_a_region(regionless):
    client = client_for(regionless)
    admin_site = client.get("/django-admin/")
    assert admin_site.status_code == 200
    assert heading(admin_site) == "Administrasi situs"
    showcase = client.get(reverse("showcase"))
    assert showcase.status_code == 200
    assert heading(showcase) == "Etalase Inovasi"


def test_an_administrator_of_a_region_without_agencies_is_shown_what_to_do(admin_user):
    page = client_for(admin_user).get(reverse("home")).content.decode()
    assert 'data-testid="setup-steps"' in page
    assert reverse("agency_import") in page and reverse("cycle_create") in page
    assert "Belum ada instansi" in page


def test_a_reviewer_of_a_region_without_agencies_is_told_to_wait(reviewer):
    page = client_for(reviewer).get(reverse("home")).content.decode()
    assert "belum mengimpor instansi" in page
    assert reverse("agency_import") not in page


def test_a_region_with_agencies_and_a_cycle_shows_no_set_up_steps(admin_user, agency_a, open_cycle):
    page = client_for(admin_user).get(reverse("home")).content.decode()
    assert 'data-testid="setup-steps"' not in page


def test_a_cycle_may_use_an_earlier_edition_but_not_a_later_one(admin_user, open_cycle):
    edition = open_cycle.edition
    client = client_for(admin_user)
    dates = {
        "submission_opens": "2027-06-01",
        "submission_closes": "2027-08-01",
        "review_opens": "2027-06-01",
        "review_closes": "2027-09-01",
    }
    client.post(reverse("cycle_create"), {"year": 2027, "edition": edition.pk, **dates})
    assert Cycle.objects.get(year=2027).edition == edition
    refused = client.post(reverse("cycle_create"), {"year": 2023, "edition": edition.pk, **dates})
    assert "2023 atau tahun sebelumnya" in refused.content.decode()
    assert not Cycle.objects.filter(year=2023).exists()


def test_a_superuser_without_a_region_loads_a_national_edition(regionless, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from scoring.catalogue import bundled_catalogue_path

    text = (
        bundled_catalogue_path(2024).read_text("utf-8").replace("Kemendagri, BSKDN", "Kemendagri (BSKDN)", 1)
    )
    upload = SimpleUploadedFile("katalog.yaml", text.encode(), content_type="application/x-yaml")
    response = client_for(regionless).post(reverse("edition_upload"), {"file": upload})
    assert response.status_code == 302
    edition = Edition.objects.latest_for_year(2024)
    assert edition.region is None and "Kemendagri (BSKDN)" in edition.source_text
