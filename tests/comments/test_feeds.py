"""The article comments feed. Needs the comments app (issue: comments), built in parallel with this one."""

from http import HTTPStatus

import feedparser
import pytest

from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def comment(article, name: str, status: str, body: str = "A thought.") -> Comment:
    return Comment.objects.create(
        article=article,
        author_name=name,
        author_email=f"{name.lower()}@example.org",
        body=body,
        status=status,
    )


def feed_url(article) -> str:
    return article.get_absolute_url() + "comments/feed/"


def test_comment_feed_has_only_approved_comments_and_no_emails(client):
    article = ArticleFactory(title="Talks")
    approved = comment(article, "Alice", "approved", body="First line.\n\nSecond <b>line</b> & more.")
    comment(article, "Bob", "pending")
    comment(article, "Carol", "spam")
    comment(article, "Dave", "removed")
    comment(ArticleFactory(), "Eve", "approved")
    response = client.get(feed_url(article))
    assert response.status_code == HTTPStatus.OK
    xml = response.content.decode()
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.feed.title == "Comments on Talks"
    assert [entry.author for entry in feed.entries] == ["Alice"]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver/comments/{approved.pk}/"  # the permalink finds the right page
    assert "<p>First line.</p>" in entry.summary
    assert "Second &lt;b&gt;line&lt;/b&gt; &amp; more." in entry.summary
    assert "@example.org" not in xml
    for hidden in ["Bob", "Carol", "Dave", "Eve"]:
        assert hidden not in xml


def test_comment_feed_of_a_draft_or_unknown_article_is_404(client):
    draft = ArticleFactory(draft=True)
    assert client.get("/2011/03/no-such-article/comments/feed/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(f"/2011/03/{draft.slug}/comments/feed/").status_code == HTTPStatus.NOT_FOUND


def test_comment_feed_under_the_wrong_month_is_404(client):
    article = ArticleFactory()
    wrong = article.get_absolute_url().replace(f"/{article.published_at:%Y}/", "/1999/")
    assert client.get(wrong + "comments/feed/").status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("count", [1, 30])
def test_comment_feed_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against a query per comment for its article."""
    article = ArticleFactory()
    for n in range(count):
        comment(article, f"Reader{n}", "approved")
    with django_assert_max_num_queries(2):
        response = client.get(feed_url(article))
    assert len(feedparser.parse(response.content).entries) == min(count, 20)
