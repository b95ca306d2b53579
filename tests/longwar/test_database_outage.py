"""The database goes away under a real server, and comes back: no hang, no traceback, no comment lost.

gunicorn (two workers) reaches the test database through a TCP proxy this test controls, so the network
between the site and PostgreSQL can be cut like a server that stops (connections drop, new ones are
refused), one that hangs (connections are accepted and never answered) or one that restarts between two
requests (persistent connections die, new ones work). Every comment the site acknowledged (a redirect)
must be stored exactly once; a comment sent during an outage gets its text back and goes through when
sent again.
"""

import os
import subprocess
import sys
import time
from html.parser import HTMLParser
from http.cookiejar import CookieJar
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, HTTPRedirectHandler, Request, build_opener

import pytest
from django.conf import settings
from django.urls import reverse

from comments.models import Comment
from tests.factories import ArticleFactory
from tests.longwar.database_link import database_url_through, free_port

pytestmark = pytest.mark.django_db(transaction=True)

CONNECT_TIMEOUT = 2  # seconds; libpq's smallest
QUICK = CONNECT_TIMEOUT + 3  # an outage page must come at least this fast


class FormFields(HTMLParser):
    """What a browser sends back from the comment form: its inputs and its textarea."""

    def __init__(self, page: str):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._textarea = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "input" and attrs.get("name") and (attrs.get("type") != "checkbox" or "checked" in attrs):
            self.fields[attrs["name"]] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.fields[self._textarea] = ""

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None


class NoRedirects(HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Reader:
    """A browser: keeps its cookies, shows every answer (redirects included) with the time it took."""

    def __init__(self, base_url: str):
        self.base_url = base_url
        self.opener = build_opener(HTTPCookieProcessor(CookieJar()), NoRedirects)

    def send(self, path: str, data: dict | None = None) -> tuple[int, str, float]:
        request = Request(self.base_url + path, data=urlencode(data).encode() if data is not None else None)
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=30) as response:
                status, body = response.status, response.read()
        except HTTPError as answer:
            status, body = answer.code, answer.read()
        return status, body.decode(), time.monotonic() - started


@pytest.fixture
def site(link, tmp_path):
    """gunicorn with two workers and persistent connections, reaching PostgreSQL through the link."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url_through(link),
        "DATABASE_CONNECT_TIMEOUT": str(CONNECT_TIMEOUT),
        "CONN_MAX_AGE": "60",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "ERROR",
    }
    log = (tmp_path / "gunicorn.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "longwar.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "2", "--graceful-timeout", "2"],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(Reader(base_url), seconds=30)
        yield base_url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def wait_until_healthy(reader: Reader, seconds: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        try:
            if reader.send(reverse("healthz"))[0] == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not healthy after {seconds} s")


def comment_form(reader: Reader, article) -> dict[str, str]:
    status, page, _ = reader.send(article.get_absolute_url())
    assert status == 200
    return FormFields(page.split('id="respond"')[1]).fields


def test_the_site_survives_database_outages_and_loses_no_acknowledged_comment(site, link):
    article = ArticleFactory()
    reader = Reader(site)
    post_url = reverse("comments:post", args=[article.pk])
    acknowledged = []

    def post(body: str, fields: dict[str, str]) -> tuple[int, str, float]:
        answer = reader.send(post_url, fields | {"body": body})
        if answer[0] == 302:
            acknowledged.append(body)
        return answer

    identity = {"name": "Zainab Ḥaddād", "email": "zainab@example.org", "url": "https://example.org/z"}
    assert post("Before any outage.", comment_form(reader, article) | identity)[0] == 302

    outages = [("stopped", link.stop), ("hung", link.freeze)]
    for number, (kind, cut) in enumerate(outages, start=1):
        form = comment_form(reader, article) | identity
        cut()
        status, page, seconds = reader.send(reverse("healthz"))
        assert (status, seconds < QUICK) == (503, True), (kind, status, seconds)
        status, page, seconds = reader.send(article.get_absolute_url())
        assert (status, seconds < QUICK) == (503, True), (kind, status, seconds)
        assert "try again in a moment" in page

        body = f"Outage {number} ({kind}): <b>bold</b> claims & “quotes”.\nSecond line."
        status, page, seconds = post(body, form)
        assert (status, seconds < QUICK) == (503, True), (kind, status, seconds)
        assert "try again in a moment" in page
        kept = FormFields(page).fields
        assert {key: kept[key] for key in ("body", *identity)} == identity | {"body": body}

        link.restore()
        assert wait_until_healthy(reader, seconds=10) < 5  # no restart: the next requests reconnect
        assert post(body, kept)[0] == 302  # sent again from the 503 page, as the reader would

    # A restart between two requests: every persistent connection dies, new ones work at once.
    link.drop_connections()
    for path in (
        reverse("healthz"),
        article.get_absolute_url(),
        reverse("healthz"),
        article.get_absolute_url(),
    ):
        assert reader.send(path)[0] == 200
    assert post("After a restart.", comment_form(reader, article) | identity)[0] == 302

    stored = list(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert sorted(stored) == sorted(acknowledged)
    assert len(acknowledged) == len(outages) + 2
