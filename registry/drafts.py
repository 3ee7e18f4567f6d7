"""Keep what a person typed when their session ended before it was saved.

An autosave or a save button that arrives after the session expired cannot be written (we do
not know who sent it), but it must not be lost: it is kept in the anonymous session, the person
signs in, and the page they were on offers it again. Django's login keeps session data.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "registri_pending_drafts"
IGNORED = {"csrfmiddlewaretoken"}


def keep(request) -> None:
    pending = request.session.get(SESSION_KEY, {})
    pending[request.path] = {key: request.POST.getlist(key) for key in request.POST if key not in IGNORED}
    request.session[SESSION_KEY] = pending


def take(request):
    """The draft kept for this page, as a QueryDict, or None; it is offered once."""
    pending = request.session.get(SESSION_KEY)
    if not pending or request.path not in pending:
        return None
    values = pending.pop(request.path)
    request.session[SESSION_KEY] = pending
    data = QueryDict(mutable=True)
    for key, items in values.items():
        data.setlist(key, items)
    return data


def login_required_keeping_draft(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        login_url = f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.path})}"
        if request.method == "POST":
            keep(request)
            if request.headers.get("HX-Request"):
                response = HttpResponse(status=401)
                response["HX-Redirect"] = login_url
                return response
        return redirect(login_url)

    return wrapped
