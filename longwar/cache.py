"""Django's Redis cache, with one redis-py client per connection pool, announced keys, and a way around outages.

Django's client builds a new redis-py client (and its table of response callbacks) for every cache call,
about a third of the time of a page served from the cache; the clients are thread-safe, so one will do.

Announced keys (option ANNOUNCED: key prefixes) are values read on every request and rarely written, such as
the page versions every stored page is checked against: asking Redis for them was a round trip taking a third
of a stored page's time. Every write of such a key is announced on a Redis channel that each process listens
to, and a process reads its own copy of the key until it hears of a change (each thread of a process, in
fact: Django makes a cache per thread; gunicorn's sync workers have one). The copy is dropped whenever the
subscription fails, and trusted for at most TRUST_SECONDS in any case, which bounds what a failure nobody
notices (a network path dropped silently, a write made outside this class) can cost.

When Redis cannot be reached (down, or not answering within the socket timeouts set in settings), the cache
answers as if it were empty and forgets what it is told, for PAUSE_SECONDS before it tries again: pages are
rendered instead of served from the cache and posts go through, instead of every request failing. Only
writes that move an announced key are still tried meanwhile. A page changed while Redis was unreachable may
be served as it was for up to PAGE_CACHE_SECONDS once it is back.
"""

import logging
import os
import threading
import time
from functools import cached_property

from django.core.cache.backends import redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PAUSE_SECONDS = 5
CHANNEL = "longwar:cache:announced"
EVERYTHING = ""  # announced when the cache is cleared
TRUST_SECONDS = 1.0
MAX_COPIES = 10_000


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        if index not in self._clients:
            self._clients[index] = super().get_client(key, write=write)
        return self._clients[index]


