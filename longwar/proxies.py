"""Is TRUSTED_PROXY_COUNT right? A request arriving with X-Forwarded-For while it is 0 says a proxy stands in
front of the site uncounted: every reader then has the proxy's address (one flood limit for the whole site,
and blocking one reader blocks everyone). It is noted in the cache, one write per week at most, and staff
are told on the admin index page and by `manage.py check --deploy` (which sees it when the cache is shared).
"""

from django.conf import settings
from django.core.cache import cache
from django.core.checks import Tags, Warning, register
from django.utils import timezone

SEEN_KEY = "longwar.proxies.forwarded-for-seen"
REMEMBERED_SECONDS = 7 * 24 * 60 * 60


class ForwardedForWatchMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.TRUSTED_PROXY_COUNT and "HTTP_X_FORWARDED_FOR" in request.META:
            cache.add(SEEN_KEY, timezone.now(), REMEMBERED_SECONDS)
        return self.get_response(request)


def forwarded_for_warning() -> str:
    """What staff should know, or "" when nothing suggests the setting is wrong."""
    if settings.TRUSTED_PROXY_COUNT:
        return ""
    try:
        seen = cache.get(SEEN_KEY)
    except Exception:  # noqa: BLE001 - a check run where the cache (the database, Redis) is out of reach
        return ""
    if seen is None:
        return ""
    return (
        f"Requests arrive with an X-Forwarded-For header (noted {timezone.localtime(seen):%Y-%m-%d %H:%M}) "
        "but TRUSTED_PROXY_COUNT is 0, so every reader may have the proxy's address: one flood limit for "
        "the whole site, and blocking one reader blocks everyone. Set TRUSTED_PROXY_COUNT to the number of "
        "proxies in front of the site (if readers' own proxies add the header and none of yours do, "
        "this is harmless)."
    )


@register(Tags.security, deploy=True)
def check_trusted_proxy_count(app_configs, **kwargs):
    message = forwarded_for_warning()
    return [Warning(message, id="longwar.W001")] if message else []
