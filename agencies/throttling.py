"""Brute-force protection of the two login pages (django-axes) and what it tells people.

axes records each failed login in the database (`AccessAttempt`: username, client address, failures,
time of the last one). An account is locked when its failures within the cool-off reach
`REGISTRI_LOGIN_FAILURE_LIMIT`; a client address when its failures over any accounts reach the higher
`REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT`. axes itself knows one limit for every lockout parameter, so
`LoginThrottleHandler` counts the two separately.
"""

import ipaddress
import logging
import math
import unicodedata
from datetime import datetime

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Q
from django.forms.forms import NON_FIELD_ERRORS
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.translation import ngettext

logger = logging.getLogger(__name__)


def normalise_username(raw: str | None) -> str | None:
    """The account key: logins are by e-mail address, case-insensitive, so "A@x" and "a@x" are one account."""
    if raw is None:
        return None
    return unicodedata.normalize("NFKC", str(raw)).strip().lower() or None


def login_username(request, credentials: dict | None) -> str | None:
    """AXES_USERNAME_CALLABLE: the normalised e-mail address of a login attempt."""
    if credentials:
        raw = credentials.get("username") or credentials.get("email")
    else:
        raw = getattr(request, "POST", {}).get("username")
    return normalise_username(raw)


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE, also used by the password reset: the address the request came from.

    Behind the TLS proxy (nginx with `$proxy_add_x_forwarded_for`) the right-most X-Forwarded-For entry is
    the one nginx saw; the entries before it are whatever the client sent, so they are never trusted.
    """
    if settings.REGISTRI_CLIENT_IP_FROM_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")[-1].strip()
        if _valid_ip(forwarded):
            return forwarded
    remote = request.META.get("REMOTE_ADDR", "")
    return remote if _valid_ip(remote) else None


def _valid_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _lock_end(attempts, limit: int, cool_off) -> datetime | None:
    """When `attempts` (rows within the cool-off) stop holding `limit` failures, or None if they do not now.

    Rows leave the window oldest first; the lock holds until the row at which the failures counted from
    the newest reach the limit has left it.
    """
    failures = 0
    for attempt_time, count in sorted(attempts, reverse=True):
        failures += count
        if failures >= limit:
            return attempt_time + cool_off
    return None


def _recent_attempts(now: datetime):
    return AccessAttempt.objects.filter(attempt_time__gte=now - get_cool_off()).order_by()


def login_locked_until(*, username: str | None, ip_address: str | None, now: datetime) -> datetime | None:
    """The end of the lock on this account or this client address (the later of the two), or None."""
    cool_off = get_cool_off()
    rows = list(
        _recent_attempts(now)
        .filter(Q(username=username) | Q(ip_address=ip_address))
        .values_list("username", "ip_address", "attempt_time", "failures_since_start")
    )
    by_account = [(time, count) for name, _ip, time, count in rows if username and name == username]
    by_address = [(time, count) for _name, ip, time, count in rows if ip_address and ip == ip_address]
    ends = [
        _lock_end(by_account, settings.REGISTRI_LOGIN_FAILURE_LIMIT, cool_off),
        _lock_end(by_address, settings.REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT, cool_off),
    ]
    ends = [end for end in ends if end is not None and end > now]
    return max(ends) if ends else None


def account_lockouts(emails, *, now: datetime) -> dict[str, datetime]:
    """The accounts among `emails` that are locked, with the end of each lock (one query)."""
    keys = {normalise_username(email): email for email in emails}
    cool_off = get_cool_off()
    attempts: dict[str, list] = {}
    for name, time, count in (
        _recent_attempts(now)
        .filter(username__in=list(keys))
        .values_list("username", "attempt_time", "failures_since_start")
    ):
        attempts.setdefault(name, []).append((time, count))
    locked = {}
    for name, rows in attempts.items():
        end = _lock_end(rows, settings.REGISTRI_LOGIN_FAILURE_LIMIT, cool_off)
        if end is not None and end > now:
            locked[keys[name]] = end
    return locked


def unlock_account(email: str) -> int:
    """Forget the account's failed logins (from every address); the number of attempt rows removed."""
    count, _ = AccessAttempt.objects.filter(username=normalise_username(email)).delete()
    return count


