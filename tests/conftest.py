"""Shared fixtures: a region with agencies and the five personas of every permission test.

owner    innovator of agency A (Dinas Kesehatan) who owns its entries
member   another innovator of agency A
outsider innovator of agency B (Dinas Pendidikan)
reviewer Bappeda reviewer of the region
admin    Bappeda administrator of the region
"""

import datetime
import re
import threading
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.base import ContentFile
from django.db import connections
from django.test import Client
from django.urls import reverse

from agencies.models import Agency, Region, Role, User
from registry.models import Answer, Cycle, Evidence, Innovation, SpdProfile, entry_inputs_changed
from scoring.models import Edition


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Production hashes with PBKDF2 at a million rounds (0.6 s a password here); tests create and sign in
    # hundreds of people, and hashing strength is Django's to test, not ours.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PASSWORD = "kata-sandi-uji-123"


@pytest.fixture
def region(db):
    return Region.objects.create(code="73.72", name="Kota Parepare", kind=Region.Kind.KOTA)


@pytest.fixture
def other_region(db):
    return Region.objects.create(code="73.71", name="Kota Makassar", kind=Region.Kind.KOTA)


@pytest.fixture
def agency_a(region):
    return Agency.objects.create(
        region=region, code="PD-DINKES", name="Dinas Kesehatan", kind=Agency.Kind.PERANGKAT_DAERAH
    )


@pytest.fixture
def agency_b(region):
    return Agency.objects.create(
        region=region,
        code="PD-DIKBUD",
        name="Dinas Pendidikan dan Kebudayaan",
        kind=Agency.Kind.PERANGKAT_DAERAH,
    )


def make_answer(owner, code, level, *, by, evidence=True, verdict="", verified_level=0, group=""):
    """An answer of an entry (or the SPD profile) to one row, with a link as its evidence unless told otherwise."""
    fields = {"spd_profile": owner} if isinstance(owner, SpdProfile) else {"innovation": owner}
    row = Answer.objects.create(
        indicator=owner.cycle.edition.indicators.get(code=code),
        level=level,
        verdict=verdict,
        verified_level=verified_level,
        option_group=group,
        **fields,
    )
    if evidence:
        Evidence.objects.create(answer=row, kind="link", url=f"https://example.org/{code}.pdf", created_by=by)
    if row.innovation_id:
        # What the application's own writes keep of the entry (registry.entries.row_written).
        entry_inputs_changed(row.innovation_id)
        Innovation.objects.filter(pk=row.innovation_id).refresh_mandatory_complete()
    return row


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def stored_pdf(answer, name, by, *, stored_as="", **details) -> Evidence:
    """A PDF uploaded as the row's evidence, kept in storage as `stored_as` (by default its own name)."""
    details = {
        "document_number": "800/1/2023",
        "document_date": datetime.date(2023, 3, 1),
        "subject": name,
        **details,
    }
    item = Evidence(
        answer=answer,
        kind="file",
        original_name=name,
        content_type="application/pdf",
        size=len(PDF),
        created_by=by,
        **details,
    )
    item.file.save(stored_as or name, ContentFile(PDF), save=False)
    item.save()
    return item


def make_cycle(region, year: int, edition) -> Cycle:
    """A cycle of another year, with the usual June to September windows of that year."""
    return Cycle.objects.create(
        region=region,
        year=year,
        edition=edition,
        submission_opens=datetime.date(year, 6, 1),
        submission_closes=datetime.date(year, 8, 1),
        review_opens=datetime.date(year, 6, 1),
        review_closes=datetime.date(year, 9, 1),
    )


def open_windows() -> dict:
    """Submission and review windows open today, as `Cycle` fields."""
    from django.utils import timezone

    today = timezone.localdate()
    return {
        "submission_opens": today - datetime.timedelta(days=10),
        "submission_closes": today + datetime.timedelta(days=10),
        "review_opens": today - datetime.timedelta(days=10),
        "review_closes": today + datetime.timedelta(days=20),
    }


def cycle_like(cycle, region) -> Cycle:
    """Another region's cycle of the same year, edition and windows."""
    return Cycle.objects.create(
        region=region,
        year=cycle.year,
        edition=cycle.edition,
        submission_opens=cycle.submission_opens,
        submission_closes=cycle.submission_closes,
        review_opens=cycle.review_opens,
        review_closes=cycle.review_closes,
    )


