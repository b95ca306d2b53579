import secrets
import subprocess

import pytest
from django.conf import settings

from tests.processes import UNREACHABLE_DB, run_django

DONATION_URL = "https://donate.example/longwar"
SETUP = ("-c", "import django; django.setup()")


def run_production_django(**env: str) -> subprocess.CompletedProcess:
    """Start Django with DEBUG off, a real key and the given variables (no database is reached)."""
    return run_django(
        *SETUP, DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), DATABASE_URL=UNREACHABLE_DB, **env
    )


def test_production_refuses_to_start_without_secret_key():
    result = run_django(*SETUP, DEBUG="false", DATABASE_URL=UNREACHABLE_DB)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_is_off_unless_asked_for():
    """A deployment that forgets DEBUG gets production behaviour, not tracebacks."""
    result = run_django(
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=UNREACHABLE_DB,
        DONATION_URL="https://donate.example/longwar",
    )
    assert result.stdout.strip() == "False", result.stderr


def test_production_refuses_the_development_key():
    result = run_django(
        *SETUP, DEBUG="false", DATABASE_URL=UNREACHABLE_DB, SECRET_KEY=settings.DEV_SECRET_KEY
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
        DONATION_URL=DONATION_URL,
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize("donation_url", [None, "", "http://donate.example/longwar", "https://", "/donate/"])
def test_production_refuses_missing_or_insecure_donation_url(donation_url):
    result = run_production_django(**({} if donation_url is None else {"DONATION_URL": donation_url}))
    assert result.returncode != 0
    assert "ImproperlyConfigured: DONATION_URL must be the https:// address" in result.stderr


def test_production_accepts_https_donation_url():
    result = run_production_django(DONATION_URL=DONATION_URL)
    assert result.returncode == 0, result.stderr


def test_database_is_postgresql():
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"


def test_redis_url_selects_the_redis_cache():
    result = run_django(
        "-c",
        "import django; django.setup(); from django.conf import settings; print(settings.CACHES['default']['BACKEND'])",
        DEBUG="true",
        DATABASE_URL=UNREACHABLE_DB,
        REDIS_URL="redis://127.0.0.1:6379/1",
    )
    assert result.stdout.strip() == "longwar.cache.RedisCache", result.stderr
