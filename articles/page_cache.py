"""Versions of the cached article pages; the cache itself is longwar.page_cache.

A cached page is served only while the versions it was rendered under are still current, so a change
shows at once on every app server. Whoever changes something an article page shows moves a version on,
after the transaction commits: one article's (its comments, counts, picks) or the site's (an article's
text or tags, authors, topics, the donation appeal, the comment settings), which retires every page.
"""

import secrets

from django.core.cache import cache
from django.db import transaction

SITE_VERSION_KEY = "pages:v:site"


def article_version_key(slug: str) -> str:
    return f"pages:v:article:{slug}"


def new_version() -> int:
    """A random version: an integer, which Django's Redis cache stores as it is, not pickled."""
    return secrets.randbits(63)


def _move_on(key: str) -> None:
    transaction.on_commit(lambda: cache.set(key, new_version(), timeout=None), robust=True)


def article_page_changed(slug: str) -> None:
    """Something on this article's page changed (its comments): retire its cached pages."""
    _move_on(article_version_key(slug))


def all_pages_changed() -> None:
    """Something every page may show changed: retire every cached page."""
    _move_on(SITE_VERSION_KEY)