# A complete entry profile as its form posts it: every field filled, the design long enough for its minimum.
ENTRY_PROFILE = {
    "name": "Posyandu Digital",
    "stage": "penerapan",
    "initiator": "OPD",
    "digital_kind": "Digital",
    "form_kind": "Inovasi pelayanan publik",
    "thematic": "Non tematik",
    "urusan": "Kesehatan",
    "implementation_date": "2023-02-01",
    "design": " ".join(["kata"] * 300),
    "goals": "Tujuan",
    "benefits": "Manfaat",
    "results": "Hasil",
}


def make_person(email, role, region, agencies=(), **extra):
    person = User.objects.create_user(
        email=email,
        password=PASSWORD,
        full_name=email.split("@")[0].title(),
        role=role,
        region=region,
        **extra,
    )
    person.agencies.add(*agencies)
    return person


@pytest.fixture
def owner(agency_a):
    return make_person("owner@example.org", Role.INNOVATOR, agency_a.region, [agency_a])


@pytest.fixture
def member(agency_a):
    return make_person("member@example.org", Role.INNOVATOR, agency_a.region, [agency_a])


@pytest.fixture
def outsider(agency_b):
    return make_person("outsider@example.org", Role.INNOVATOR, agency_b.region, [agency_b])


@pytest.fixture
def reviewer(region):
    return make_person("reviewer@example.org", Role.REVIEWER, region)


@pytest.fixture
def admin_user(region):
    return make_person("admin@example.org", Role.ADMIN, region)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# What a response shows --------------------------------------------------------------------------------------

ERROR_HEADINGS = {403: "Akses ditolak", 404: "Halaman tidak ditemukan"}


def heading(response) -> str:
    """The text of the page's first <h1>, its tags stripped and its spaces collapsed."""
    match = re.search(r"<h1[^>]*>(.*?)</h1>", response.content.decode(), re.S)
    assert match, f"no <h1> in the {response.status_code} page"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match[1])).split())


def assert_error_page(response, status: int, *hidden: str) -> None:
    """The app's own Indonesian 403 or 404 page, showing none of `hidden` (the refused object's name or data)."""
    assert response.status_code == status
    assert heading(response) == ERROR_HEADINGS[status]
    page = response.content.decode()
    for text in hidden:
        assert text not in page, text


def assert_sent_to_login(response, url: str) -> None:
    """A redirect to the login page that comes back to `url` once signed in."""
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("login")
    assert parse_qs(location.query)["next"] == [url]


def run_together(workers: int, action) -> tuple[list, list]:
    """Run `action(number)` in `workers` threads released at once, each on its own database connection.

    Returns what the calls returned and the exceptions they raised, each in the order they finished."""
    barrier = threading.Barrier(workers)
    results, errors = [], []

    def attempt(number):
        try:
            barrier.wait(timeout=30)
            results.append(action(number))
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors


@pytest.fixture
def edition_2024(db):
    """A bare 2024 edition without rows, beside the shipped one that `migrate` loads."""
    return Edition.objects.create(
        year=2024,
        version=Edition.objects.filter(year=2024).count() + 1,
        title="IID 2024",
        source_text="test",
        checksum="0" * 64,
    )


@pytest.fixture
def cycle_2024(region, edition_2024):
    return Cycle.objects.create(
        region=region,
        year=2024,
        edition=edition_2024,
        submission_opens=datetime.date(2024, 6, 13),
        submission_closes=datetime.date(2024, 8, 22),
        review_opens=datetime.date(2024, 6, 13),
        review_closes=datetime.date(2024, 9, 30),
    )


@pytest.fixture
def open_cycle(region):
    """A 2024 cycle on the real catalogue whose windows are open today."""
    from scoring.catalogue import bundled_catalogue_path
    from scoring.editions import load_edition_file

    edition, _created = load_edition_file(bundled_catalogue_path(2024))
    return Cycle.objects.create(region=region, year=2024, edition=edition, **open_windows())


@pytest.fixture
def entry(open_cycle, agency_a, owner):
    from registry.models import Innovation

    return Innovation.objects.create(
        cycle=open_cycle, agency=agency_a, name="Posyandu Digital", created_by=owner
    )
