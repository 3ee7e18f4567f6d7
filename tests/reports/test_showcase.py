"""The public showcase: approved innovations of every region, searchable without login, nothing else leaking."""

import datetime
import re
from html import unescape
from unittest import mock

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import Agency, Role, User
from registry.models import Answer, Evidence, Innovation, ReviewEvent
from scoring.models import Edition
from tests.conftest import assert_error_page, client_for, make_cycle, make_person

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"
NOT_APPROVED = [status for status in Innovation.Status.values if status != Innovation.Status.APPROVED]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def makassar(other_region):
    """Another region's agency and 2023 cycle: the showcase crosses regions."""
    edition = Edition.objects.create(
        year=2023, version=1, title="IID 2023", source_text="test", checksum="1" * 64
    )
    cycle = make_cycle(other_region, 2023, edition)
    agency = Agency.objects.create(
        region=other_region, code="KEC-TAMALATE", name="Kecamatan Tamalate", kind=Agency.Kind.KECAMATAN
    )
    return agency, cycle


def innovation(agency, cycle, name, *, status="approved", approved_days_ago=None, **fields):
    """An entry in the given status; an approved one gets its approval event, dated as asked."""
    fields.setdefault("urusan", "Kesehatan")
    # Without a password: hashing one per entry would make these tests slow.
    author, _created = User.objects.get_or_create(
        email="penulis@example.org", defaults={"full_name": "Penulis Inovasi", "region": agency.region}
    )
    entry = Innovation.objects.create(
        cycle=cycle, agency=agency, name=name, status=status, created_by=author, **fields
    )
    if status == Innovation.Status.APPROVED:
        # Events are never updated (the database refuses), so an older approval is written at its time.
        when = timezone.now() - datetime.timedelta(days=approved_days_ago or 0)
        with mock.patch("django.utils.timezone.now", return_value=when):
            ReviewEvent.objects.create(
                innovation=entry, actor=author, from_status="in_review", to_status="approved"
            )
    return entry


def new_agency(region, code, name, kind=Agency.Kind.PERANGKAT_DAERAH, parent=None):
    return Agency.objects.create(region=region, code=code, name=name, kind=kind, parent=parent)


def listed(response) -> list[str]:
    return [entry.name for entry in response.context["page"]]


def evidence(entry, code, *, public, kind="file", name="bukti.pdf", url="", content_type="application/pdf"):
    answer, _created = Answer.objects.get_or_create(
        innovation=entry,
        indicator=entry.cycle.edition.indicators.get(code=code),
        defaults={"level": 1},
    )
    item = Evidence(
        answer=answer,
        kind=kind,
        url=url,
        original_name=name if kind == "file" else "",
        content_type=content_type if kind == "file" else "",
        size=len(PDF) if kind == "file" else 0,
        subject=f"Bukti {name or url}",
        created_by=entry.created_by,
    )
    if kind == "file":
        item.file.save(name, ContentFile(PDF), save=False)
    item.save()
    if public:
        Evidence.objects.filter(pk=item.pk).update(is_public=True)
    return item


# --- the list -----------------------------------------------------------------------------------------------


def test_showcase_lists_approved_innovations_of_every_region_to_anonymous_visitors(
    cycle_2024, agency_a, makassar
):
    makassar_agency, makassar_cycle = makassar
    innovation(agency_a, cycle_2024, "Posyandu Digital")
    innovation(makassar_agency, makassar_cycle, "Lorong Wisata")
    response = Client().get(reverse("showcase"))
    assert response.status_code == 200
    assert sorted(listed(response)) == ["Lorong Wisata", "Posyandu Digital"]
    html = response.content.decode()
    assert "Kota Parepare" in html and "Kota Makassar" in html
    assert reverse("showcase_detail", args=[Innovation.objects.get(name="Lorong Wisata").pk]) in html


def test_showcase_renders_the_base_template_for_anonymous_and_signed_in_visitors(cycle_2024, agency_a, owner):
    innovation(agency_a, cycle_2024, "Posyandu Digital")
    anonymous = Client().get(reverse("showcase")).content.decode()
    assert 'data-testid="showcase-card"' in anonymous and "Posyandu Digital" in anonymous
    assert 'data-testid="user-menu"' not in anonymous and reverse("logout") not in anonymous
    signed_in = client_for(owner).get(reverse("showcase")).content.decode()
    assert 'data-testid="user-menu"' in signed_in and "Posyandu Digital" in signed_in


