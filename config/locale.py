from django.conf import settings
from django.utils import translation


class PreferredLanguageMiddleware:
    """Indonesian first: the language the person picked in the footer, else LANGUAGE_CODE.

    Django's LocaleMiddleware would follow the browser's Accept-Language, and many civil
    servants' phones and office PCs are set to English; the registry still speaks Indonesian
    to them until they choose otherwise.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
