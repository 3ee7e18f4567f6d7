import datetime

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from agencies.models import Agency, Role
from registry.models import Answer, Evidence, Innovation
from tests.conftest import assert_error_page, client_for, cycle_like, heading, make_cycle, make_person

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def last_year(open_cycle, agency_a, owner):
    """The agency's 2023 innovation with a recent PDF, a recent link and an old document."""
    cycle_2023 = make_cycle(open_cycle.region, 2023, open_cycle.edition)
    old = Innovation.objects.create(
        cycle=cycle_2023,
        agency=agency_a,
        name="Posyandu Digital",
        created_by=owner,
        goals="Tujuan 2023",
        urusan="Kesehatan",
    )
    regulation = Answer.objects.create(
        innovation=old, indicator=open_cycle.edition.indicators.get(code="SID-16"), level=2
    )
    pdf = Evidence(
        answer=regulation,
        kind="file",
        original_name="perwali.pdf",
        content_type="application/pdf",
        size=len(PDF),
        document_date=datetime.date(2022, 5, 1),
        created_by=owner,
    )
    pdf.file.save("perwali.pdf", ContentFile(PDF), save=False)
    pdf.save()
    Evidence.objects.create(
        answer=regulation,
        kind="link",
        url="https://example.org/lama",
        document_date=datetime.date(2019, 1, 1),
        created_by=owner,
    )
    video = Answer.objects.create(
        innovation=old, indicator=open_cycle.edition.indicators.get(code="SID-35"), level=3
    )
    Evidence.objects.create(answer=video, kind="link", url="https://youtube.com/watch?v=x", created_by=owner)
    return old


def test_carry_over_copies_profile_and_still_valid_evidence_marked_for_recheck(
    last_year, open_cycle, agency_a, owner
):
    response = client_for(owner).post(
        reverse("entry_start", args=[agency_a.pk]), {"carry_over": str(last_year.pk)}
    )
    entry = Innovation.objects.get(cycle=open_cycle)
    assert response.url == reverse("entry_detail", args=[entry.pk])
    assert (entry.name, entry.goals, entry.urusan, entry.carried_over_from) == (
        "Posyandu Digital",
        "Tujuan 2023",
        "Kesehatan",
        last_year,
    )
    copied = Evidence.objects.filter(answer__innovation=entry).order_by("kind")
    assert [(item.kind, item.needs_recheck) for item in copied] == [("file", True), ("link", True)]
    copied_pdf = copied.get(kind="file")
    assert copied_pdf.file.name != Evidence.objects.get(answer__innovation=last_year, kind="file").file.name
    assert copied_pdf.file.read() == PDF
    assert Answer.objects.get(innovation=entry, indicator__code="SID-16").level == 2
    assert entry.status == "draft"


def test_carry_over_offered_only_for_the_agencys_own_earlier_entry(last_year, agency_b, outsider):
    page = client_for(outsider).get(reverse("entry_start", args=[agency_b.pk]))
    assert page.context["previous"] == []
    client_for(outsider).post(reverse("entry_start", args=[agency_b.pk]), {"carry_over": str(last_year.pk)})
    assert not Innovation.objects.filter(agency=agency_b).exists()


def test_replication_of_an_approved_innovation_counts_on_the_source(
    last_year, open_cycle, agency_b, outsider
):
    Innovation.objects.filter(pk=last_year.pk).update(status="approved")
    client = client_for(outsider)
    listing = client.get(reverse("replication_list"))
    assert [source.pk for source in listing.context["page"]] == [last_year.pk]
    client.post(reverse("replication_start", args=[last_year.pk]), {"agency": agency_b.pk})
    replica = Innovation.objects.get(agency=agency_b)
    assert (replica.replicated_from, replica.goals, replica.implementation_date) == (
        last_year,
        "Tujuan 2023",
        None,
    )
    assert not Evidence.objects.filter(answer__innovation=replica).exists()
    detail = client.get(reverse("replication_detail", args=[last_year.pk]))
    assert detail.context["source"].replication_count == 1


def test_only_approved_innovations_of_other_agencies_can_be_replicated(last_year, owner, outsider):
    url = reverse("replication_detail", args=[last_year.pk])
    assert_error_page(client_for(outsider).get(url), 404, "Posyandu Digital", "Tujuan 2023")
    Innovation.objects.filter(pk=last_year.pk).update(status="approved")
    assert_error_page(client_for(owner).get(url), 404, "Posyandu Digital", "Tujuan 2023")
    shown = client_for(outsider).get(url)
    assert shown.status_code == 200
    assert heading(shown) == "Posyandu Digital" and shown.context["source"] == last_year