class Copies:
    """This process's copies of announced keys (full cache keys), kept while a subscription to CHANNEL
    tells of every change."""

    def __init__(self, client: RedisCacheClient):
        self.client = client
        self.lock = threading.Lock()
        self.pid = None
        self.values = {}  # key: (value, trusted until)
        self.pubsub = None
        self.retry_at = 0.0
        self.heard = 0  # announcements (and losses) heard so far: a read overtaken by one is not copied

    def read(self, keys: list[str]) -> dict:
        with self.lock:
            listening = self._listen()
            now = time.monotonic()
            copied = {key: self.values[key] for key in keys if key in self.values}
            if listening and len(copied) == len(keys) and all(until > now for _, until in copied.values()):
                return {key: value for key, (value, _) in copied.items()}
            heard = self.heard
        found = self.client.get_many(keys)
        with self.lock:
            if listening and self._listen() and self.heard == heard:
                if len(self.values) > MAX_COPIES:
                    self.values.clear()
                until = time.monotonic() + TRUST_SECONDS
                self.values.update((key, (value, until)) for key, value in found.items())
        return found

    def announce(self, keys: list[str]) -> None:
        with self.lock:
            self.heard += 1  # a read of ours still in flight may have fetched the old value
            for key in keys:
                self.values.pop(key, None)
            if EVERYTHING in keys:
                self.values.clear()
        self.client.get_client(write=True).publish(CHANNEL, "\n".join(keys))

    def _listen(self) -> bool:
        """Subscribe if need be and take in what was announced; False when not listening."""
        if self.pid != os.getpid():  # a forked process listens for itself
            self.pid, self.pubsub = os.getpid(), None
            self._forget()
        try:
            if self.pubsub is None:
                if time.monotonic() < self.retry_at:
                    return False
                pubsub = self.client.get_client().pubsub()
                pubsub.subscribe(CHANNEL)
                if pubsub.get_message(timeout=1) is None:  # listening only once Redis confirms it
                    raise TimeoutError("no confirmation of the subscription")
                self.pubsub = pubsub
            while (message := self.pubsub.get_message(timeout=0)) is not None:
                if message["type"] == "message":
                    self.heard += 1
                    for key in message["data"].decode().split("\n"):
                        if key == EVERYTHING:
                            self.values.clear()
                        self.values.pop(key, None)
            return True
        except (RedisError, OSError):
            self._forget()
            self.pubsub = None
            self.retry_at = time.monotonic() + 1
            return False

    def _forget(self) -> None:
        self.values.clear()
        self.heard += 1


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.announced = tuple(options.pop("ANNOUNCED", ()))
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = RedisCacheClient
        self._paused_until = 0.0
        self._moves_paused_until = 0.0  # announced writes, which get one try while the cache is paused

    @cached_property
    def _copies(self) -> Copies:
        return Copies(self._cache)

    def _attempt(self, action, fallback, *, announced=False):
        """`action()`, or `fallback` while Redis cannot be reached (see the module's docstring).

        A write of an announced key still gets one try while paused (a version move lost to a moment's
        slowness would leave pages served unchanged for PAGE_CACHE_SECONDS); if Redis answers, the pause
        ends, else the other moves wait for it to end too, so a bulk decision is not slowed by a timeout each.
        """
        now = time.monotonic()
        if now < self._paused_until and (not announced or now < self._moves_paused_until):
            return fallback
        try:
            result = action()
        except (RedisError, OSError) as error:
            self._paused_until = time.monotonic() + PAUSE_SECONDS
            if announced:
                self._moves_paused_until = self._paused_until
            logger.warning(
                "Redis cannot be reached (%s): the cache is bypassed for %d s", error, PAUSE_SECONDS
            )
            return fallback
        self._paused_until = 0.0
        return result

    def _is_announced(self, keys) -> bool:
        return any(key.startswith(self.announced) for key in keys) if self.announced else False

    def _announce(self, keys, version) -> None:
        if announced := [
            self.make_and_validate_key(key, version=version) for key in keys if key.startswith(self.announced)
        ]:
            self._copies.announce(announced)

    def get(self, key, default=None, version=None):
        if not key.startswith(self.announced):
            return self._attempt(lambda: super(RedisCache, self).get(key, default, version), default)
        return self.get_many([key], version=version).get(key, default)

    def get_many(self, keys, version=None):
        return self._attempt(lambda: self._get_many(keys, version), {})

    def _get_many(self, keys, version):
        made = {self.make_and_validate_key(key, version=version): key for key in keys}
        announced = [made_key for made_key, key in made.items() if key.startswith(self.announced)]
        found = self._copies.read(announced) if announced else {}
        if rest := [made_key for made_key in made if made_key not in announced]:
            found |= self._cache.get_many(rest)
        return {made[made_key]: value for made_key, value in found.items()}

    def set(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        def write():
            super(RedisCache, self).set(key, value, timeout, version)
            self._announce([key], version)

        self._attempt(write, None, announced=self._is_announced([key]))

    def add(self, key, value, timeout=redis.DEFAULT_TIMEOUT, version=None):
        def write():
            added = super(RedisCache, self).add(key, value, timeout, version)
            if added:
                self._announce([key], version)
            return added

        return self._attempt(write, False)  # starts a version where there is none: not while paused

    def delete(self, key, version=None):
        def write():
            deleted = super(RedisCache, self).delete(key, version)
            self._announce([key], version)
            return deleted

        return self._attempt(write, False, announced=self._is_announced([key]))

    def set_many(self, data, timeout=redis.DEFAULT_TIMEOUT, version=None):
        def write():
            failed = super(RedisCache, self).set_many(data, timeout, version)
            self._announce(list(data), version)
            return failed

        return self._attempt(write, list(data), announced=self._is_announced(data))

    def delete_many(self, keys, version=None):
        def write():
            super(RedisCache, self).delete_many(keys, version)
            self._announce(list(keys), version)

        self._attempt(write, None, announced=self._is_announced(keys))

    def clear(self):
        def write():
            cleared = super(RedisCache, self).clear()
            if self.announced:
                self._copies.announce([EVERYTHING])
            return cleared

        return self._attempt(write, False)