def test_showcase_never_lists_entries_that_are_not_approved(cycle_2024, region):
    for number, status in enumerate(NOT_APPROVED):
        agency = new_agency(region, f"PD-{number}", f"Dinas {number}")
        innovation(agency, cycle_2024, f"Rahasia {status}", status=status)
    innovation(new_agency(region, "PD-OK", "Dinas Terbuka"), cycle_2024, "Terbuka")
    response = Client().get(reverse("showcase"))
    assert listed(response) == ["Terbuka"]
    assert "Rahasia" not in response.content.decode()


def test_showcase_sorts_newest_approval_first(cycle_2024, region):
    innovation(new_agency(region, "PD-1", "Dinas Satu"), cycle_2024, "Lama", approved_days_ago=30)
    innovation(new_agency(region, "PD-2", "Dinas Dua"), cycle_2024, "Baru", approved_days_ago=1)
    innovation(new_agency(region, "PD-3", "Dinas Tiga"), cycle_2024, "Tengah", approved_days_ago=10)
    assert listed(Client().get(reverse("showcase"))) == ["Baru", "Tengah", "Lama"]


def test_showcase_pages_by_twelve(cycle_2024, region):
    for number in range(14):
        agency = new_agency(region, f"PD-{number}", f"Dinas {number}")
        innovation(agency, cycle_2024, f"Inovasi {number:02}", approved_days_ago=number)
    first = Client().get(reverse("showcase"))
    second = Client().get(reverse("showcase"), {"page": 2})
    assert listed(first) == [f"Inovasi {number:02}" for number in range(12)]
    assert listed(second) == ["Inovasi 12", "Inovasi 13"]


@pytest.fixture
def catalogue_of_four(cycle_2024, region, makassar):
    """Four approved innovations differing in urusan, agency kind, region, year and text."""
    makassar_agency, makassar_cycle = makassar
    kecamatan = new_agency(region, "KEC-SOREANG", "Kecamatan Soreang", Agency.Kind.KECAMATAN)
    return {
        "health": innovation(
            new_agency(region, "PD-DINKES", "Dinas Kesehatan"),
            cycle_2024,
            "Posyandu Digital",
            urusan="Kesehatan",
            goals="Menurunkan angka stunting balita.",
        ),
        "school": innovation(
            new_agency(region, "PD-DIKBUD", "Dinas Pendidikan"),
            cycle_2024,
            "Sekolah Ramah Anak",
            urusan="Pendidikan",
            design="Rancang bangun dengan gerakan literasi keluarga.",
        ),
        "kelurahan": innovation(
            new_agency(region, "KEL-UJUNG", "Kelurahan Ujung Sabbang", Agency.Kind.KELURAHAN, kecamatan),
            cycle_2024,
            "Bank Sampah Lorong",
            urusan="Lingkungan Hidup",
            benefits="Sampah jadi tabungan warga.",
        ),
        "makassar": innovation(
            makassar_agency, makassar_cycle, "Lorong Wisata", urusan="Pariwisata", results="Lorong bersih."
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"urusan": "Pendidikan"}, ["Sekolah Ramah Anak"]),
        ({"kind": "kelurahan"}, ["Bank Sampah Lorong"]),
        ({"kind": "kecamatan"}, ["Lorong Wisata"]),
        ({"year": "2023"}, ["Lorong Wisata"]),
        ({"year": "2024"}, ["Bank Sampah Lorong", "Posyandu Digital", "Sekolah Ramah Anak"]),
        ({"q": "posyandu"}, ["Posyandu Digital"]),  # name
        ({"q": "dinas pendidikan"}, ["Sekolah Ramah Anak"]),  # agency, every word
        ({"q": "stunting"}, ["Posyandu Digital"]),  # goals
        ({"q": "literasi"}, ["Sekolah Ramah Anak"]),  # design
        ({"q": "tabungan"}, ["Bank Sampah Lorong"]),  # benefits
        ({"q": "bersih"}, ["Lorong Wisata"]),  # results
        ({"q": "lorong"}, ["Bank Sampah Lorong", "Lorong Wisata"]),
        ({"urusan": "Kesehatan", "q": "lorong"}, []),
    ],
)
def test_showcase_filters_by_each_field(catalogue_of_four, query, expected):
    response = Client().get(reverse("showcase"), query)
    assert response.context["filter"].errors == {}
    assert sorted(listed(response)) == expected


