"""Language: Bahasa Indonesia unless the user chose English with the switch.

Django's LocaleMiddleware also follows the browser's Accept-Language, so phones and browsers set
to English would open Siaga in English. The TP3D works in Indonesian: only the user's explicit
choice (the language cookie set by /i18n/setlang/) changes the language.
"""

from django.conf import settings
from django.utils import translation

_SUPPORTED = {code for code, _ in settings.LANGUAGES}


class ChosenLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in _SUPPORTED else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        with translation.override(language):  # never leaks into the next use of this thread
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
