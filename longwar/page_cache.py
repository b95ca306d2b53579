"""The shared page cache: an article page is rendered once and served to every anonymous reader.

Who is served a shared page: a GET or HEAD of an article page (`articles:detail`) from a browser that
carries none of the cookies that make a page personal (comments.reader.has_own_state: a session for
logged-in staff; the cookie of the reader's own comments; the messages cookie; the remember-me cookie). Those get their own page, rendered for them,
marked private and never stored; so do requests for a reply form (`?replyto=`).

What is stored (Redis, or the database cache; see CACHES in settings): the HTML with two slots, the CSRF
token and the comment form's signed timestamp, that are filled for each reader it is served to, so no
reader's token is shared and the form's "too fast" and "too old" rules keep measuring from when this
reader was shown the form. An entry is served only while the versions it was rendered under are current
(articles.page_cache: the article's and the site's; the services and the receivers in `retire_pages_on`
move them on), and no longer than PAGE_CACHE_SECONDS or the moment comments close. Each process also keeps
the pages it serves (KEPT_PAGES), so a request asks the shared cache only for the versions, which with Redis
each process holds a copy of too (longwar.cache, announced keys): a current page is served without a
round trip.

Conditional GET: a weak ETag and Last-Modified answer 304 while the page is unchanged, for at most
TOKEN_REFRESH_SECONDS, so the form a browser keeps from a 304 is never older than that.
"""

import hashlib
import re
import secrets
import struct
import threading
import time
import zlib
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property, lru_cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, CsrfViewMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers, get_conditional_response, patch_vary_headers
from django.utils.http import http_date
from django.utils.safestring import SafeString, mark_safe

from articles.page_cache import SITE_VERSION_KEY, all_pages_changed, article_version_key, new_version
from comments.forms import make_form_token
from comments.reader import has_own_state
from comments.selectors import comment_sort
from longwar.db_router import primary_reads

CACHED_VIEWS = {"articles:detail"}
CSRF_SLOT = "<!--csrf-token-->"  # reader text is escaped and article HTML has its comments stripped (nh3)
FORM_TOKEN_SLOT = "<!--form-token-->"
TOKEN_REFRESH_SECONDS = 15 * 60
SLOTS = re.compile(f"({re.escape(CSRF_SLOT)}|{re.escape(FORM_TOKEN_SLOT)})".encode())
KEPT_PAGES = 256  # stored pages each process keeps a copy of (see `_current_entry`)
ENTRY_FORMAT = 3  # part of every page's key: a release that changes `Entry` starts with an empty cache
GZIP_HEADER = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
ACCEPTS_GZIP = re.compile(r"\bgzip\b(?!\s*;\s*q=0(?:\.0*)?\s*(?:,|$))")  # gzip, unless refused with q=0
STORED_HEADERS = ("Content-Type", "X-Frame-Options", "Content-Language")


class SharedRendering:
    """Set on a request rendered for the shared cache (`request.page_cache`): the slots and what the page
    tells the cache (how long it may be kept, or that it must not be)."""

    csrf_slot: SafeString = mark_safe(CSRF_SLOT)

    def __init__(self):
        self.form_article_id: int | None = None
        self.until: datetime | None = None
        self.storable = True

    def form_token_slot(self, article_id: int) -> SafeString:
        self.form_article_id = article_id
        return mark_safe(FORM_TOKEN_SLOT)

    def expires_at(self, when: datetime) -> None:
        self.until = when if self.until is None else min(self.until, when)

    def keep_out(self) -> None:
        """This rendering is not the canonical page for its key (e.g. a page number past the end)."""
        self.storable = False


def _deflated(text: bytes) -> bytes:
    """Raw deflate of `text` ending on a byte boundary, not final: such pieces can follow one another in a
    stream (RFC 1951)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(text) + compressor.flush(zlib.Z_FULL_FLUSH)


def _stored_block(text: bytes) -> bytes:
    """`text` as an uncompressed deflate block (RFC 1951, 3.2.4): a reader's token costs no compressor."""
    return struct.pack("<BHH", 0, len(text), len(text) ^ 0xFFFF) + text


FINAL_BLOCK = zlib.compressobj(1, zlib.DEFLATED, -zlib.MAX_WBITS).flush()  # an empty last block


