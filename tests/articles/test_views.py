from datetime import datetime
from http import HTTPStatus

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def tag_url(slug: str) -> str:
    return reverse("tags:detail", kwargs={"slug": slug})


def march_2011(day=23):
    return timezone.make_aware(datetime(2011, 3, day, 12))


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("articles:index", {}, "/"),
        ("articles:archive-year", {"year": 2011}, "/2011/"),
        ("articles:archive-month", {"year": 2011, "month": "03"}, "/2011/03/"),
        ("articles:detail", {"year": 2011, "month": "03", "slug": "talks"}, "/2011/03/talks/"),
        ("articles:author", {"slug": "bill-roggio"}, "/authors/bill-roggio/"),
        ("articles:feed", {}, "/feed/"),
        ("articles:feed-atom", {}, "/feed/atom/"),
        ("articles:author-feed", {"slug": "bill-roggio"}, "/authors/bill-roggio/feed/"),
        ("articles:search", {}, "/search/"),
    ],
)
def test_urls_reverse_and_resolve(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def test_home_lists_published_articles_newest_first(client):
    old = ArticleFactory(title="Older piece", published_at=march_2011(1))
    new = ArticleFactory(title="Newer piece", published_at=march_2011(20))
    ArticleFactory(title="Secret draft", draft=True)
    ArticleFactory(title="Tomorrow's piece", scheduled=True)
    response = client.get(reverse("articles:index"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert html.index(new.title) < html.index(old.title)
    assert "Secret draft" not in html
    assert "Tomorrow&#x27;s piece" not in html


def test_home_is_paginated(client, settings):
    ArticleFactory.create_batch(12)
    first = client.get(reverse("articles:index"))
    second = client.get(reverse("articles:index"), {"page": 2})
    assert len(first.context["object_list"]) == 10
    assert len(second.context["object_list"]) == 2
    assert client.get(reverse("articles:index"), {"page": 9}).status_code == HTTPStatus.NOT_FOUND


def test_home_with_no_articles_says_so(client):
    response = client.get(reverse("articles:index"))
    assert response.status_code == HTTPStatus.OK
    assert "Nothing has been published yet." in response.content.decode()


@pytest.mark.parametrize("count", [1, 30])
def test_home_query_count_does_not_grow_with_articles(client, django_assert_max_num_queries, count):
    """Guards against per-article author or tag queries on the list."""
    for article in ArticleFactory.create_batch(count):
        article.tags.add("Pakistan")
    with django_assert_max_num_queries(4):
        client.get(reverse("articles:index"))


def test_article_page_shows_everything_a_reader_expects(client):
    author = AuthorFactory(
        name="Bill Roggio", title="Senior Fellow at FDD", bio="Bill Roggio is a Senior Fellow."
    )
    article = ArticleFactory(
        title="Pakistan ready for peace?",
        author=author,
        published_at=march_2011(),
        body="<p>Intro.</p><blockquote><p>Quoted report.</p></blockquote>",
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "<h1>Pakistan ready for peace?</h1>" in html
    assert f'href="{author.get_absolute_url()}">Bill Roggio</a>' in html
    assert "March 23, 2011" in html
    assert "<blockquote><p>Quoted report.</p></blockquote>" in html
    assert "Bill Roggio is a Senior Fellow." in html
    assert f'href="{reverse("donate")}?from={article.pk}"' in html
    assert "Support our independent reporting" in html
    assert "Tags:" not in html


def test_article_tags_line_lists_tags_as_links(client):
    article = ArticleFactory()
    article.tags.add("Pakistan", "Taliban")
    html = client.get(article.get_absolute_url()).content.decode()
    assert (
        f'Tags: <a rel="tag" href="{tag_url("pakistan")}">Pakistan</a>, <a rel="tag" href="{tag_url("taliban")}">'
        in html
    )


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_article_is_404_for_readers(client, trait):
    article = ArticleFactory(**{trait: True})
    assert client.get(article.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_staff_preview_unpublished_article_with_banner(admin_client, trait):
    article = ArticleFactory(**{trait: True})
    response = admin_client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert "Draft preview." in response.content.decode()


def test_published_article_has_no_preview_banner_for_staff(admin_client, article):
    assert "Draft preview." not in admin_client.get(article.get_absolute_url()).content.decode()


def test_wrong_month_redirects_permanently_to_the_article(client):
    article = ArticleFactory(slug="talks", published_at=march_2011())
    response = client.get(reverse("articles:detail", kwargs={"year": 2011, "month": "04", "slug": "talks"}))
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == article.get_absolute_url()


def test_unknown_article_is_404(client):
    response = client.get(
        reverse("articles:detail", kwargs={"year": 2011, "month": "03", "slug": "no-such-article"})
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in response.content.decode()


def test_year_and_month_archives_list_only_their_period(client):
    march = ArticleFactory(title="March piece", published_at=march_2011())
    ArticleFactory(title="Other year piece", published_at=timezone.make_aware(datetime(2012, 3, 1)))
    ArticleFactory(title="Draft piece", draft=True)
    year = client.get(reverse("articles:archive-year", kwargs={"year": 2011}))
    month = client.get(reverse("articles:archive-month", kwargs={"year": 2011, "month": "03"}))
    assert [a.pk for a in year.context["object_list"]] == [march.pk]
    assert [a.pk for a in month.context["object_list"]] == [march.pk]
    assert "Articles from March 2011" in month.content.decode()
    assert (
        client.get(reverse("articles:archive-year", kwargs={"year": 2013})).status_code
        == HTTPStatus.NOT_FOUND
    )


def test_author_page_shows_bio_and_only_published_articles(client):
    author = AuthorFactory(name="Bill Roggio", bio="Bill Roggio edits the journal.")
    ArticleFactory(author=author, title="Published one")
    ArticleFactory(author=author, title="Draft one", draft=True)
    ArticleFactory(title="Someone else's")
    response = client.get(author.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Bill Roggio edits the journal." in html
    assert "Published one" in html
    assert "Draft one" not in html
    assert "Someone else" not in html
    assert (
        client.get(reverse("articles:author", kwargs={"slug": "nobody"})).status_code == HTTPStatus.NOT_FOUND
    )