def test_replication_list_query_count_does_not_grow(
    last_year, open_cycle, region, owner, outsider, django_assert_num_queries
):
    from agencies.models import Agency

    Innovation.objects.filter(pk=last_year.pk).update(status="approved")
    client = client_for(outsider)
    with django_assert_num_queries(6):
        client.get(reverse("replication_list"))
    for n in range(2):
        agency = Agency.objects.create(region=region, code=f"X-{n}", name=f"X {n}", kind="kecamatan")
        Innovation.objects.create(
            cycle=open_cycle, agency=agency, name=f"X{n}", created_by=owner, status="approved"
        )
    with django_assert_num_queries(6):
        response = client.get(reverse("replication_list"))
    assert len(response.context["page"]) == 3


@pytest.fixture
def makassar(other_region, open_cycle):
    """Another region with its own open cycle, an agency and one of its innovators."""
    cycle = cycle_like(open_cycle, other_region)
    agency = Agency.objects.create(
        region=other_region, code="KEC-TAMALATE", name="Kecamatan Tamalate", kind=Agency.Kind.KECAMATAN
    )
    person = make_person("tamalate@example.org", Role.INNOVATOR, other_region, agencies=[agency])
    return {"cycle": cycle, "agency": agency, "innovator": person}


def test_another_region_replicates_an_approved_innovation(last_year, makassar, agency_b, outsider):
    Innovation.objects.filter(pk=last_year.pk).update(status="approved")
    client = client_for(makassar["innovator"])
    listing = client.get(reverse("replication_list"))
    assert [source.pk for source in listing.context["page"]] == [last_year.pk]
    assert "Kota Parepare" in listing.content.decode()

    client.post(reverse("replication_start", args=[last_year.pk]), {"agency": makassar["agency"].pk})
    replica = Innovation.objects.get(agency=makassar["agency"])
    assert (replica.cycle, replica.replicated_from, replica.goals) == (
        makassar["cycle"],
        last_year,
        "Tujuan 2023",
    )

    # A replication by an agency of the same region counts too, but not as another region's (SID-31).
    client_for(outsider).post(reverse("replication_start", args=[last_year.pk]), {"agency": agency_b.pk})
    detail = client.get(reverse("replication_detail", args=[last_year.pk]))
    source = detail.context["source"]
    assert (source.replication_count, source.other_region_replications) == (2, 1)
    assert "Direplikasi 2 kali (1 oleh daerah lain)" in detail.content.decode()


def test_other_regions_unapproved_innovations_are_not_offered(last_year, makassar):
    client = client_for(makassar["innovator"])
    for status in ("draft", "submitted", "in_review", "revision_requested", "resubmitted", "rejected"):
        Innovation.objects.filter(pk=last_year.pk).update(status=status)
        assert list(client.get(reverse("replication_list")).context["page"]) == []
        assert client.get(reverse("replication_detail", args=[last_year.pk])).status_code == 404
        client.post(reverse("replication_start", args=[last_year.pk]), {"agency": makassar["agency"].pk})
        assert not Innovation.objects.filter(agency=makassar["agency"]).exists()


def test_replication_list_puts_the_own_region_first_and_filters_by_region(
    last_year, makassar, open_cycle, owner, outsider
):
    Innovation.objects.filter(pk=last_year.pk).update(status="approved")
    theirs = Innovation.objects.create(
        cycle=makassar["cycle"],
        agency=makassar["agency"],
        name="Aplikasi Lorong",
        created_by=makassar["innovator"],
        status="approved",
    )
    client = client_for(outsider)
    names = [source.name for source in client.get(reverse("replication_list")).context["page"]]
    assert names == ["Posyandu Digital", "Aplikasi Lorong"]  # own region first, though older
    names = [
        source.name
        for source in client_for(makassar["innovator"]).get(reverse("replication_list")).context["page"]
    ]
    assert names == ["Posyandu Digital"]  # their own agency's innovation is not offered to them
    chosen = client.get(reverse("replication_list"), {"region": makassar["agency"].region_id})
    assert [source.pk for source in chosen.context["page"]] == [theirs.pk]
    assert [
        source.pk for source in client.get(reverse("replication_list"), {"q": "lorong"}).context["page"]
    ] == [theirs.pk]
    invalid = client.get(reverse("replication_list"), {"region": "999999"})
    assert invalid.context["filter"].errors and list(invalid.context["page"]) == []
