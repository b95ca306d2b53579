"""Site-wide request rules that no library covers: a friendly 503 while the database is away, and a limit on
query strings."""

import logging
from http import HTTPStatus

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
    """While PostgreSQL cannot be reached, every page answers a quick, friendly 503 instead of a traceback or a
    hang. A short `connect_timeout` (settings) bounds the wait; `CONN_HEALTH_CHECKS` replaces dead persistent
    connections, so the site recovers by itself. The comment form keeps the reader's text on its own
    (comments.views); this covers every other page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("Database unavailable for %s %s: %s", request.method, request.path, exception)
        # The template queries nothing: no navigation, no user, no messages.
        response = render(request, "503.html", status=HTTPStatus.SERVICE_UNAVAILABLE)
        response["Retry-After"] = "10"
        return response


def query_string_limit(get_response):
    """Refuse query strings longer than any page of the site uses (414) before a view parses them.

    Django limits bodies and field counts (DATA_UPLOAD_MAX_*) but not the query string; the admin's
    search turns each word into conditions, and 30,000 words kept a worker busy for a minute.
    """

    def middleware(request):
        if len(request.META.get("QUERY_STRING", "")) > settings.MAX_QUERY_STRING_LENGTH:
            return HttpResponse(
                "This address is too long. Please shorten the search or the filters.",
                content_type="text/plain; charset=utf-8",
                status=HTTPStatus.REQUEST_URI_TOO_LONG,
            )
        return get_response(request)

    return middleware
