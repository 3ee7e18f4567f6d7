"""A signed-in person outside every region (the installation's superuser) is sent to the region set-up page.

Every page of the registry is scoped by the person's region; without one, a page could only fail
(an import would try to store agencies of no region). The pages below work without a region.
"""

from django.shortcuts import redirect, render

from agencies.forms import RegionSetupForm

REGION_FREE_URL_NAMES = {
    "region_setup",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "health",
    "set_language",
    "showcase",
    "showcase_detail",
    "showcase_evidence",
    "edition_list",
    "edition_detail",
    # A superuser outside every region loads national catalogue editions.
    "edition_upload",
}


class RegionRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or user.region_id is not None:
            return None
        match = request.resolver_match
        if match is None or match.url_name in REGION_FREE_URL_NAMES or "admin" in match.namespaces:
            return None
        if request.method in ("GET", "HEAD"):
            return redirect("region_setup")
        # Nothing is done for a form sent from elsewhere: the page says what is missing instead.
        context = {"form": RegionSetupForm(), "refused": True}
        return render(request, "agencies/region_setup.html", context, status=409)
