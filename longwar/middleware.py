"""Site-wide request rules that no library covers."""

from http import HTTPStatus

from django.conf import settings
from django.http import HttpResponse


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
