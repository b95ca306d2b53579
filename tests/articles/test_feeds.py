from datetime import datetime
from http import HTTPStatus

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, TagFactory

pytestmark = pytest.mark.django_db


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


@pytest.mark.parametrize(
    ("url", "version"), [(reverse("articles:feed"), "rss20"), (reverse("articles:feed-atom"), "atom10")]
)
def test_site_feeds_list_newest_published_articles(client, url, version):
    ArticleFactory(title="Older", published_at=timezone.make_aware(datetime(2011, 3, 1, 9)))
    newer = ArticleFactory(title="Newer", published_at=timezone.make_aware(datetime(2011, 3, 23, 9)))
    newer.tags.add("Pakistan")
    ArticleFactory(title="Secret draft", draft=True)
    ArticleFactory(title="Tomorrow", scheduled=True)
    feed = parse(client, url)
    assert feed.version == version
    assert [entry.title for entry in feed.entries] == ["Newer", "Older"]
    entry = feed.entries[0]
    assert entry.link == "http://testserver" + newer.get_absolute_url()
    assert entry.author == newer.author.name
    assert [tag.term for tag in entry.tags] == ["Pakistan"]
    published = entry.published_parsed
    assert (published.tm_year, published.tm_mon, published.tm_mday, published.tm_hour) == (2011, 3, 23, 13)


def test_feed_escapes_titles_and_carries_the_body_as_html(client):
    ArticleFactory(title="Fish & <chips>", body="<p>Quoted <em>report</em> & more.</p>")
    entry = parse(client, reverse("articles:feed")).entries[0]
    assert entry.title == "Fish & <chips>"
    assert "<em>report</em>" in entry.summary


def test_author_feed_lists_the_authors_published_articles(client):
    author = AuthorFactory(name="Bill Roggio")
    ArticleFactory(title="Theirs", author=author)
    ArticleFactory(title="Their draft", author=author, draft=True)
    ArticleFactory(title="Someone else's")
    feed = parse(client, reverse("articles:author-feed", kwargs={"slug": author.slug}))
    assert feed.feed.title == "Bill Roggio · Long War Journal"
    assert [entry.title for entry in feed.entries] == ["Theirs"]
    assert (
        client.get(reverse("articles:author-feed", kwargs={"slug": "nobody"})).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_empty_feed_still_parses(client):
    assert parse(client, reverse("articles:feed-atom")).entries == []


@pytest.mark.parametrize(
    "url",
    [
        reverse("articles:feed"),
        reverse("articles:feed-atom"),
        reverse("articles:author-feed", kwargs={"slug": "writer"}),
    ],
)
@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_does_not_grow(client, django_assert_max_num_queries, url, count):
    """Guards against per-item author or tag queries while writing a feed."""
    author = AuthorFactory(slug="writer")
    tag = TagFactory(slug="topic")
    for article in ArticleFactory.create_batch(count, author=author):
        article.tags.add(tag, "Other")
    with django_assert_max_num_queries(3):
        response = client.get(url)
    assert len(feedparser.parse(response.content).entries) == min(count, 20)
