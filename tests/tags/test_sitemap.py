import xml.etree.ElementTree as ET
from datetime import datetime
from http import HTTPStatus

import pytest
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, TagFactory

pytestmark = pytest.mark.django_db

NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def sitemap_entries(client) -> dict[str, str | None]:
    response = client.get("/sitemap.xml")
    assert response.status_code == HTTPStatus.OK
    root = ET.fromstring(response.content)
    return {
        url.findtext("sm:loc", namespaces=NS): url.findtext("sm:lastmod", namespaces=NS)
        for url in root.findall("sm:url", NS)
    }


def test_sitemap_lists_published_articles_tag_and_author_pages(client):
    author = AuthorFactory(slug="bill-roggio")
    article = ArticleFactory(author=author, published_at=timezone.make_aware(datetime(2011, 3, 23, 9)))
    article.tags.add("Pakistan")
    hidden_author = AuthorFactory(slug="drafts-only")
    ArticleFactory(author=hidden_author, draft=True, slug="secret").tags.add("Hidden")
    ArticleFactory(author=hidden_author, scheduled=True, slug="later")
    TagFactory(name="Unused")
    entries = sitemap_entries(client)
    assert set(entries) == {
        f"http://testserver{article.get_absolute_url()}",
        "http://testserver/tags/pakistan/",
        "http://testserver/authors/bill-roggio/",
    }
    assert (
        entries[f"http://testserver{article.get_absolute_url()}"]
        == f"{timezone.localtime(article.updated_at):%Y-%m-%d}"
    )


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out(client):
    response = client.get("/robots.txt")
    lines = response.content.decode().splitlines()
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /comments/" in lines


@pytest.mark.parametrize("count", [1, 30])
def test_sitemap_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against a query per article, tag or author: each section costs a count and a page."""
    for article in ArticleFactory.create_batch(count):
        article.tags.add(f"Tag {article.pk}")
    with django_assert_max_num_queries(6):
        response = client.get("/sitemap.xml")
    assert response.content.decode().count("<url>") == 3 * count
