import re

import pytest
from django.core import mail
from django.http import HttpRequest
from django.test import Client
from django.urls import reverse

from agencies.models import Role, User
from tests.conftest import assert_sent_to_login, client_for

pytestmark = pytest.mark.django_db


def invite(client, **fields):
    data = {"email": "baru@example.org", "full_name": "Orang Baru", "role": Role.INNOVATOR, **fields}
    return client.post(reverse("person_invite"), data)


def test_invitation_lets_the_person_set_a_password_and_sign_in(admin_user, agency_a):
    response = invite(client_for(admin_user), agencies=[agency_a.pk])
    assert response.status_code == 302
    person = User.objects.get(email="baru@example.org")
    assert list(person.agencies.all()) == [agency_a]
    assert person.region == admin_user.region and not person.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["baru@example.org"]
    link = re.search(r"http://testserver(/accounts/invitation/\S+)", mail.outbox[0].body).group(1)

    browser = Client()
    form_page = browser.get(link, follow=True)
    assert form_page.status_code == 200
    set_password = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Rahasia-Sekali-99", "new_password2": "Rahasia-Sekali-99"},
    )
    assert set_password.status_code == 302
    assert browser.login(request=HttpRequest(), username="baru@example.org", password="Rahasia-Sekali-99")
    # The link works only once.
    assert Client().get(link, follow=True).context["validlink"] is False


def test_invitation_refuses_a_duplicate_email_case_insensitively(admin_user, agency_a, owner):
    response = invite(client_for(admin_user), email=owner.email.upper(), agencies=[agency_a.pk])
    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert User.objects.filter(email__iexact=owner.email).count() == 1
    assert mail.outbox == []


def test_invitation_of_an_innovator_needs_an_agency(admin_user):
    response = invite(client_for(admin_user))
    assert "agencies" in response.context["form"].errors
    assert not User.objects.filter(email="baru@example.org").exists()


def test_invited_reviewer_keeps_no_agency(admin_user, agency_a):
    invite(client_for(admin_user), role=Role.REVIEWER, agencies=[agency_a.pk])
    assert list(User.objects.get(email="baru@example.org").agencies.all()) == []


def test_deactivated_person_cannot_sign_in(admin_user, owner):
    from tests.conftest import PASSWORD

    client_for(admin_user).post(reverse("person_set_active", args=[owner.pk]), {"active": "0"})
    owner.refresh_from_db()
    assert not owner.is_active
    assert not Client().login(request=HttpRequest(), username=owner.email, password=PASSWORD)
    client_for(admin_user).post(reverse("person_set_active", args=[owner.pk]), {"active": "1"})
    assert Client().login(request=HttpRequest(), username=owner.email, password=PASSWORD)


def test_admin_cannot_deactivate_themself(admin_user):
    client_for(admin_user).post(reverse("person_set_active", args=[admin_user.pk]), {"active": "0"})
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_admin_changes_an_innovators_agencies(admin_user, owner, agency_a, agency_b):
    response = client_for(admin_user).post(
        reverse("person_edit", args=[owner.pk]),
        {
            "email": owner.email,
            "full_name": owner.full_name,
            "role": Role.INNOVATOR,
            "agencies": [agency_b.pk],
        },
    )
    assert response.status_code == 302
    assert list(owner.agencies.all()) == [agency_b]


def test_login_is_by_email_in_any_case(owner):
    from tests.conftest import PASSWORD

    response = Client().post(reverse("login"), {"username": owner.email.upper(), "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("home")
    assert response.client.session["_auth_user_id"] == str(owner.pk)


def test_wrong_password_gets_an_indonesian_message(owner):
    response = Client(headers={"accept-language": "id"}).post(
        reverse("login"), {"username": owner.email, "password": "salah"}
    )
    assert "Alamat e-mail atau kata sandi salah" in response.content.decode()


def test_password_reset_sends_a_link_that_changes_the_password(owner):
    Client().post(reverse("password_reset"), {"email": owner.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    browser = Client()
    form_page = browser.get(link, follow=True)
    browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "Baru-Sekali-77", "new_password2": "Baru-Sekali-77"},
    )
    assert Client().login(request=HttpRequest(), username=owner.email, password="Baru-Sekali-77")


def test_person_list_query_count_does_not_grow(admin_user, agency_a, django_assert_num_queries):
    from tests.conftest import make_person

    client = client_for(admin_user)
    make_person("satu@example.org", Role.INNOVATOR, agency_a.region, [agency_a])
    # 7: one of them reads the failed logins of the people shown (who is locked out).
    with django_assert_num_queries(7):
        client.get(reverse("person_list"))
    for n in range(2):
        make_person(f"lagi{n}@example.org", Role.INNOVATOR, agency_a.region, [agency_a])
    with django_assert_num_queries(7):
        client.get(reverse("person_list"))


def test_logout_ends_the_session(owner):
    client = client_for(owner)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("login")
    assert "_auth_user_id" not in client.session
    assert_sent_to_login(client.get(reverse("home")), reverse("home"))
