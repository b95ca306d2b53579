from http import HTTPStatus

import feedparser
import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, AuthorFactory, TagFactory

pytestmark = pytest.mark.django_db


def parse(client, url: str):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0, feed.get("bozo_exception")
    return feed


def test_tag_feed_lists_the_tags_published_articles(client):
    tag = TagFactory(name="Boko Haram", description="Nigeria's jihadists.")
    ArticleFactory(title="Tagged").tags.add(tag)
    ArticleFactory(title="Draft tagged", draft=True).tags.add(tag)
    ArticleFactory(title="Untagged")
    feed = parse(client, reverse("tags:feed", kwargs={"slug": tag.slug}))
    assert feed.feed.title == "Boko Haram · Long War Journal"
    assert feed.feed.link == f"http://testserver{tag.get_absolute_url()}"
    assert feed.feed.description == "Nigeria's jihadists."
    assert [entry.title for entry in feed.entries] == ["Tagged"]


@pytest.mark.parametrize("count", [1, 30])
def test_feed_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against per-item author or tag queries while writing a feed."""
    author = AuthorFactory(slug="writer")
    tag = TagFactory(slug="topic")
    for article in ArticleFactory.create_batch(count, author=author):
        article.tags.add(tag, "Other")
    with django_assert_max_num_queries(3):
        response = client.get(reverse("tags:feed", kwargs={"slug": "topic"}))
    assert len(feedparser.parse(response.content).entries) == min(count, 20)
