from http import HTTPStatus

import pytest
from django.urls import resolve, reverse

from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("tags:index", {}, "/tags/"),
        ("tags:detail", {"slug": "boko-haram"}, "/tags/boko-haram/"),
        ("tags:feed", {"slug": "boko-haram"}, "/tags/boko-haram/feed/"),
    ],
)
def test_urls_reverse_and_resolve(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def test_tag_index_counts_only_published_articles(client):
    pakistan = TagFactory(name="Pakistan")
    for article in [
        ArticleFactory(),
        ArticleFactory(),
        ArticleFactory(draft=True),
        ArticleFactory(scheduled=True),
    ]:
        article.tags.add(pakistan)
    response = client.get(reverse("tags:index"))
    assert response.status_code == HTTPStatus.OK
    assert {tag.name: tag.article_count for tag in response.context["tags"]} == {"Pakistan": 2}
    assert (
        f'<a href="{pakistan.get_absolute_url()}">Pakistan</a> <span class="count">(2)</span>'
        in response.content.decode()
    )


def test_tag_index_hides_tags_with_only_drafts_but_keeps_empty_featured_topics(client):
    TagFactory(name="Boko Haram", featured=True, order=3)
    draft_only = TagFactory(name="Draft only")
    ArticleFactory(draft=True).tags.add(draft_only)
    TagFactory(name="Unused")
    tags = client.get(reverse("tags:index")).context["tags"]
    assert [(tag.name, tag.article_count) for tag in tags] == [("Boko Haram", 0)]


def test_tag_index_lists_featured_topics_first_in_their_order(client):
    aardvark = TagFactory(name="Aardvark")
    ArticleFactory().tags.add(aardvark)
    TagFactory(name="Islamic State", featured=True, order=1)
    TagFactory(name="Boko Haram", featured=True, order=3)
    TagFactory(name="Al Shabaab", featured=True, order=2)
    names = [tag.name for tag in client.get(reverse("tags:index")).context["tags"]]
    assert names == ["Islamic State", "Al Shabaab", "Boko Haram", "Aardvark"]


def test_tag_page_shows_description_and_only_published_articles(client):
    tag = TagFactory(name="Al Shabaab", description="Somalia's al Qaeda affiliate.")
    ArticleFactory(title="Published piece").tags.add(tag)
    ArticleFactory(title="Draft piece", draft=True).tags.add(tag)
    ArticleFactory(title="Scheduled piece", scheduled=True).tags.add(tag)
    ArticleFactory(title="Untagged piece")
    response = client.get(tag.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<h1>Al Shabaab</h1>" in html
    assert "Somalia&#x27;s al Qaeda affiliate." in html
    assert [a.title for a in response.context["object_list"]] == ["Published piece"]


def test_tag_page_of_a_topic_without_articles_says_so(client):
    tag = TagFactory(name="Boko Haram", featured=True)
    response = client.get(tag.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert "No articles on this topic yet." in response.content.decode()


def test_tag_page_is_paginated(client):
    tag = TagFactory()
    for article in ArticleFactory.create_batch(12):
        article.tags.add(tag)
    assert len(client.get(tag.get_absolute_url()).context["object_list"]) == 10
    assert len(client.get(tag.get_absolute_url(), {"page": 2}).context["object_list"]) == 2
    assert client.get(tag.get_absolute_url(), {"page": 3}).status_code == HTTPStatus.NOT_FOUND
    assert client.get(tag.get_absolute_url(), {"page": "abc"}).status_code == HTTPStatus.NOT_FOUND


def test_unknown_tag_is_404(client):
    assert (
        client.get(reverse("tags:detail", kwargs={"slug": "no-such-tag"})).status_code == HTTPStatus.NOT_FOUND
    )
    assert (
        client.get(reverse("tags:feed", kwargs={"slug": "no-such-tag"})).status_code == HTTPStatus.NOT_FOUND
    )


def test_article_page_links_to_everything_on_its_topics(client):
    """From an article a reader reaches the tag page, and from there the tag's feed."""
    article = ArticleFactory()
    article.tags.add("Boko Haram")
    article_html = client.get(article.get_absolute_url()).content.decode()
    tag_url = reverse("tags:detail", kwargs={"slug": "boko-haram"})
    assert f'<a rel="tag" href="{tag_url}">Boko Haram</a>' in article_html
    tag_html = client.get(tag_url).content.decode()
    assert article.title in tag_html
    assert f'href="{reverse("tags:feed", kwargs={"slug": "boko-haram"})}"' in tag_html


@pytest.mark.parametrize("count", [1, 30])
def test_tag_index_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against per-tag count queries: counts come from one annotated query."""
    for n, article in enumerate(ArticleFactory.create_batch(count)):
        article.tags.add(f"Tag {n}", "Common")
    with django_assert_max_num_queries(2):
        response = client.get(reverse("tags:index"))
    assert len(response.context["tags"]) == count + 1


@pytest.mark.parametrize("count", [1, 30])
def test_tag_page_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against per-article author or tag queries on the tag page."""
    tag = TagFactory()
    for article in ArticleFactory.create_batch(count):
        article.tags.add(tag, "Other")
    with django_assert_max_num_queries(5):
        response = client.get(tag.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
