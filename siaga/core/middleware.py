"""Middleware of every request: the language, and a clear answer while the database is away.

Language: Bahasa Indonesia unless the user chose English with the switch. Django's
LocaleMiddleware also follows the browser's Accept-Language, so phones and browsers set to
English would open Siaga in English. The TP3D works in Indonesian: only the user's explicit
choice (the language cookie set by /i18n/setlang/) changes the language.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

log = logging.getLogger("siaga.database")
RETRY_AFTER_SECONDS = 5

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


class DatabaseUnavailableMiddleware:
    """While the database cannot be reached (a restart, a failover), answer 503 with
    Retry-After instead of a 500 page: the field app's outbox and API clients then wait and send
    the same request again, with its idempotency key, and nothing is lost or doubled."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        log.warning("database unavailable: %s", type(exception).__name__)
        message = _("Basis data sedang tidak dapat dihubungi. Coba lagi sebentar.")
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message, "field": None}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