def test_showcase_filters_by_region(catalogue_of_four, region, other_region):
    assert listed(Client().get(reverse("showcase"), {"region": other_region.pk})) == ["Lorong Wisata"]
    assert sorted(listed(Client().get(reverse("showcase"), {"region": region.pk}))) == [
        "Bank Sampah Lorong",
        "Posyandu Digital",
        "Sekolah Ramah Anak",
    ]


def test_showcase_offers_only_regions_and_years_with_approved_innovations(
    cycle_2024, agency_a, makassar, other_region
):
    makassar_agency, makassar_cycle = makassar
    innovation(agency_a, cycle_2024, "Posyandu Digital")
    innovation(makassar_agency, makassar_cycle, "Draf Makassar", status="draft")
    form = Client().get(reverse("showcase")).context["filter"].form
    assert [label for value, label in form.fields["region"].choices if value] == ["Kota Parepare"]
    assert [value for value, _label in form.fields["year"].choices if value] == ["2024"]


@pytest.mark.parametrize(
    "query",
    [{"urusan": "Urusan Palsu"}, {"kind": "dinas"}, {"year": "20x4"}, {"year": "2019"}, {"region": "999999"}],
)
def test_showcase_reports_an_invalid_filter_value_and_lists_nothing(catalogue_of_four, query):
    response = Client().get(reverse("showcase"), query)
    assert list(response.context["filter"].errors) == list(query)
    assert listed(response) == []
    assert "Beberapa nilai filter tidak valid" in response.content.decode()


def test_showcase_list_query_count_does_not_grow(cycle_2024, region, django_assert_num_queries):
    innovation(new_agency(region, "PD-0", "Dinas 0"), cycle_2024, "Satu")
    client = Client()
    # year choices, region choices, count, page
    with django_assert_num_queries(4):
        response = client.get(reverse("showcase"), {"kind": "perangkat_daerah"})
    assert len(response.context["page"]) == 1
    for number in (1, 2):
        agency = new_agency(region, f"PD-{number}", f"Dinas {number}")
        source = innovation(agency, cycle_2024, f"Inovasi {number}")
    Innovation.objects.filter(pk=source.pk).update(
        replicated_from=Innovation.objects.get(name="Satu")
    )  # the replication count is annotated, not counted per card
    with django_assert_num_queries(4):
        response = client.get(reverse("showcase"), {"kind": "perangkat_daerah"})
    assert len(response.context["page"]) == 3


# --- the public profile -------------------------------------------------------------------------------------


@pytest.fixture
def approved_entry(open_cycle, agency_a):
    return innovation(
        agency_a,
        open_cycle,
        "Posyandu Digital",
        initiator="OPD",
        initiator_name="Budi Santoso",
        thematic="Digitalisasi layanan pemerintahan",
        related_urusan=["Sosial", "Pendidikan"],
        implementation_date=datetime.date(2023, 2, 1),
        design="Rancang bangun posyandu dengan aplikasi pencatatan.",
        goals="Menurunkan angka stunting balita di Parepare.",
        benefits="Ibu hamil terpantau setiap bulan.",
        results="Cakupan penimbangan naik menjadi 92 persen.",
    )


def test_showcase_detail_shows_the_public_profile_to_anonymous_visitors(approved_entry):
    response = Client().get(reverse("showcase_detail", args=[approved_entry.pk]))
    html = unescape(response.content.decode())
    for text in (
        "Posyandu Digital",
        "Dinas Kesehatan",
        "Kota Parepare",
        "2024",
        "Kesehatan",
        "Penerapan",
        "Digitalisasi layanan pemerintahan",
        "Sosial, Pendidikan",
        "Menurunkan angka stunting balita di Parepare.",
        "Ibu hamil terpantau setiap bulan.",
        "Cakupan penimbangan naik menjadi 92 persen.",
        "Rancang bangun posyandu dengan aplikasi pencatatan.",
    ):
        assert text in html, text


def test_showcase_detail_hides_personal_data(approved_entry):
    html = Client().get(reverse("showcase_detail", args=[approved_entry.pk])).content.decode()
    assert "Budi Santoso" not in html  # the initiator's own name
    assert approved_entry.created_by.email not in html
    assert approved_entry.created_by.full_name not in html


def test_showcase_detail_has_its_own_title_and_meta_description(approved_entry):
    html = Client().get(reverse("showcase_detail", args=[approved_entry.pk])).content.decode()
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert title.startswith("Posyandu Digital — Dinas Kesehatan, Kota Parepare")
    head = html.split("</head>")[0]
    assert '<meta name="description" content="Menurunkan angka stunting balita di Parepare.">' in head


