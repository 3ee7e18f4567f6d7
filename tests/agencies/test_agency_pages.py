import pytest
from django.urls import reverse

from agencies.models import Agency
from tests.conftest import client_for, make_person

pytestmark = pytest.mark.django_db


def add_agencies(region, count, start=0):
    for number in range(start, start + count):
        dinas = Agency.objects.create(
            region=region, code=f"PD-{number}", name=f"Dinas {number}", kind="perangkat_daerah"
        )
        Agency.objects.create(
            region=region, code=f"UPTD-{number}", name=f"UPTD {number}", kind="uptd", parent=dinas
        )


def test_agency_list_query_count_does_not_grow(admin_user, region, django_assert_num_queries):
    client = client_for(admin_user)
    add_agencies(region, 1)
    with django_assert_num_queries(6):
        client.get(reverse("agency_list"))
    add_agencies(region, 2, start=1)
    with django_assert_num_queries(6):
        response = client.get(reverse("agency_list"))
    assert len(response.context["page"]) == 6


def test_agency_list_filters_by_kind_and_parent(admin_user, region):
    add_agencies(region, 3)
    client = client_for(admin_user)
    uptd = client.get(reverse("agency_list"), {"kind": "uptd"}).context["page"]
    assert sorted(agency.code for agency in uptd) == ["UPTD-0", "UPTD-1", "UPTD-2"]
    parent = Agency.objects.get(code="PD-1")
    children = client.get(reverse("agency_list"), {"parent": parent.pk}).context["page"]
    assert [agency.code for agency in children] == ["UPTD-1"]


def test_agency_list_reports_an_invalid_filter_instead_of_ignoring_it(admin_user, region):
    add_agencies(region, 2)
    response = client_for(admin_user).get(reverse("agency_list"), {"kind": "dinas"})
    assert response.context["filter"].errors
    assert len(response.context["page"]) == 0
    assert "tidak valid" in response.content.decode()


def test_home_query_count_for_an_innovator_does_not_grow(region, cycle_2024, django_assert_num_queries):
    add_agencies(region, 3)
    person = make_person("multi@example.org", "innovator", region, [Agency.objects.get(code="PD-0")])
    client = client_for(person)
    with django_assert_num_queries(6):
        client.get(reverse("home"))
    person.agencies.add(*Agency.objects.filter(code__in=["PD-1", "PD-2"]))
    with django_assert_num_queries(6):
        client.get(reverse("home"))


def test_admin_edits_an_agency_and_cannot_break_the_hierarchy(admin_user, region):
    add_agencies(region, 1)
    kecamatan = Agency.objects.create(region=region, code="KEC-1", name="Kecamatan Satu", kind="kecamatan")
    uptd = Agency.objects.get(code="UPTD-0")
    response = client_for(admin_user).post(
        reverse("agency_edit", args=[uptd.pk]),
        {"code": "UPTD-0", "name": "UPTD Nol", "kind": "uptd", "parent": kecamatan.pk},
    )
    assert "parent" in response.context["form"].errors
    uptd.refresh_from_db()
    assert uptd.parent.code == "PD-0" and uptd.name == "UPTD 0"


def test_admin_deactivates_an_agency_with_submissions_instead_of_deleting(
    admin_user, owner, agency_a, cycle_2024
):
    from registry.models import Innovation

    Innovation.objects.create(cycle=cycle_2024, agency=agency_a, name="Posyandu Digital", created_by=owner)
    client = client_for(admin_user)
    client.post(reverse("agency_delete", args=[agency_a.pk]))
    assert Agency.objects.filter(pk=agency_a.pk).exists()
    client.post(reverse("agency_set_active", args=[agency_a.pk]), {"active": "0"})
    agency_a.refresh_from_db()
    assert agency_a.is_active is False


def test_admin_deletes_an_agency_without_history(admin_user, region):
    typo = Agency.objects.create(
        region=region, code="PD-TYPO", name="Dinas Salah Ketik", kind="perangkat_daerah"
    )
    client_for(admin_user).post(reverse("agency_delete", args=[typo.pk]))
    assert not Agency.objects.filter(pk=typo.pk).exists()


def test_admin_records_the_agency_head_and_contact_and_the_page_shows_them(admin_user, agency_a):
    response = client_for(admin_user).post(
        reverse("agency_edit", args=[agency_a.pk]),
        {
            "code": agency_a.code,
            "name": agency_a.name,
            "kind": agency_a.kind,
            "head_name": "dr. Rahmawati",
            "contact_email": " Dinkes@Example.go.id ",
            "contact_phone": "0421 21000",
        },
    )
    assert response.status_code == 302
    agency_a.refresh_from_db()
    assert (agency_a.head_name, agency_a.contact_email, agency_a.contact_phone) == (
        "dr. Rahmawati",
        "dinkes@example.go.id",
        "0421 21000",
    )
    page = client_for(admin_user).get(reverse("agency_detail", args=[agency_a.pk])).content.decode()
    assert "dr. Rahmawati" in page and "dinkes@example.go.id" in page


def test_agency_contact_email_must_be_an_address(admin_user, agency_a):
    response = client_for(admin_user).post(
        reverse("agency_edit", args=[agency_a.pk]),
        {"code": agency_a.code, "name": agency_a.name, "kind": agency_a.kind, "contact_email": "dinkes"},
    )
    assert "contact_email" in response.context["form"].errors


# --- the parent agency, typed rather than picked from every agency (issue 17) --------------------------------


def test_agency_list_filters_by_a_parent_typed_by_code_or_name(admin_user, region):
    add_agencies(region, 12)
    client = client_for(admin_user)
    by_code = client.get(reverse("agency_list"), {"parent": "pd-1"}).context["page"]
    assert [agency.code for agency in by_code] == ["UPTD-1"]
    by_name = client.get(reverse("agency_list"), {"parent": "Dinas 1"}).context["page"]
    assert sorted(agency.code for agency in by_name) == ["UPTD-1", "UPTD-10", "UPTD-11"]


def test_agency_list_suggests_at_most_twenty_parents_instead_of_listing_them_all(
    admin_user, region, django_assert_num_queries
):
    add_agencies(region, 30)
    client = client_for(admin_user)
    html = client.get(reverse("agency_list")).content.decode()
    assert 'name="parent"' in html and 'list="parent-options"' in html
    assert html.count('<option value="PD-') == 20  # the suggestions, and no menu of every parent
    assert 'hx-get="/agencies/parents/"' in html
    # As one types: the matching parents only, in one query after the session and the person.
    with django_assert_num_queries(3):
        options = client.get(reverse("agency_parent_options"), {"parent": "Dinas 2"}).content.decode()
    assert options.count("<option") == 11  # Dinas 2 and Dinas 20 to 29
    assert '<option value="PD-2">Dinas 2</option>' in options
    assert "UPTD" not in options  # an UPTD is never a parent


def test_agency_list_query_count_does_not_grow_with_parents(admin_user, region, django_assert_num_queries):
    client = client_for(admin_user)
    add_agencies(region, 1)
    client.get(reverse("agency_list"))
    with django_assert_num_queries(6):  # the suggestions take the place of the former menu's query
        client.get(reverse("agency_list"))
    add_agencies(region, 40, start=1)
    with django_assert_num_queries(6):
        client.get(reverse("agency_list"))
