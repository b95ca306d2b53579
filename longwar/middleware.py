"""While PostgreSQL cannot be reached, every page answers a quick, friendly 503 instead of a traceback or a hang.

A short `connect_timeout` (settings) bounds the wait; `CONN_HEALTH_CHECKS` replaces dead persistent
connections, so the site recovers by itself when the database is back. The comment form keeps the reader's
text on its own (comments.views); this covers every other page.
"""

import logging
from http import HTTPStatus

from django.db import InterfaceError, OperationalError
from django.shortcuts import render

logger = logging.getLogger(__name__)


class DatabaseUnavailableMiddleware:
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
