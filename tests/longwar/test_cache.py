"""The shared cache: Redis when named, else the database; never the memory of one process alone (copies of
announced keys only, dropped when a change is announced)."""

import socket
import time
import uuid
from http import HTTPStatus

import pytest
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

import longwar.cache
from comments.forms import make_form_token
from comments.models import Comment
from longwar.cache import RedisCache
from tests.factories import ArticleFactory, CommentFactory
from tests.longwar.test_settings import UNREACHABLE_DB, run_django


def test_without_redis_the_cache_is_the_database():
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default'])"
    )
    result = run_django("-c", script, DEBUG="true", DATABASE_URL=UNREACHABLE_DB)
    assert "django.core.cache.backends.db.DatabaseCache" in result.stdout, result.stderr
    assert "longwar_cache" in result.stdout


def test_redis_cache_keeps_one_client_per_pool(settings, redis_url):
    settings.CACHES = {"default": {"BACKEND": "longwar.cache.RedisCache", "LOCATION": redis_url}}
    cache = caches["default"]
    assert isinstance(cache, RedisCache)
    assert cache._cache.get_client() is cache._cache.get_client()
    cache.set("longwar-test", {"a": 1}, 30)
    assert cache.get_many(["longwar-test", "missing"]) == {"longwar-test": {"a": 1}}


def announced_cache(redis_url, prefix: str) -> RedisCache:
    """A cache as one process of the site has it (each instance keeps its own copies and subscription)."""
    return RedisCache(redis_url, {"KEY_PREFIX": prefix, "OPTIONS": {"ANNOUNCED": ["pages:v:"]}})


def redis_reads(cache: RedisCache, monkeypatch) -> list:
    """Record every read this cache sends to Redis."""
    reads = []
    real = cache._cache.get_many
    monkeypatch.setattr(cache._cache, "get_many", lambda keys: reads.append(keys) or real(keys))
    return reads


def test_announced_keys_are_read_from_the_copy_until_a_change_is_announced(redis_url, monkeypatch):
    prefix = uuid.uuid4().hex
    writer, reader = announced_cache(redis_url, prefix), announced_cache(redis_url, prefix)
    writer.set_many({"pages:v:site": 1, "pages:v:article:a": 2, "other": 3}, None)
    reads = redis_reads(reader, monkeypatch)
    assert reader.get_many(["pages:v:site", "pages:v:article:a"]) == {
        "pages:v:site": 1,
        "pages:v:article:a": 2,
    }
    assert reader.get("pages:v:site") == 1
    assert reader.get_many(["pages:v:article:a"]) == {"pages:v:article:a": 2}
    assert len(reads) == 1  # then from the copy
    assert reader.get("other") == 3
    assert len(reads) == 1  # keys not announced are read by Django's own get, never copied

    for change in (
        lambda: writer.set("pages:v:site", 10, None),
        lambda: writer.delete("pages:v:site"),
        lambda: writer.add("pages:v:site", 11, None),
        lambda: writer.set_many({"pages:v:site": 12}, None),
        lambda: writer.delete_many(["pages:v:site"]),
    ):
        change()
        wait_for_announcement()
        assert reader.get("pages:v:site") == writer.get("pages:v:site")  # seen at once, on the next read
    reads.clear()
    reader.get_many(["pages:v:site", "pages:v:article:a"])
    writer.clear()
    wait_for_announcement()
    assert reader.get_many(["pages:v:site", "pages:v:article:a"]) == {}
    assert len(reads) == 2


def wait_for_announcement():
    time.sleep(0.05)  # the announcement crosses a socket, as between two servers


def test_copies_are_dropped_when_the_subscription_is_lost_and_trusted_for_a_second_at_most(
    redis_url, monkeypatch
):
    prefix = uuid.uuid4().hex
    reader = announced_cache(redis_url, prefix)
    reader.set("pages:v:site", 1, None)
    assert reader.get("pages:v:site") == 1
    silently = reader._cache.get_client(write=True)  # a write nobody announces
    silently.set(reader.make_and_validate_key("pages:v:site"), 2)
    assert reader.get("pages:v:site") == 1  # still the copy
    silently.client_kill_filter(_type="pubsub")  # the subscription is cut
    wait_for_announcement()
    assert reader.get("pages:v:site") == 2  # copies dropped: read from Redis
    assert reader.get("pages:v:site") == 2
    silently.set(reader.make_and_validate_key("pages:v:site"), 3)
    assert reader.get("pages:v:site") == 3  # not listening: every read asks Redis
    time.sleep(1.1)  # a second later it listens again
    monkeypatch.setattr(longwar.cache, "TRUST_SECONDS", 0.05)
    assert reader.get("pages:v:site") == 3  # copied, trusted for 0.05 s
    silently.set(reader.make_and_validate_key("pages:v:site"), 4)
    assert reader.get("pages:v:site") == 3
    time.sleep(0.1)
    assert reader.get("pages:v:site") == 4


@pytest.fixture
def hung_redis():
    """A server that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"


@pytest.fixture
def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


def unreachable_cache(settings, location: str) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "longwar.cache.RedisCache",
            "LOCATION": location,
            "OPTIONS": {"ANNOUNCED": ["pages:v:"], "socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.mark.django_db
@pytest.mark.parametrize("redis", ["closed_port", "hung_redis"])
def test_without_redis_pages_are_rendered_and_comments_posted(settings, request, redis, caplog):
    unreachable_cache(settings, request.getfixturevalue(redis))
    article = ArticleFactory()
    started = time.monotonic()
    first = Client().get(article.get_absolute_url())
    assert first.status_code == HTTPStatus.OK
    assert time.monotonic() - started < 2.5  # one socket timeout at most, then the cache stands aside
    assert "Redis cannot be reached" in caplog.text
    started = time.monotonic()
    assert Client().get(article.get_absolute_url()).status_code == HTTPStatus.OK
    posted = Client().post(
        reverse("comments:post", args=[article.pk]),
        {
            "name": "Grim",
            "email": "grim@example.org",
            "body": "Said while the cache was down.",
            "token": make_form_token(article.pk, now=time.time() - 10),
        },
    )
    assert time.monotonic() - started < 1  # not waiting on Redis again
    assert posted.status_code == HTTPStatus.FOUND
    assert Comment.objects.filter(article=article, body="Said while the cache was down.").count() == 1
    CommentFactory(article=article, body="Approved while the cache was down.")
    assert "Approved while the cache was down." in Client().get(article.get_absolute_url()).content.decode()


def test_version_writes_are_tried_even_while_the_cache_stands_aside(redis_url):
    prefix = uuid.uuid4().hex
    writer, reader = announced_cache(redis_url, prefix), announced_cache(redis_url, prefix)
    writer.set("pages:v:site", 1, None)
    assert reader.get("pages:v:site") == 1
    writer._paused_until = time.monotonic() + 60  # as after a moment's slowness
    writer.set("other", 3, None)  # not a version: left out while the cache stands aside
    writer.set("pages:v:site", 2, None)  # tried, and Redis answers: the cache is back in use
    writer.set("other", 4, None)
    wait_for_announcement()
    assert reader.get("pages:v:site") == 2
    assert reader.get("other") == 4


@pytest.mark.django_db
def test_while_redis_hangs_version_moves_cost_one_timeout_not_one_each(settings, hung_redis):
    unreachable_cache(settings, hung_redis)
    cache = caches["default"]
    started = time.monotonic()
    for n in range(5):  # a bulk decision moving five articles' versions
        cache.set(f"pages:v:article:{n}", n, None)
    assert time.monotonic() - started < 2.5