def test_showcase_detail_meta_description_is_cut_to_160_characters(open_cycle, agency_a):
    entry = innovation(agency_a, open_cycle, "Panjang", goals="kata " * 100)
    html = Client().get(reverse("showcase_detail", args=[entry.pk])).content.decode()
    description = unescape(re.search(r'<meta name="description" content="([^"]*)"', html).group(1))
    assert len(description) == 160 and description.endswith("…")


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_showcase_detail_of_an_entry_not_approved_is_not_found(cycle_2024, agency_a, status):
    entry = innovation(agency_a, cycle_2024, "Belum Disetujui", status=status)
    assert Client().get(reverse("showcase_detail", args=[entry.pk])).status_code == 404
    assert "Belum Disetujui" not in Client().get(reverse("showcase")).content.decode()


def test_showcase_detail_shows_the_verified_kematangan_not_the_claimed_one(approved_entry, owner):
    edition = approved_entry.cycle.edition
    rows = {
        # code: (level, verdict, verified level, with evidence)
        "SID-16": (3, "sesuai", 0, True),  # bobot 3 x 3 = 9
        "SID-17": (3, "tidak_sesuai", 1, True),  # bobot 2 x verified 1 = 2 (claimed 6)
        "SID-35": (2, "sesuai", 0, False),  # no evidence: 0 (D1)
        "SID-18": (1, "", 0, True),  # not reviewed: 0 verified (claimed bobot x 1)
    }
    for code, (level, verdict, verified_level, with_evidence) in rows.items():
        answer = Answer.objects.create(
            innovation=approved_entry, indicator=edition.indicators.get(code=code), level=level
        )
        Answer.objects.filter(pk=answer.pk).update(verdict=verdict, verified_level=verified_level)
        if with_evidence:
            Evidence.objects.create(answer=answer, kind="link", url="https://example.org/x", created_by=owner)
    response = Client().get(reverse("showcase_detail", args=[approved_entry.pk]))
    assert response.context["verified"] == 11
    html = response.content.decode()
    assert re.search(r'data-testid="verified-kematangan">11<', html)
    assert "dari 111" in html  # the catalogue's sid_per_innovation_max


def test_showcase_counts_the_agencies_that_replicated_an_innovation(approved_entry, region, makassar):
    makassar_agency, makassar_cycle = makassar
    nearby = new_agency(region, "PD-DINSOS", "Dinas Sosial")
    innovation(
        nearby, approved_entry.cycle, "Posyandu Sosial", status="draft", replicated_from=approved_entry
    )
    copy = innovation(makassar_agency, makassar_cycle, "Posyandu Tamalate", replicated_from=approved_entry)
    later = make_cycle(makassar_cycle.region, 2025, makassar_cycle.edition)
    # The same agency replicating again the next year is still one agency.
    Innovation.objects.create(
        cycle=later,
        agency=makassar_agency,
        name="Lagi",
        created_by=copy.created_by,
        replicated_from=approved_entry,
    )
    response = Client().get(reverse("showcase_detail", args=[approved_entry.pk]))
    assert re.search(r'data-testid="replicated-by">2<', response.content.decode())
    assert [
        (entry.name, entry.replicated_by) for entry in Client().get(reverse("showcase")).context["page"]
    ] == [
        ("Posyandu Tamalate", 0),
        ("Posyandu Digital", 2),
    ]


def test_showcase_replication_call_to_action_depends_on_who_looks(
    approved_entry, owner, outsider, other_region
):
    detail = reverse("showcase_detail", args=[approved_entry.pk])
    replication = reverse("replication_detail", args=[approved_entry.pk])

    anonymous = Client().get(detail).content.decode()
    assert f'href="{reverse("login")}?next={detail}" data-testid="replicate"' in anonymous

    # Another agency of the same region replicates through the registry's replication page.
    assert f'href="{replication}"' in client_for(outsider).get(detail).content.decode()
    assert client_for(outsider).get(replication).status_code == 200

    # So does an agency of another region: the national index counts replications by other regions.
    far = make_person("far@example.org", Role.INNOVATOR, other_region)
    assert f'href="{replication}"' in client_for(far).get(detail).content.decode()
    assert client_for(far).get(replication).status_code == 200

    # The agency's own innovators get no link that would lead to a 404.
    html = client_for(owner).get(detail).content.decode()
    assert f'href="{replication}"' not in html and 'data-testid="replicate"' not in html


