"""Brute-force protection: both login pages lock an account and a client address, the password reset sends
few e-mails, and an administrator unlocks their own region's people."""

import datetime
import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.models import PasswordResetRequest, Role
from agencies.throttling import client_ip
from tests.conftest import PASSWORD, assert_error_page, assert_sent_to_login, client_for, make_person

pytestmark = pytest.mark.django_db

WRONG = "salah-sekali-999"
LOCKOUT = re.compile(
    r"Terlalu banyak percobaan masuk yang gagal\. Coba lagi pukul (\d{1,2})\.(\d{2}) \((\d+) menit lagi\) "
    r"atau minta administrator membuka kunci akun Anda\."
)


def sign_in(client, email, password, *, url=None, address="127.0.0.1"):
    return client.post(
        url or reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=address
    )


def fail(email, times, *, url=None, address="127.0.0.1"):
    for _ in range(times):
        sign_in(Client(), email, WRONG, url=url, address=address)


def expected_time(minutes_from_now: int) -> str:
    """The local wall-clock time the message names, computed here from the clock, not by the code under test."""
    local = timezone.localtime(timezone.now() + datetime.timedelta(minutes=minutes_from_now))
    return f"{local.hour}.{local.minute:02d}"


def assert_locked_out(response, *, minutes=15):
    assert response.status_code == 429
    assert "_auth_user_id" not in response.client.session
    match = LOCKOUT.search(response.content.decode())
    assert match, response.content.decode()[:2000]
    # The lock ends `minutes` after the last failure, in the region's time zone (Asia/Makassar, UTC+8).
    assert f"{match[1]}.{match[2]}" in {expected_time(minutes), expected_time(minutes - 1)}
    assert int(match[3]) in {minutes, minutes - 1}


def assert_signed_in(response, person):
    """Let in: sent home with the person in the session (a lockout answers 429, a wrong password 200)."""
    assert response.status_code == 302 and response.url == reverse("home")
    assert response.client.session["_auth_user_id"] == str(person.pk)


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(owner):
    fail(owner.email, 4)
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)  # four failures: still allowed
    fail(owner.email, 5)  # the success forgave the four; five new ones lock
    response = sign_in(Client(), owner.email, PASSWORD)
    assert_locked_out(response)
    # The login page itself, with its form, not a bare text.
    assert 'name="password"' in response.content.decode()


def test_the_fifth_failure_already_answers_with_the_lockout_page(owner):
    fail(owner.email, 4)
    assert_locked_out(sign_in(Client(), owner.email, WRONG))


def test_lockout_ignores_the_case_of_the_email_address(owner):
    for email in [
        "Owner@Example.org",
        "OWNER@EXAMPLE.ORG",
        "owner@example.org",
        " owner@EXAMPLE.org",
        "oWner@example.ORG",
    ]:
        sign_in(Client(), email, WRONG)
    assert AccessAttempt.objects.get().username == "owner@example.org"
    assert_locked_out(sign_in(Client(), "OWNER@example.org", PASSWORD))
    assert_locked_out(sign_in(Client(), owner.email, PASSWORD))


def test_the_django_admin_login_locks_too(region):
    staff = make_person("staf@example.org", Role.ADMIN, region, is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")
    fail(staff.email, 5, url=admin_login)
    response = sign_in(Client(), staff.email, PASSWORD, url=admin_login)
    assert_locked_out(response)
    assert 'class="errornote"' in response.content.decode()  # the admin's own page and form
    # Failures on one page lock the other as well: it is one account.
    assert_locked_out(sign_in(Client(), staff.email, PASSWORD))


def test_an_address_is_locked_over_many_accounts_at_its_own_limit(owner, member, settings):
    settings.REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT = 8
    for number in range(7):  # seven accounts, one typo each: below every limit
        sign_in(Client(), f"orang{number}@example.org", WRONG, address="10.1.1.1")
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD, address="10.1.1.1"), owner)
    sign_in(Client(), "orang7@example.org", WRONG, address="10.1.1.1")  # the eighth failure from the address
    assert_locked_out(sign_in(Client(), member.email, PASSWORD, address="10.1.1.1"))
    # The same account from another address is not locked: only the address is.
    assert_signed_in(sign_in(Client(), member.email, PASSWORD, address="10.2.2.2"), member)


