"""The comments feed of an article."""

from http import HTTPStatus

import feedparser
import pytest
from django.urls import resolve, reverse

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

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
    return reverse("comments:feed", kwargs=resolve(article.get_absolute_url()).kwargs)


def test_comment_feed_has_only_approved_comments_and_no_emails(client):
    article = ArticleFactory(title="Talks")
    approved = comment(
        article, "Alice", Comment.Status.APPROVED, body="First line.\n\nSecond <b>line</b> & more."
    )
    comment(article, "Bob", Comment.Status.PENDING)
    comment(article, "Carol", Comment.Status.SPAM)
    comment(article, "Dave", Comment.Status.REMOVED)
    comment(ArticleFactory(), "Eve", Comment.Status.APPROVED)
    response = client.get(feed_url(article))
    assert response.status_code == HTTPStatus.OK
    xml = response.content.decode()
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.feed.title == "Comments on Talks"
    assert [entry.author for entry in feed.entries] == ["Alice"]
    entry = feed.entries[0]
    assert (
        entry.link == f"http://testserver{reverse('comments:permalink', kwargs={'pk': approved.pk})}"
    )  # the permalink finds the right page
    assert "<p>First line.</p>" in entry.summary
    assert "Second &lt;b&gt;line&lt;/b&gt; &amp; more." in entry.summary
    assert "@example.org" not in xml
    for hidden in ["Bob", "Carol", "Dave", "Eve"]:
        assert hidden not in xml


def test_comment_feed_of_a_draft_or_unknown_article_is_404(client):
    draft = ArticleFactory(draft=True)
    for slug in ["no-such-article", draft.slug]:
        url = reverse("comments:feed", kwargs={"year": 2011, "month": "03", "slug": slug})
        assert client.get(url).status_code == HTTPStatus.NOT_FOUND


def test_comment_feed_under_the_wrong_month_is_404(client):
    article = ArticleFactory()
    wrong = reverse("comments:feed", kwargs={**resolve(article.get_absolute_url()).kwargs, "year": 1999})
    assert client.get(wrong).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("count", [1, 30])
def test_comment_feed_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against a query per comment for its article."""
    article = ArticleFactory()
    for n in range(count):
        comment(article, f"Reader{n}", Comment.Status.APPROVED)
    with django_assert_max_num_queries(2):
        response = client.get(feed_url(article))
    assert len(feedparser.parse(response.content).entries) == min(count, 20)


def test_comment_feed_survives_control_characters_already_stored(client, article):
    CommentFactory(article=article, author_name="Bad\x01Name", body="Bad\x0btext")
    response = client.get(feed_url(article))
    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.entries[0].title == "Comment by BadName"
