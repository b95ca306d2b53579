"""What machines read in a page's head (the `discovery` tags): canonical and feed links, sharing metadata."""

import json
import re
from datetime import datetime

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from tests.factories import ArticleFactory, AuthorFactory, TagFactory

pytestmark = pytest.mark.django_db


def meta(html: str, key: str) -> str:
    match = re.search(rf'<meta (?:property|name)="{re.escape(key)}" content="([^"]*)">', html)
    assert match, key
    return match.group(1)


def json_ld(html: str) -> dict:
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.DOTALL)
    assert match
    return json.loads(match.group(1))


def test_article_page_carries_canonical_open_graph_twitter_and_json_ld(client):
    author = AuthorFactory(name="Bill Roggio", slug="bill-roggio")
    article = ArticleFactory(
        title="Pakistan ready for peace?",
        dek="Talks have begun.",
        author=author,
        published_at=timezone.make_aware(datetime(2011, 3, 23, 8)),
    )
    article.tags.add("Pakistan")
    url = f"http://testserver{article.get_absolute_url()}"
    html = client.get(article.get_absolute_url(), {"utm_source": "x"}).content.decode()
    assert f'<link rel="canonical" href="{url}">' in html
    assert meta(html, "og:type") == "article"
    assert meta(html, "og:title") == "Pakistan ready for peace?"
    assert meta(html, "og:url") == url
    assert meta(html, "og:description") == "Talks have begun."
    assert meta(html, "og:site_name") == "Long War Journal"
    assert meta(html, "article:published_time") == "2011-03-23T08:00:00-04:00"
    assert meta(html, "article:tag") == "Pakistan"
    assert meta(html, "twitter:card") == "summary"
    assert meta(html, "twitter:title") == "Pakistan ready for peace?"
    assert meta(html, "description") == "Talks have begun."
    data = json_ld(html)
    assert data["@type"] == "NewsArticle"
    assert data["headline"] == "Pakistan ready for peace?"
    assert data["author"] == {
        "@type": "Person",
        "name": "Bill Roggio",
        "url": f"http://testserver{author.get_absolute_url()}",
    }
    assert data["datePublished"] == "2011-03-23T12:00:00Z"
    assert data["dateModified"].startswith(f"{article.updated_at:%Y-%m-%dT%H:%M}")
    assert data["mainEntityOfPage"] == url


def test_titles_cannot_break_out_of_the_json_ld_script(client):
    article = ArticleFactory(title='</script><script>alert("x")</script> & co')
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<script>alert" not in html
    assert json_ld(html)["headline"] == '</script><script>alert("x")</script> & co'
    assert (
        meta(html, "og:title") == "&lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"
    )


def test_list_pages_have_canonical_links_with_the_page_number(client):
    tag = TagFactory(slug="pakistan")
    author = AuthorFactory(slug="bill-roggio")
    for article in ArticleFactory.create_batch(12, author=author):
        article.tags.add(tag)
    for path in [reverse("articles:index"), tag.get_absolute_url(), author.get_absolute_url()]:
        first = client.get(path, {"utm_source": "feed"}).content.decode()
        second = client.get(path, {"page": 2}).content.decode()
        assert f'<link rel="canonical" href="http://testserver{path}">' in first
        assert f'<link rel="canonical" href="http://testserver{path}?page=2">' in second


def test_tag_index_has_a_canonical_link(client):
    html = client.get(reverse("tags:index")).content.decode()
    assert f'<link rel="canonical" href="http://testserver{reverse("tags:index")}">' in html


def test_pages_link_their_feeds(client):
    author = AuthorFactory(slug="bill-roggio")
    tag = TagFactory(slug="boko-haram")
    article = ArticleFactory(author=author)
    article.tags.add(tag)
    site_feeds = [
        f'<link rel="alternate" type="application/rss+xml" title="Long War Journal" href="http://testserver{reverse("articles:feed")}">',
        f'<link rel="alternate" type="application/atom+xml" title="Long War Journal (Atom)" href="http://testserver{reverse("articles:feed-atom")}">',
    ]
    comments_feed = reverse("comments:feed", kwargs=resolve(article.get_absolute_url()).kwargs)
    pages = {
        reverse("articles:index"): [],
        tag.get_absolute_url(): [f"http://testserver{reverse('tags:feed', kwargs={'slug': tag.slug})}"],
        author.get_absolute_url(): [
            f"http://testserver{reverse('articles:author-feed', kwargs={'slug': author.slug})}"
        ],
        article.get_absolute_url(): [f"http://testserver{comments_feed}"],
    }
    for url, own_feeds in pages.items():
        html = client.get(url).content.decode()
        for link in site_feeds:
            assert link in html, url
        for feed_url in own_feeds:
            assert f'href="{feed_url}">' in html, url
