import os
import secrets
import subprocess
import sys
from http import HTTPStatus

import pytest
from django.conf import settings

from longwar.embedded_db import EmbeddedDatabaseError, embedded_database_settings

UNREACHABLE_DB = "postgresql://postgres:@/longwar?host=/nonexistent"


def run_django(*args: str, **env) -> subprocess.CompletedProcess:
    """Run Python in a fresh process with only the given deployment variables set."""
    unset = {"SECRET_KEY", "DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment.update(env, DJANGO_SETTINGS_MODULE="longwar.settings")
    return subprocess.run(
        [sys.executable, *args], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_django("-c", "import django; django.setup()", DEBUG="false", DATABASE_URL=UNREACHABLE_DB)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_the_development_key():
    result = run_django(
        "-c",
        "import django; django.setup()",
        DEBUG="false",
        DATABASE_URL=UNREACHABLE_DB,
        SECRET_KEY=settings.DEV_SECRET_KEY,
    )
    assert result.returncode != 0
    assert "SECRET_KEY is the development key" in result.stderr


def test_deploy_checks_pass_under_production_settings():
    result = run_django(
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="longwar.example",
        DATABASE_URL=UNREACHABLE_DB,
        DONATION_URL="https://donate.example/longwar",
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_embedded_server_failure_is_one_clear_line(tmp_path):
    with pytest.raises(EmbeddedDatabaseError) as failure:
        embedded_database_settings(tmp_path / "missing-parent" / ".pgdata")
    message = str(failure.value)
    assert "\n" not in message
    assert "cannot start the embedded PostgreSQL server" in message
    assert "DATABASE_URL" in message


def test_database_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


@pytest.mark.django_db
def test_healthz_and_robots(client):
    assert client.get("/healthz").content == b"ok"
    robots = client.get("/robots.txt")
    assert robots.status_code == HTTPStatus.OK
    assert "Disallow: /admin/" in robots.content.decode()


def test_redis_url_selects_the_redis_cache():
    result = run_django(
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DATABASE_URL=UNREACHABLE_DB,
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.stdout.strip() == "longwar.cache.RedisCache", result.stderr