def test_showcase_detail_query_count_does_not_grow_with_evidence(approved_entry, django_assert_num_queries):
    evidence(approved_entry, "SID-16", public=True)
    client = Client()
    # innovation, answers, public evidence
    with django_assert_num_queries(3):
        response = client.get(reverse("showcase_detail", args=[approved_entry.pk]))
    assert len(response.context["evidence"]) == 1
    evidence(approved_entry, "SID-17", public=True, name="sk.pdf")
    evidence(approved_entry, "SID-35", public=True, kind="link", url="https://youtube.com/watch?v=1")
    with django_assert_num_queries(3):
        response = client.get(reverse("showcase_detail", args=[approved_entry.pk]))
    assert len(response.context["evidence"]) == 3


# --- public evidence ----------------------------------------------------------------------------------------


def test_showcase_lists_only_public_evidence(approved_entry):
    public_file = evidence(approved_entry, "SID-16", public=True, name="perwali.pdf")
    private_file = evidence(approved_entry, "SID-16", public=False, name="rahasia.pdf")
    public_link = evidence(approved_entry, "SID-35", public=True, kind="link", url="https://youtube.com/v")
    evidence(approved_entry, "SID-35", public=False, kind="link", url="https://drive.example.org/privat")
    html = Client().get(reverse("showcase_detail", args=[approved_entry.pk])).content.decode()
    assert reverse("showcase_evidence", args=[approved_entry.pk, public_file.pk]) in html
    assert 'href="https://youtube.com/v"' in html
    assert "rahasia.pdf" not in html and str(private_file.pk) not in re.findall(r"/bukti/(\d+)/", html)
    assert "drive.example.org" not in html
    assert "SID-16 · Regulasi Inovasi Daerah" in html and public_link.subject in html


def test_showcase_never_links_a_public_link_that_is_not_a_web_address(approved_entry):
    evidence(approved_entry, "SID-35", public=True, kind="link", url="javascript:alert(1)")
    html = Client().get(reverse("showcase_detail", args=[approved_entry.pk])).content.decode()
    assert "javascript:" not in html


def test_showcase_evidence_serves_a_public_pdf_inline(approved_entry):
    item = evidence(approved_entry, "SID-16", public=True, name="perwali.pdf")
    response = Client().get(reverse("showcase_evidence", args=[approved_entry.pk, item.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="perwali.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_showcase_evidence_downloads_types_a_browser_should_not_render(approved_entry):
    item = evidence(approved_entry, "SID-16", public=True, name="halaman.html", content_type="text/html")
    response = Client().get(reverse("showcase_evidence", args=[approved_entry.pk, item.pk]))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"] == 'attachment; filename="halaman.html"'


def assert_no_file(response, item):
    """The Indonesian 404 page: neither the file's bytes nor its name (or the link's address)."""
    assert_error_page(response, 404, item.original_name or item.url, "%PDF")


def test_showcase_evidence_of_a_private_item_is_not_found(approved_entry):
    item = evidence(approved_entry, "SID-16", public=False, name="rahasia.pdf")
    response = Client().get(reverse("showcase_evidence", args=[approved_entry.pk, item.pk]))
    assert_no_file(response, item)


@pytest.mark.parametrize("status", NOT_APPROVED)
def test_showcase_evidence_of_an_entry_not_approved_is_not_found(open_cycle, agency_a, status):
    entry = innovation(agency_a, open_cycle, "Belum", status=status)
    item = evidence(entry, "SID-16", public=True)
    assert_no_file(Client().get(reverse("showcase_evidence", args=[entry.pk, item.pk])), item)


def test_showcase_evidence_must_belong_to_the_innovation_in_the_address(approved_entry, region, open_cycle):
    other = innovation(new_agency(region, "PD-LAIN", "Dinas Lain"), open_cycle, "Lain")
    item = evidence(other, "SID-16", public=True)
    assert_no_file(Client().get(reverse("showcase_evidence", args=[approved_entry.pk, item.pk])), item)
    served = Client().get(reverse("showcase_evidence", args=[other.pk, item.pk]))
    assert served.status_code == 200
    assert b"".join(served.streaming_content) == PDF


def test_showcase_evidence_of_a_link_is_not_a_file(approved_entry):
    item = evidence(approved_entry, "SID-35", public=True, kind="link", url="https://youtube.com/v")
    assert_no_file(Client().get(reverse("showcase_evidence", args=[approved_entry.pk, item.pk])), item)
