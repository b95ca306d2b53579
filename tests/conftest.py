import uuid

import pytest
from django.conf import settings
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