@dataclass
class Entry:
    """A stored page, kept compressed as the pieces of a gzip stream: the HTML before the first slot (the
    article and its comments, most of the page), then each slot's name and the HTML up to the next slot,
    deflated apart. A reader's page is those pieces with their tokens between them, so serving it
    compresses nothing; only the CRC of the small tail is computed for each reader."""

    versions: tuple[int, int]
    head: bytes  # raw deflate of the HTML before the first slot
    head_crc: int
    head_length: int
    slots: tuple[bytes, ...]
    pieces: tuple[bytes, ...]  # the HTML after each slot, as it is (for the CRC and plain answers)
    deflated_pieces: tuple[bytes, ...]
    headers: dict[str, str]
    etag: str
    rendered_at: float
    expires_at: float
    form_article_id: int | None = None

    def current(self, versions: tuple[int | None, int | None]) -> bool:
        """Rendered under these versions, which exist (none while the cache is unreachable), and not expired."""
        return None not in versions and self.versions == versions and time.time() < self.expires_at

    @classmethod
    def of(cls, content: bytes, **fields) -> "Entry":
        head, *rest = SLOTS.split(content)
        pieces = tuple(rest[1::2])
        return cls(
            head=_deflated(head),
            head_crc=zlib.crc32(head),
            head_length=len(head),
            slots=tuple(rest[0::2]),
            pieces=pieces,
            deflated_pieces=tuple(_deflated(piece) for piece in pieces),
            etag=hashlib.md5(content, usedforsecurity=False).hexdigest()[:20],
            **fields,
        )

    def body(self, tokens: dict[bytes, bytes], gzip: bool) -> bytes:
        """The whole page with these values in its slots: one gzip stream, or plain HTML."""
        if not gzip:
            parts = [zlib.decompressobj(-zlib.MAX_WBITS).decompress(self.head)]
            for slot, piece in zip(self.slots, self.pieces, strict=True):
                parts += [tokens[slot], piece]
            return b"".join(parts)
        parts, crc, length = [GZIP_HEADER, self.head], self.head_crc, self.head_length
        for slot, piece, deflated in zip(self.slots, self.pieces, self.deflated_pieces, strict=True):
            token = tokens[slot]
            parts += [_stored_block(token), deflated]
            crc = zlib.crc32(piece, zlib.crc32(token, crc))
            length += len(token) + len(piece)
        parts += [FINAL_BLOCK, struct.pack("<II", crc, length & 0xFFFFFFFF)]
        return b"".join(parts)

    def with_slots(self) -> bytes:
        """The HTML as stored, slots unfilled."""
        return self.body({slot: slot for slot in self.slots}, gzip=False)


def _page_key(request, slug: str) -> str | None:
    """The cache key of this page, or None when it is not cached (a reply form, an odd page number)."""
    query = request.GET if request.META.get("QUERY_STRING") else {}
    if "replyto" in query:
        return None
    page = query.get("cpage", "1")
    if not (page.isdecimal() and len(page) <= 6):
        return None
    sort = comment_sort(query.get("csort")).value
    return (
        f"pages:page:{ENTRY_FORMAT}:{request.scheme}://{request.get_host()}{request.path}?{sort}&{int(page)}"
    )


def _current_versions(found: dict, article_key: str) -> tuple[int, int]:
    """The site's and the article's versions, starting them (once, atomically) where there are none yet."""
    versions = []
    for key in (SITE_VERSION_KEY, article_key):
        if found.get(key) is None:
            cache.add(key, new_version(), timeout=None)
            found[key] = cache.get(key)
        versions.append(found[key])
    return versions[0], versions[1]


def stored_page(request) -> Entry | None:
    """The current stored page for this request, if it may be served one: a cache lookup and no database."""
    slug = PageCacheMiddleware._cached_page(request)
    if slug is None or has_own_state(request):
        return None
    try:
        key = _page_key(request, slug)
    except DisallowedHost:
        return None  # the full stack answers it (400)
    if key is None:
        return None
    return _current_entry(key, article_version_key(slug))[1]


_kept: dict[str, Entry] = {}
_keeping = threading.Lock()