def minutes_left(until: datetime, now: datetime) -> int:
    """Whole minutes until `until`, rounded up, at least one."""
    return max(1, math.ceil((until - now).total_seconds() / 60))


def login_lockout_message(until: datetime, now: datetime) -> str:
    minutes = minutes_left(until, now)
    return ngettext(
        "Too many failed sign-in attempts. Try again at %(time)s (%(minutes)s minute from now) "
        "or ask an administrator to unlock your account.",
        "Too many failed sign-in attempts. Try again at %(time)s (%(minutes)s minutes from now) "
        "or ask an administrator to unlock your account.",
        minutes,
    ) % {"time": time_format(timezone.localtime(until)), "minutes": minutes}


def password_reset_throttle_message(until: datetime, now: datetime) -> str:
    minutes = minutes_left(until, now)
    return ngettext(
        "Too many requests for a new password: no e-mail was sent this time. Try again at %(time)s "
        "(%(minutes)s minute from now). A link sent earlier stays valid.",
        "Too many requests for a new password: no e-mail was sent this time. Try again at %(time)s "
        "(%(minutes)s minutes from now). A link sent earlier stays valid.",
        minutes,
    ) % {"time": time_format(timezone.localtime(until)), "minutes": minutes}


class LoginThrottleHandler(AxesDatabaseHandler):
    """axes' database handler with a limit for the account and a higher one for the client address."""

    def get_failures(self, request, credentials=None) -> int:
        """The account's failures, or the account limit itself once the address has reached its own limit.

        axes compares this number with AXES_FAILURE_LIMIT (the account limit), both before a login and after
        a failure, so this is where the address limit joins it.
        """
        username = get_client_username(request, credentials)
        attempts = _recent_attempts(request.axes_attempt_time)
        by_account = sum(attempts.filter(username=username).values_list("failures_since_start", flat=True))
        by_address = 0
        if request.axes_ip_address:
            by_address = sum(
                attempts.filter(ip_address=request.axes_ip_address).values_list(
                    "failures_since_start", flat=True
                )
            )
        if by_address >= settings.REGISTRI_LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(by_account, settings.REGISTRI_LOGIN_FAILURE_LIMIT)
        return by_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login forgives the account's failures, not the address's: a spray that guesses one
        password right must not win back its attempts on every other account."""
        return unlock_account(get_client_username(request, credentials) or "")

    def reset_attempts(self, *, ip_address=None, username=None, ip_or_username=False) -> int:
        # `manage.py axes_reset_username A@X` and the admin's actions name the account as typed.
        return super().reset_attempts(
            ip_address=ip_address, username=normalise_username(username), ip_or_username=ip_or_username
        )


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again (ours or the Django admin's), with HTTP 429 and when to retry.

    The login view's own response is re-rendered with the form's error replaced by the lockout message,
    so both login pages keep their look and their form.
    """
    now = timezone.now()
    until = login_locked_until(
        username=get_client_username(request, credentials), ip_address=request.axes_ip_address, now=now
    )
    message = login_lockout_message(until or now + get_cool_off(), now)
    logger.warning("Login refused: account or address locked until %s (%s).", until, request.path)
    if isinstance(original_response, TemplateResponse) and original_response.context_data is not None:
        response = original_response
        context = response.context_data
    else:
        # Unbound: validating a bound form would call authenticate() again and count one more failure.
        context = {"form": AuthenticationForm(request)}
        response = TemplateResponse(request, "registration/login.html", context)
    form = context.get("form")
    if form is not None and form.is_bound:
        form.errors[NON_FIELD_ERRORS] = form.error_class([message], error_class="nonfield")
    context["lockout_message"] = message
    response.content = response.rendered_content
    response.status_code = settings.AXES_HTTP_RESPONSE_CODE
    return response
