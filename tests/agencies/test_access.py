"""Every view, every persona: anonymous users are sent to sign in, other agencies' innovators get 404."""

import pytest
from django.urls import reverse

from tests.conftest import assert_error_page, assert_sent_to_login, client_for, heading

pytestmark = pytest.mark.django_db


@pytest.fixture
def urls(agency_a, owner, cycle_2024):
    return {
        "home": reverse("home"),
        "agency_list": reverse("agency_list"),
        "agency_detail": reverse("agency_detail", args=[agency_a.pk]),
        "agency_create": reverse("agency_create"),
        "agency_import": reverse("agency_import"),
        "agency_edit": reverse("agency_edit", args=[agency_a.pk]),
        "agency_set_active": reverse("agency_set_active", args=[agency_a.pk]),
        "agency_delete": reverse("agency_delete", args=[agency_a.pk]),
        "person_list": reverse("person_list"),
        "person_invite": reverse("person_invite"),
        "person_edit": reverse("person_edit", args=[owner.pk]),
        "person_set_active": reverse("person_set_active", args=[owner.pk]),
        "person_resend_invitation": reverse("person_resend_invitation", args=[owner.pk]),
        "cycle_list": reverse("cycle_list"),
        "cycle_create": reverse("cycle_create"),
        "cycle_edit": reverse("cycle_edit", args=[cycle_2024.pk]),
        "password_change": reverse("password_change"),
    }


POST_ONLY = {"agency_set_active", "agency_delete", "person_set_active", "person_resend_invitation"}


def request(client, name, url):
    return client.post(url) if name in POST_ONLY else client.get(url)


def test_every_view_sends_anonymous_users_to_sign_in(client, urls):
    for name, url in urls.items():
        response = request(client, name, url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name


# Expected status per persona for the pages about agency A, its owner and the cycle.
EXPECTED = {
    #                          owner member outsider reviewer
    "home": (200, 200, 200, 200),
    "agency_list": (200, 200, 200, 200),
    "agency_detail": (200, 200, 404, 200),
    "agency_create": (403, 403, 403, 403),
    "agency_import": (403, 403, 403, 403),
    "agency_edit": (403, 403, 404, 403),
    "agency_set_active": (403, 403, 404, 403),
    "agency_delete": (403, 403, 404, 403),
    "person_list": (403, 403, 403, 403),
    "person_invite": (403, 403, 403, 403),
    "person_edit": (403, 404, 404, 403),
    "person_set_active": (403, 404, 404, 403),
    "person_resend_invitation": (403, 404, 404, 403),
    "cycle_list": (403, 403, 403, 403),
    "cycle_create": (403, 403, 403, 403),
    "cycle_edit": (403, 403, 403, 403),
    "password_change": (200, 200, 200, 200),
}


def test_every_view_answers_each_persona_as_expected(urls, owner, member, outsider, reviewer):
    clients = [client_for(person) for person in (owner, member, outsider, reviewer)]
    seen = {}
    for name, url in urls.items():
        seen[name] = tuple(request(client, name, url).status_code for client in clients)
    assert seen == EXPECTED


# The heading each page shows the administrator: about agency A, its owner and the 2024 cycle where it names one.
ADMIN_HEADINGS = {
    "home": "Selamat datang, Admin",
    "agency_list": "Instansi",
    "agency_detail": "Dinas Kesehatan",
    "agency_create": "Tambah instansi",
    "agency_import": "Impor instansi",
    "agency_edit": "Ubah Dinas Kesehatan",
    "person_list": "Pengguna dan peran",
    "person_invite": "Undang pengguna",
    "person_edit": "Ubah Owner",
    "cycle_list": "Periode pengukuran",
    "cycle_create": "Buka periode pengukuran",
    "cycle_edit": "Periode pengukuran 2024",
    "password_change": "Ubah sandi",
}


def test_admin_reaches_every_view(urls, admin_user):
    client = client_for(admin_user)
    assert set(ADMIN_HEADINGS) == set(urls) - POST_ONLY
    for name, url in urls.items():
        if name in POST_ONLY:
            continue
        response = client.get(url)
        assert response.status_code == 200, name
        assert heading(response) == ADMIN_HEADINGS[name], name


def test_outsider_list_does_not_leak_other_agency(agency_a, agency_b, owner, outsider):
    page = client_for(outsider).get(reverse("agency_list")).content.decode()
    assert agency_b.name in page
    assert agency_a.name not in page
    home = client_for(outsider).get(reverse("home")).content.decode()
    assert agency_b.name in home and agency_a.name not in home


def test_member_sees_own_agency_and_its_innovators(agency_a, owner, member):
    page = client_for(member).get(reverse("agency_detail", args=[agency_a.pk])).content.decode()
    assert owner.full_name in page


def test_innovator_never_sees_another_region(agency_a, other_region, owner):
    from agencies.models import Agency

    foreign = Agency.objects.create(
        region=other_region, code="PD-X", name="Dinas Luar", kind="perangkat_daerah"
    )
    response = client_for(owner).get(reverse("agency_detail", args=[foreign.pk]))
    assert_error_page(response, 404, "Dinas Luar", "PD-X", "Kota Makassar")


def test_reviewer_sees_region_but_not_other_region(agency_a, agency_b, other_region, reviewer):
    from agencies.models import Agency

    foreign = Agency.objects.create(
        region=other_region, code="PD-X", name="Dinas Luar", kind="perangkat_daerah"
    )
    client = client_for(reviewer)
    page = client.get(reverse("agency_list")).content.decode()
    assert agency_a.name in page and agency_b.name in page and foreign.name not in page
    assert_error_page(client.get(reverse("agency_detail", args=[foreign.pk])), 404, "Dinas Luar")


def test_deactivated_person_cannot_reach_anything(urls, owner):
    client = client_for(owner)
    owner.is_active = False
    owner.save()
    response = client.get(urls["agency_detail"])
    assert_sent_to_login(response, urls["agency_detail"])
    assert response.wsgi_request.user.is_anonymous


def test_the_signed_in_person_comes_with_their_region(client, owner, django_assert_num_queries):
    # Every page reads the region (navigation bar, scoping): it is loaded with the person, not after.
    from django.contrib.auth import get_user

    client.force_login(owner)
    request = client.get(reverse("home")).wsgi_request
    request.user = None
    with django_assert_num_queries(1):  # the person with their region (the session is already read)
        user = get_user(request)
        assert user.region.name == "Kota Parepare"


def test_a_deactivated_person_is_signed_out(client, owner):
    client.force_login(owner)
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert_sent_to_login(response, reverse("home"))
    assert response.wsgi_request.user.is_anonymous