def _current_entry(key: str, article_key: str) -> tuple[dict, Entry | None]:
    """What the shared cache holds of the versions (by key), and the page stored under `key` if current.

    Each process keeps a copy of the pages it serves, so the shared cache is asked for the two versions and
    not the whole page; the versions still decide, so a change made on any server retires the copy at once.
    """
    kept = _kept.get(key)
    versions_keys = [SITE_VERSION_KEY, article_key]
    found = cache.get_many(versions_keys if kept else [key, *versions_keys])
    versions = (found.get(SITE_VERSION_KEY), found.get(article_key))
    if kept is not None and not kept.current(versions):
        kept = None
        found[key] = cache.get(key)  # perhaps already rendered again by another process
    entry = kept or found.get(key)
    if entry is None or not entry.current(versions):
        return found, None
    if kept is None:
        _keep(key, entry)
    return found, entry


def _keep(key: str, entry: Entry) -> None:
    with _keeping:
        if key not in _kept and len(_kept) >= KEPT_PAGES:
            del _kept[next(iter(_kept))]  # the oldest
        _kept[key] = entry


class StoredPageMiddleware:
    """First in MIDDLEWARE: serves a current stored page to a reader without personal cookies through only
    the middleware a page needs around it (the HTTPS redirect and security headers, frame options, the
    Content-Security-Policy, the CSRF cookie its form slot uses), skipping sessions, users, messages and the
    database. Anything else (a miss, a personal page, a post) goes down the whole stack, where
    PageCacheMiddleware renders and stores it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.serve = SecurityMiddleware(XFrameOptionsMiddleware(CsrfViewMiddleware(self._stored)))

    def __call__(self, request):
        request.stored_page = stored_page(request)
        if request.stored_page is None:
            return self.get_response(request)
        return self.serve(request)

    @cached_property
    def policy_headers(self) -> dict[str, str]:
        """The Content-Security-Policy headers django-csp sends: the site's policy uses no nonces and no view
        changes it, so they depend on the settings alone and are built once per process."""
        request = HttpRequest()
        csp = CSPMiddleware(lambda request: HttpResponse())
        csp.process_request(request)
        response = csp.process_response(request, HttpResponse())
        return {name: response[name] for name in (HEADER, HEADER_REPORT_ONLY) if response.has_header(name)}

    def _stored(self, request):
        response = PageCacheMiddleware._serve(request, request.stored_page)
        for name, value in self.policy_headers.items():
            response[name] = value
        return response


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        slug = self._cached_page(request)
        if slug is None:
            return self.get_response(request)
        if has_own_state(request):
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        key = _page_key(request, slug)
        if key is None:  # rendered for this reader (a reply form carries their tokens): never shared
            response = self.get_response(request)
            add_never_cache_headers(response)
            return response
        article_key = article_version_key(slug)
        found, entry = _current_entry(key, article_key)
        if entry is None:
            entry = self._render(request, key, _current_versions(found, article_key))
            if isinstance(entry, HttpResponse):
                return entry
        return self._serve(request, entry)

    @staticmethod
    def _cached_page(request) -> str | None:
        """The article slug when this request is for a page this cache holds."""
        if request.method not in ("GET", "HEAD"):
            return None
        return _cached_slug(request.path_info)

    def _render(self, request, key: str, versions: tuple[int, int]) -> Entry | HttpResponse:
        """Render the page with slots and store it; anything but a plain 200 page goes back as it is."""
        request.page_cache = rendering = SharedRendering()
        with primary_reads():
            response = self.get_response(request)
        if response.status_code != 200 or response.streaming or response.cookies:
            patch_vary_headers(response, ["Cookie"])
            return response
        rendered_at = time.time()
        timeout = settings.PAGE_CACHE_SECONDS
        if rendering.until is not None:
            timeout = min(timeout, int(rendering.until.timestamp() - rendered_at))
        entry = Entry.of(
            response.content,
            versions=versions,
            headers={name: response[name] for name in STORED_HEADERS if response.has_header(name)},
            rendered_at=rendered_at,
            expires_at=rendered_at + timeout,
            form_article_id=rendering.form_article_id,
        )
        if rendering.storable and timeout > 0 and None not in versions:
            cache.set(key, entry, timeout)
            _keep(key, entry)
        return entry

    @staticmethod
    def _serve(request, entry: Entry) -> HttpResponse:
        """The stored page, or 304, with this reader's tokens in the slots."""
        now = time.time()
        window = int(now // TOKEN_REFRESH_SECONDS)
        etag = f'W/"{entry.etag}.{window}"'
        last_modified = max(int(entry.rendered_at), window * TOKEN_REFRESH_SECONDS)
        response = get_conditional_response(request, etag=etag, last_modified=last_modified)
        if response is None:
            gzip = bool(ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")))
            response = HttpResponse(entry.body(_tokens(request, entry), gzip), headers=entry.headers)
            if gzip:
                response["Content-Encoding"] = "gzip"
        response["ETag"] = etag
        response["Last-Modified"] = _http_date(last_modified)
        response["Cache-Control"] = "private, no-cache"  # browsers revalidate; shared HTTP caches keep out
        response["Vary"] = "Cookie, Accept-Encoding"
        return response


@lru_cache(maxsize=64)
def _http_date(seconds: int) -> str:
    return http_date(seconds)


@lru_cache(maxsize=4096)
def _cached_slug(path: str) -> str | None:
    """The article slug when `path` is an article page (URL patterns are fixed, so each path is resolved once
    per process)."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.kwargs.get("slug") if match.view_name in CACHED_VIEWS else None


def _tokens(request, entry: Entry) -> dict[bytes, bytes]:
    """This reader's values for the page's slots."""
    tokens = {}
    if CSRF_SLOT.encode() in entry.slots:
        tokens[CSRF_SLOT.encode()] = csrf_token(request).encode()
    if FORM_TOKEN_SLOT.encode() in entry.slots:
        tokens[FORM_TOKEN_SLOT.encode()] = _form_token(entry.form_article_id, int(time.time())).encode()
    return tokens


@lru_cache(maxsize=256)
def _form_token(article_id: int, second: int) -> str:
    """The form's signed timestamp counts whole seconds: readers shown the form in the same second share it."""
    return make_form_token(article_id, now=second)


# Random CSRF characters, unbiased: a byte below 248 (4 x 62) picks a character, the rest are dropped.
_CSRF_CHARACTER = bytes.maketrans(bytes(range(256)), (CSRF_ALLOWED_CHARS * 5).encode()[:256])
_CSRF_UNUSED_BYTES = bytes(range(4 * len(CSRF_ALLOWED_CHARS), 256))
_CSRF_INDEX = {character: index for index, character in enumerate(CSRF_ALLOWED_CHARS)}


def _random_csrf_characters() -> str:
    drawn = b""
    while len(drawn) < CSRF_SECRET_LENGTH:
        drawn += secrets.token_bytes(CSRF_SECRET_LENGTH + 8).translate(_CSRF_CHARACTER, _CSRF_UNUSED_BYTES)
    return drawn[:CSRF_SECRET_LENGTH].decode()


def csrf_token(request) -> str:
    """Django's `get_token`, drawing its random characters from one system call rather than 64 calls of
    `secrets.choice` (which took a fifth of the time of a stored page): the reader's secret (a new one, and
    so a new cookie, when they have none) masked with a fresh mask, in the format Django checks.
    """
    secret = request.META.get("CSRF_COOKIE") or _random_csrf_characters()
    request.META.update({"CSRF_COOKIE": secret, "CSRF_COOKIE_NEEDS_UPDATE": True})
    mask = _random_csrf_characters()
    count = len(CSRF_ALLOWED_CHARS)
    return mask + "".join(
        CSRF_ALLOWED_CHARS[(_CSRF_INDEX[s] + _CSRF_INDEX[m]) % count]
        for s, m in zip(secret, mask, strict=True)
    )


def _retire_all_pages(**kwargs) -> None:
    all_pages_changed()


def retire_pages_on(*models) -> None:
    """What every article page shows besides its comments: any change to these retires every cached page."""
    for model in models:
        uid = f"page-cache-{model._meta.label}"
        post_save.connect(_retire_all_pages, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(_retire_all_pages, sender=model, dispatch_uid=f"{uid}-delete")


def retire_pages_on_tagging(through) -> None:
    m2m_changed.connect(_retire_all_pages, sender=through, dispatch_uid="page-cache-tagging")
