"""The shared cache: Redis when named, else the database; never memory of one process."""

from django.core.cache import caches

from longwar.cache import RedisCache
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