def test_the_default_limits_lock_an_account_at_five_and_an_address_at_twenty(owner, member):
    for number in range(19):
        sign_in(Client(), f"orang{number}@example.org", WRONG, address="10.1.1.1")
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD, address="10.1.1.1"), owner)
    sign_in(Client(), "orang19@example.org", WRONG, address="10.1.1.1")
    assert_locked_out(sign_in(Client(), member.email, PASSWORD, address="10.1.1.1"))


def test_a_success_before_the_limit_forgives_the_accounts_failures(owner):
    fail(owner.email, 4)
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)
    assert not AccessAttempt.objects.filter(username=owner.email).exists()
    fail(owner.email, 4)
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)


def test_the_lock_ends_after_the_cool_off(owner):
    fail(owner.email, 5)
    assert_locked_out(sign_in(Client(), owner.email, PASSWORD))
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=14))
    assert_locked_out(sign_in(Client(), owner.email, PASSWORD), minutes=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - datetime.timedelta(minutes=15, seconds=1))
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)


def test_the_client_address_comes_from_the_proxy_only_behind_it(rf, settings):
    request = rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.REGISTRI_CLIENT_IP_FROM_PROXY = False
    assert client_ip(request) == "127.0.0.1"
    settings.REGISTRI_CLIENT_IP_FROM_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # nginx appends what it saw; the spoofed entry is left of it
    assert client_ip(rf.post("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="rubbish")) == "127.0.0.1"


def test_behind_the_proxy_an_address_lock_follows_the_forwarded_address(owner, member, settings):
    settings.REGISTRI_CLIENT_IP_FROM_PROXY = True
    settings.REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT = 3
    for number in range(3):
        Client().post(
            reverse("login"),
            {"username": f"orang{number}@example.org", "password": WRONG},
            HTTP_X_FORWARDED_FOR=f"10.9.9.{number}, 203.0.113.7",
        )
    locked = Client().post(
        reverse("login"), {"username": member.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.7"
    )
    assert_locked_out(locked)
    other = Client().post(
        reverse("login"), {"username": owner.email, "password": PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.8"
    )
    assert_signed_in(other, owner)


# Password reset ------------------------------------------------------------------------------------------


def request_reset(email, *, address="127.0.0.1"):
    return Client().post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


NEUTRAL = "Jika alamat tersebut terdaftar pada akun yang aktif"
THROTTLED = re.compile(
    r"Terlalu banyak permintaan kata sandi baru: kali ini tidak ada e-mail yang dikirim\. "
    r"Coba lagi pukul (\d{1,2})\.(\d{2}) \((\d+) menit lagi\)\."
)


def test_password_reset_sends_at_most_three_mails_an_hour_to_an_address(owner):
    responses = [request_reset("OWNER@example.org", address=f"10.0.0.{n}") for n in range(5)]
    assert [response.status_code for response in responses] == [302, 302, 302, 429, 429]
    assert len(mail.outbox) == 3 and {tuple(message.to) for message in mail.outbox} == {(owner.email,)}
    match = THROTTLED.search(responses[3].content.decode())
    assert match and f"{match[1]}.{match[2]}" in {expected_time(60), expected_time(59)}
    assert int(match[3]) in {60, 59}
    # An hour after the first requests, the address may ask again.
    PasswordResetRequest.objects.update(created_at=timezone.now() - datetime.timedelta(minutes=61))
    assert request_reset(owner.email).status_code == 302
    assert len(mail.outbox) == 4
    assert PasswordResetRequest.objects.count() == 1  # the old rows were pruned


def test_password_reset_sends_at_most_twenty_mails_an_hour_from_a_client_address(owner, member):
    for number in range(19):
        assert request_reset(f"orang{number}@example.org", address="10.5.5.5").status_code == 302
    assert request_reset(owner.email, address="10.5.5.5").status_code == 302
    refused = request_reset(member.email, address="10.5.5.5")
    assert refused.status_code == 429 and THROTTLED.search(refused.content.decode())
    assert [message.to for message in mail.outbox] == [[owner.email]]
    assert request_reset(member.email, address="10.6.6.6").status_code == 302
    assert len(mail.outbox) == 2


def test_password_reset_answers_alike_whether_or_not_the_account_exists(owner):
    existing = [request_reset(owner.email) for _ in range(4)]
    unknown = [request_reset("tidak.ada@example.org") for _ in range(4)]
    assert [r.status_code for r in existing] == [r.status_code for r in unknown] == [302, 302, 302, 429]
    assert existing[0].url == unknown[0].url == reverse("password_reset_done")
    assert NEUTRAL in Client().get(existing[0].url).content.decode()

    def without_times(response):
        page = THROTTLED.sub("", response.content.decode()).replace("tidak.ada@example.org", owner.email)
        return re.sub(r'(value|nonce)="[^"]*"', "", page)  # CSRF tokens and nonces differ per response

    assert without_times(existing[3]) == without_times(unknown[3])
    assert len(mail.outbox) == 3 and all(message.to == [owner.email] for message in mail.outbox)


# Unlocking -----------------------------------------------------------------------------------------------


def test_an_administrator_sees_who_is_locked_and_unlocks_them(admin_user, owner, member):
    fail(owner.email, 5)
    fail(member.email, 2)
    admin = client_for(admin_user)
    page = admin.get(reverse("person_list")).content.decode()
    assert page.count('data-testid="locked"') == 1
    assert f"Terkunci sampai {expected_time(15)}" in page or f"Terkunci sampai {expected_time(14)}" in page
    assert reverse("person_unlock", args=[owner.pk]) in page
    assert reverse("person_unlock", args=[member.pk]) not in page

    response = admin.post(reverse("person_unlock", args=[owner.pk]))
    assert response.status_code == 302
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)
    assert AccessAttempt.objects.filter(username=member.email).exists()  # nobody else was unlocked
    assert 'data-testid="locked"' not in admin.get(reverse("person_list")).content.decode()


def test_an_administrator_cannot_unlock_another_regions_person(admin_user, other_region):
    stranger = make_person("orang.lain@example.org", Role.INNOVATOR, other_region)
    fail(stranger.email, 5)
    refused = client_for(admin_user).post(reverse("person_unlock", args=[stranger.pk]))
    assert_error_page(refused, 404, stranger.email, stranger.full_name)
    assert_locked_out(sign_in(Client(), stranger.email, PASSWORD))


def test_an_innovator_cannot_unlock_anybody(owner, member):
    innovator = client_for(owner)  # signing in forgives one's own failures: they come after it
    fail(member.email, 5)
    fail(owner.email, 5)
    assert_error_page(innovator.post(reverse("person_unlock", args=[member.pk])), 404, member.email)
    assert_error_page(innovator.post(reverse("person_unlock", args=[owner.pk])), 403)
    assert AccessAttempt.objects.filter(username=member.email).exists()
    assert AccessAttempt.objects.filter(username=owner.email).exists()


def test_unlock_takes_a_post(admin_user, owner):
    fail(owner.email, 5)
    assert client_for(admin_user).get(reverse("person_unlock", args=[owner.pk])).status_code == 405
    assert AccessAttempt.objects.filter(username=owner.email).exists()


def test_the_axes_command_unlocks_an_account_typed_in_any_case(owner):
    fail(owner.email, 5)
    call_command("axes_reset_username", "OWNER@Example.org")
    assert_signed_in(sign_in(Client(), owner.email, PASSWORD), owner)


def test_unlock_is_for_administrators_only(client, reviewer, owner):
    fail(owner.email, 5)
    url = reverse("person_unlock", args=[owner.pk])
    anonymous = client.post(url)
    assert_sent_to_login(anonymous, url)
    assert_error_page(client_for(reviewer).post(url), 403)  # sees the region's people, may not unlock
    assert_locked_out(sign_in(Client(), owner.email, PASSWORD))
