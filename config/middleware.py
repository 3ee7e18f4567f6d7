"""Pages shown to a signed-in person are not kept by the browser or any cache on the way.

A shared computer in an agency office is common: after signing out, Back must not show the last person's
entries from the browser's cache, and a proxy must never store one person's page for another. Responses that
chose their own Cache-Control (file downloads, the signed redirect) keep it; anonymous pages (the login page,
the public showcase) and static files (served by WhiteNoise before this runs) stay cacheable.
"""

from django.utils.cache import patch_cache_control


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
