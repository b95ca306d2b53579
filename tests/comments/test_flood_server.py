"""A flood against the real server: gunicorn with several workers and threads on 127.0.0.1, this test
run's PostgreSQL, and many readers posting at once through the real form (CSRF included).

Every comment answered with a success (302) is stored exactly once, each address gets exactly the flood
limit's worth, the rest are answered 429, and nothing answers 5xx.
"""

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.urls import reverse

from comments.models import Comment, ModerationSettings
from tests.factories import ArticleFactory
from tests.processes import this_test_database_url

WORKERS, THREADS = 2, 4
ADDRESSES, READERS_PER_ADDRESS, POSTS_PER_READER = 8, 3, 4  # 96 posts, 12 from each address
FLOOD_LIMIT = 5


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(django_db_setup):
    """gunicorn serving the site on a free local port; stopped (and its connections closed) afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": this_test_database_url(),
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "TRUSTED_PROXY_COUNT": "1",  # each reader's address comes in X-Forwarded-For, as behind a proxy
        "CONN_MAX_AGE": "0",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "longwar.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", str(WORKERS), "--threads", str(THREADS), "--log-level", "warning"]
        # A worker now and then outlives the quick shutdown below (every request answered by then, and no
        # query waiting): gunicorn kills it after this many seconds rather than its default 30.
        + ["--graceful-timeout", "5"],
        cwd=settings.BASE_DIR,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", reverse("healthz"))
            if connection.getresponse().status == HTTPStatus.OK:
                break
        except OSError:
            assert process.poll() is None, process.stderr.read()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
    yield port
    process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown: every request has been answered
    _, errors = process.communicate(timeout=30)
    assert "Traceback" not in errors, errors


def reader(port: int, article, address: str, number: int, start: threading.Barrier) -> list[tuple[str, int]]:
    """One browser: load the article (CSRF cookie and form), then post its comments one after another."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    forwarded = {"X-Forwarded-For": address}
    connection.request("GET", article.get_absolute_url(), headers=forwarded)
    page = connection.getresponse()
    html = page.read().decode()
    csrf_cookie = re.search(r"csrftoken=([^;]+)", page.getheader("Set-Cookie"))[1]
    fields = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html)[1]
        for name in ("csrfmiddlewaretoken", "token")
    }
    start.wait()
    outcomes = []
    for post in range(POSTS_PER_READER):
        body = f"Reader {number} at {address}, comment {post}."
        form = {**fields, "name": f"Reader {number}", "email": f"reader{number}@example.org", "body": body}
        connection.request(
            "POST",
            reverse("comments:post", args=[article.pk]),
            body=urlencode(form),
            headers={
                **forwarded,
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf_cookie}",
            },
        )
        response = connection.getresponse()
        response.read()
        outcomes.append((body, response.status))
    connection.close()
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_a_flood_of_posts_gets_each_accepted_comment_stored_once_and_429_for_the_rest(
    server, record_property
):
    article = ArticleFactory()
    config = ModerationSettings.load()
    config.flood_max_comments = FLOOD_LIMIT
    config.save()
    readers = [
        (f"198.51.100.{address + 1}", address * READERS_PER_ADDRESS + n)
        for address in range(ADDRESSES)
        for n in range(READERS_PER_ADDRESS)
    ]
    start = threading.Barrier(len(readers))
    with ThreadPoolExecutor(max_workers=len(readers)) as pool:
        runs = [pool.submit(reader, server, article, address, number, start) for address, number in readers]
        outcomes = [outcome for run in runs for outcome in run.result()]

    statuses = Counter(status for _, status in outcomes)
    record_property("posts", len(outcomes))
    record_property("outcomes", dict(statuses))
    assert len(outcomes) == ADDRESSES * READERS_PER_ADDRESS * POSTS_PER_READER
    assert set(statuses) <= {HTTPStatus.FOUND, HTTPStatus.TOO_MANY_REQUESTS}
    accepted = [body for body, status in outcomes if status == HTTPStatus.FOUND]
    stored = Counter(Comment.objects.filter(article=article).values_list("body", flat=True))
    assert stored == Counter(accepted)  # each acknowledged comment exactly once, nothing else
    per_address = Counter(Comment.objects.values_list("ip_address", flat=True))
    assert per_address == {f"198.51.100.{address + 1}": FLOOD_LIMIT for address in range(ADDRESSES)}


def test_a_huge_query_string_is_refused_by_the_real_server(server):
    """gunicorn refuses request lines over 4 KiB itself (Django's own limit covers other servers)."""
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    started = time.monotonic()
    connection.request("GET", f"{reverse('articles:search')}?q={'a+' * 50_000}")
    response = connection.getresponse()
    assert HTTPStatus.BAD_REQUEST <= response.status < HTTPStatus.INTERNAL_SERVER_ERROR
    assert time.monotonic() - started < 1
