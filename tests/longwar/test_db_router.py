"""The read replica: anonymous readers' pages read from it; admin, posting, personal pages and anything
after a write read the primary; pages rendered for the shared cache read the primary."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article
from comments.reader import OWN_COMMENTS_COOKIE, REMEMBER_COOKIE
from longwar.db_router import REPLICA, ReplicaMiddleware, ReplicaRouter, primary_reads

router = ReplicaRouter()


def reads_during(request, during=lambda: None) -> str:
    """Where a read made while handling `request` goes (after `during` ran)."""
    seen = []

    def view(request):
        during()
        seen.append(router.db_for_read(Article))
        return HttpResponse()

    ReplicaMiddleware(view)(request)
    return seen[0]


@pytest.mark.parametrize("path", ["/", "/tags/", "/search/?q=war", "/2011/03/a-slug/"])
def test_anonymous_reads_of_public_pages_go_to_the_replica(rf, path):
    assert reads_during(rf.get(path)) == REPLICA
    assert reads_during(rf.head(path)) == REPLICA


@pytest.mark.parametrize(
    "request_",
    [
        RequestFactory().get(reverse("admin:index")),
        RequestFactory().get(reverse("admin:comments_comment_changelist")),
        RequestFactory().post(reverse("comments:post", args=[1])),
        RequestFactory().post(reverse("comments:report", args=[1])),
    ],
)
def test_admin_and_posting_read_the_primary(request_):
    assert reads_during(request_) == "default"


@pytest.mark.parametrize("cookie", ["sessionid", "messages", REMEMBER_COOKIE, OWN_COMMENTS_COOKIE])
def test_readers_with_their_own_state_read_the_primary(rf, cookie):
    request = rf.get("/")
    request.COOKIES[cookie] = "x"
    assert reads_during(request) == "default"


def test_reads_after_a_write_in_the_same_request_go_to_the_primary(rf):
    assert reads_during(rf.get("/"), during=lambda: router.db_for_write(Article)) == "default"


def test_pages_rendered_for_the_shared_cache_read_the_primary(rf):
    seen = []

    def render():
        with primary_reads():
            seen.append(router.db_for_read(Article))

    assert reads_during(rf.get("/"), during=render) == REPLICA
    assert seen == ["default"]


def test_outside_a_request_everything_uses_the_primary():
    assert router.db_for_read(Article) == "default"
    assert router.allow_migrate("default", "articles")
    assert not router.allow_migrate(REPLICA, "articles")


def test_database_replica_url_adds_the_replica_the_router_and_the_middleware():
    from tests.longwar.test_settings import run_django

    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DATABASES['replica']['NAME'], s.DATABASE_ROUTERS, 'longwar.db_router.ReplicaMiddleware' in s.MIDDLEWARE)"
    )
    result = run_django(
        "-c",
        script,
        DEBUG="true",
        DATABASE_URL="postgresql://u:p@primary/longwar",
        DATABASE_REPLICA_URL="postgresql://u:p@replica/longwar",
    )
    assert result.stdout.split() == ["longwar", "['longwar.db_router.ReplicaRouter']", "True"], result.stderr
    without = run_django("-c", script.replace("s.DATABASES['replica']['NAME'], ", ""), DEBUG="true")
    assert without.stdout.split() == ["[]", "False"], without.stderr
