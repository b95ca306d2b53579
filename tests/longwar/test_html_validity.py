"""Every page readers see is valid HTML, as the W3C's Nu Html Checker (vnu.jar, from npm) judges it.

The pages are rendered with real content (an article published this very moment, comments with replies,
an edited comment and an editors' pick, a held comment its author sees, tags with diacritics), written to
files and checked in one run of the checker, so the JVM starts once.
"""

import json
import subprocess
import time
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.conf import settings
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from comments.forms import make_form_token
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

VNU = settings.BASE_DIR / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def comment_form(article, **overrides) -> dict:
    data = {
        "name": "Zainab Ḥaddād",
        "email": "zainab@example.org",
        "url": "",
        "body": "A reader's comment <with> “quotes”.",
        "token": make_form_token(article.pk, now=time.time() - 10),
    }
    return data | overrides


@pytest.fixture
def pages(client, monkeypatch) -> dict[str, str]:
    now = timezone.now()  # microseconds and all, as an article published "now" has
    article = ArticleFactory(
        title="Peace talks in Waziristan", published_at=now, body="<p>Body <em>text</em>.</p>"
    )
    article.tags.add("Ḥayʾat Taḥrīr al-Shām", "Pakistan")
    ArticleFactory(published_at=now - timedelta(days=40), title="An older article")
    first = CommentFactory(article=article, created_at=now, body="First, with a link https://example.org.")
    reply = CommentFactory(article=article, parent=first, created_at=now, author_url="https://example.org/")
    CommentFactory(article=article, parent=reply, created_at=now, edited_at=now, featured=True)
    closed = ArticleFactory(title="Closed for comments", comments_open=False)

    rendered = {}

    def page(name: str, response, status=HTTPStatus.OK) -> None:
        assert response.status_code == status, name
        rendered[name] = response.content.decode()

    client.post(reverse("comments:post", args=[article.pk]), comment_form(article, body="My held comment."))
    assert Comment.objects.filter(status=Comment.Status.PENDING).exists()
    page("article-with-comments-and-form", client.get(article.get_absolute_url()))
    page(
        "reply-form",
        client.get(article.get_absolute_url(), {"replyto": first.pk}),
    )
    page(
        "comment-form-with-errors",
        client.post(reverse("comments:post", args=[article.pk]), comment_form(article, email="not-an-email")),
        HTTPStatus.BAD_REQUEST,
    )
    page("home", client.get(reverse("articles:index")))
    page("tag-index", client.get(reverse("tags:index")))
    page("tag-page", client.get(article.tags.get(name="Pakistan").get_absolute_url()))
    page("author", client.get(article.author.get_absolute_url()))
    page("archive-year", client.get(reverse("articles:archive-year", kwargs={"year": now.year})))
    local = timezone.localtime(now)
    page(
        "archive-month",
        client.get(reverse("articles:archive-month", kwargs={"year": local.year, "month": local.month})),
    )
    page("search-with-results", client.get(reverse("articles:search"), {"q": "Waziristan"}))
    page("search-without-results", client.get(reverse("articles:search"), {"q": "nothing-matches-this"}))
    page("search-form-only", client.get(reverse("articles:search")))
    page("not-found", client.get("/no/such/page/"), HTTPStatus.NOT_FOUND)
    page(
        "comments-closed",
        client.post(reverse("comments:post", args=[closed.pk]), comment_form(closed)),
        HTTPStatus.FORBIDDEN,
    )
    page("support", client.get(reverse("support")))

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("comments.views.comment_submit", database_down)
    page(
        "comment-while-database-down",
        client.post(reverse("comments:post", args=[article.pk]), comment_form(article, body="Kept.")),
        HTTPStatus.SERVICE_UNAVAILABLE,
    )
    monkeypatch.setattr("articles.views.ArticleIndexView.get_queryset", database_down)
    page("page-while-database-down", client.get(reverse("articles:index")), HTTPStatus.SERVICE_UNAVAILABLE)
    return rendered


def test_main_pages_are_valid_html(pages, tmp_path):
    assert VNU.exists(), f"{VNU} is missing: `make test` installs it (npm package vnu-jar)"
    files = []
    for name, page in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(page, encoding="utf-8")
        files.append(str(path))
    checked = subprocess.run(
        # One JVM for every page; a quick start (no optimising compiler) matters more than peak speed here.
        ["java", "-Xss4m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", str(VNU)]
        + ["--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=120,
    )
    messages = json.loads(checked.stderr)["messages"]
    problems = [
        f"{message['url'].rsplit('/', 1)[-1]}:{message.get('lastLine')}: {message['type']}: {message['message']}"
        for message in messages
        if message["type"]
        != "info"  # errors; the checker's advice (e.g. headings in comments) is not invalidity
    ]
    assert problems == []
