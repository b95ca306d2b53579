"""Two processes of the site sharing one real Redis: a page one renders is served by the other, and a change
made in one retires the page in both (each keeps its own copy of the page and of the versions)."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from comments import state
from comments.models import ModerationSettings
from tests.factories import ArticleFactory
from tests.longwar.page_changes import CHANGES, prepare

pytestmark = pytest.mark.django_db(transaction=True)

HELPER = """
import sys
import django
django.setup()
from django.test import Client
from articles.models import Article
from tests.longwar.page_changes import CHANGES

for line in sys.stdin:
    command, article_id = line.split()
    article = Article.objects.get(pk=article_id)
    if command == "get":
        Client().get(article.get_absolute_url())
    elif command == "one-per-page":
        from comments.models import ModerationSettings
        ModerationSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 1})
    else:
        CHANGES[command][0](article)
    print("done", flush=True)
"""


@pytest.fixture
def other_process(redis_url, database_url):
    helper = subprocess.Popen(
        [sys.executable, "-c", HELPER],
        cwd=settings.BASE_DIR,
        env={
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "ALLOWED_HOSTS": "testserver",
            "DJANGO_SETTINGS_MODULE": "longwar.settings",
        },
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )

    def ask(command: str, article) -> None:
        helper.stdin.write(f"{command} {article.pk}\n")
        helper.stdin.flush()
        assert helper.stdout.readline().strip() == "done", f"the other process failed on {command}"

    yield ask
    helper.stdin.close()
    assert helper.wait(timeout=30) == 0


def test_settings_saved_in_one_process_are_read_by_the_other_at_once(
    settings, redis_url, other_process, django_assert_num_queries
):
    settings.CACHES = {
        "default": {
            "BACKEND": "longwar.cache.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"ANNOUNCED": ["pages:v:", state.PREFIX]},
        }
    }
    cache.clear()
    ModerationSettings.load()
    with django_assert_num_queries(0):  # this process's copy
        assert ModerationSettings.load().comments_per_page != 1
    other_process("one-per-page", ArticleFactory())
    assert ModerationSettings.load().comments_per_page == 1
    cache.clear()  # the Redis server serves the other tests too


def test_pages_and_their_retirement_are_shared_through_redis(
    settings, redis_url, other_process, django_assert_max_num_queries
):
    settings.CACHES = {  # as the settings make it of REDIS_URL: each process keeps copies of the versions
        "default": {
            "BACKEND": "longwar.cache.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"ANNOUNCED": ["pages:v:"]},
        }
    }
    for kind, (_, text, present) in CHANGES.items():
        article = ArticleFactory()
        prepare(article)
        other_process("get", article)
        with django_assert_max_num_queries(0):  # rendered by the other process, served from Redis here
            before = Client().get(article.get_absolute_url()).content.decode()
        assert (text in before) is not present, kind
        other_process(kind, article)
        article.refresh_from_db()
        after = Client().get(article.get_absolute_url()).content.decode()
        assert (text in after) is present, kind
