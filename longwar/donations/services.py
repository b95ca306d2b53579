"""Rules for counting a follow of the donation link: who counts, which article, which referring site."""

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from articles.models import Article
from longwar.donations.models import DonationClick

# Crawlers, link unfurlers, uptime monitors and command-line clients: they follow links, but no reader is behind them.
NOT_A_READER = re.compile(
    r"bot|crawl|spider|slurp|archiver|facebookexternalhit|embedly|quora link preview|preview|"
    r"headlesschrome|lighthouse|pingdom|uptime|monitor|curl/|wget/|python-|go-http-client|java/|libwww|httpclient",
    re.IGNORECASE,
)
PREFETCH_HEADERS = ("Purpose", "Sec-Purpose", "X-Purpose", "X-Moz")
ARTICLE_ID = re.compile(r"[0-9]{1,18}")  # fits a bigint; anything else names no article


def is_counted_visit(*, method: str, headers: Mapping[str, str]) -> bool:
    """Only a reader's GET counts: HEAD, prefetch/prerender and known robots get the redirect uncounted."""
    if method != "GET":
        return False
    if NOT_A_READER.search(headers.get("User-Agent", "")):
        return False
    purposes = " ".join(headers.get(name, "") for name in PREFETCH_HEADERS).lower()
    return not ("prefetch" in purposes or "prerender" in purposes or "preview" in purposes)


def referrer_host(referer: str) -> str:
    """The referring site's host name only: paths and queries can carry personal data."""
    try:
        host = urlsplit(referer).hostname or ""
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return ""
    if not host.isprintable():  # control characters (NUL) are no host name, and PostgreSQL refuses NUL
        return ""
    return host[: DonationClick._meta.get_field("referrer_host").max_length]


def published_article_id(from_param: str) -> int | None:
    """The id in `?from=` if it names a published article; drafts, unknown ids and junk name none."""
    if not ARTICLE_ID.fullmatch(from_param):
        return None
    return Article.objects.published().filter(pk=int(from_param)).values_list("pk", flat=True).first()


def donation_click_record(*, from_param: str, referer: str) -> DonationClick:
    return DonationClick.objects.create(
        article_id=published_article_id(from_param), referrer_host=referrer_host(referer)
    )
