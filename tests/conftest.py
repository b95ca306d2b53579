import shutil
import socket
import subprocess
import time
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from tests.factories import ArticleFactory


@pytest.fixture(scope="session", autouse=True)
def _no_persistent_connections():
    """Live-server threads must close their connections, or the test database cannot be dropped."""
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    for connection in connections.all():
        connection.settings_dict["CONN_MAX_AGE"] = 0


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    """Tasks run when enqueued, so tests see their effects (mail.outbox); worker tests opt back in."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def article(db):
    return ArticleFactory()


@pytest.fixture(autouse=True)
def _own_cache(settings):
    """Each test starts with an empty cache of its own (the page cache's tests choose the database or Redis)."""
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": uuid.uuid4().hex}
    }


@pytest.fixture
def database_cache(settings, _own_cache):
    """The database cache, emptied: the one the processes a test starts use (they have no REDIS_URL), so
    what this process changes reaches theirs, and nothing an earlier test cached does."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": settings.CACHE_TABLE,
        }
    }
    cache.clear()
    yield
    cache.clear()


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory):
    """A real Redis server (Debian's redis-server, installed by .ci/run) on a free port, for this test run."""
    server = shutil.which("redis-server")
    assert server, "redis-server is missing: .ci/run installs it (apt-get install redis-server)"
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        cwd=tmp_path_factory.mktemp("redis"),
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not _listening(port):
        assert process.poll() is None, "redis-server exited"
        assert time.monotonic() < deadline, "redis-server did not start"
        time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def database_url():
    """The test database as a DATABASE_URL, for a second process of the site."""
    db = connections["default"].settings_dict
    auth = f"{quote(db['USER'])}:{quote(db['PASSWORD'] or '')}"
    if db["HOST"].startswith("/"):
        return f"postgresql://{auth}@/{db['NAME']}?host={db['HOST']}"
    return f"postgresql://{auth}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
