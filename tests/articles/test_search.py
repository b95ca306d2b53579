from http import HTTPStatus
from importlib import import_module

import pytest
from django.db import connection
from django.urls import reverse
from django.utils.html import escape

from articles.models import Article
from articles.search import article_update_search_vector, highlighted_snippet, search_articles
from tests.factories import IndexedArticleFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("articles:search")


def results(client, q: str) -> list[str]:
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == HTTPStatus.OK
    return [article.title for article in response.context["object_list"]]


def test_search_finds_a_word_in_the_body_with_a_highlighted_snippet(client):
    IndexedArticleFactory(title="Talks", body="<p>Militants gathered in <b>Waziristan</b> last week.</p>")
    IndexedArticleFactory(title="Elsewhere", body="<p>Nothing relevant.</p>")
    response = client.get(SEARCH, {"q": "waziristan"})
    html = response.content.decode()
    assert [a.title for a in response.context["object_list"]] == ["Talks"]
    assert '<p class="snippet">Militants gathered in <mark>Waziristan</mark> last week.</p>' in html
    assert "1 article matches “waziristan”." in html


def test_title_matches_rank_above_dek_above_body(client):
    IndexedArticleFactory(title="Report", dek="", body="<p>Kandahar, Kandahar and again Kandahar.</p>")
    IndexedArticleFactory(title="Kandahar offensive", dek="", body="<p>Report.</p>")
    IndexedArticleFactory(title="Summary", dek="Fighting near Kandahar.", body="<p>Report.</p>")
    assert results(client, "kandahar") == ["Kandahar offensive", "Summary", "Report"]


def test_search_matches_tags_and_stems(client):
    article = IndexedArticleFactory(title="Untitled", body="<p>Nothing.</p>")
    article.tags.add("Al Shabaab")
    IndexedArticleFactory(title="Negotiations", body="<p>The government negotiated.</p>")
    assert results(client, "shabaab") == ["Untitled"]
    assert results(client, "negotiating") == ["Negotiations"]


def test_search_never_shows_drafts_or_scheduled_articles(client):
    IndexedArticleFactory(title="Draft", body="<p>Mogadishu.</p>", draft=True)
    IndexedArticleFactory(title="Scheduled", body="<p>Mogadishu.</p>", scheduled=True)
    IndexedArticleFactory(title="Live", body="<p>Mogadishu.</p>")
    assert results(client, "Mogadishu") == ["Live"]


def test_websearch_syntax_quotes_and_minus(client):
    IndexedArticleFactory(title="One", body="<p>peace talks in Pakistan</p>")
    IndexedArticleFactory(title="Two", body="<p>talks about peace in Afghanistan</p>")
    assert sorted(results(client, "peace talks")) == ["One", "Two"]
    assert results(client, '"peace talks"') == ["One"]
    assert results(client, "peace -afghanistan") == ["One"]


def test_snippet_escapes_body_markup_and_keeps_only_our_marks(client):
    """Even a body that bypassed the sanitiser on save (a bulk write) gives an escaped snippet."""
    article = IndexedArticleFactory(title="Hostile")
    Article.objects.filter(pk=article.pk).update(
        body='<p>Fighters &amp; <script>alert("x")</script> seized Kismayo &lt;mark&gt;</p>'
    )
    article_update_search_vector(article.pk)
    html = client.get(SEARCH, {"q": "kismayo"}).content.decode()
    snippet = html[html.index('<p class="snippet">') : html.index("</p>", html.index('<p class="snippet">'))]
    assert "<script>" not in snippet
    assert "<mark>Kismayo</mark>" in snippet
    assert "&amp;lt;" not in snippet
    assert "&lt;mark&gt;" in snippet
    assert "Fighters &amp; alert(&quot;x&quot;)" in snippet


def test_highlighted_snippet_turns_only_its_own_markers_into_mark():
    snippet = highlighted_snippet("a \ue000word\ue001 <b>bold</b> &amp; stray \ue000")
    assert snippet == "a <mark>word</mark> &lt;b&gt;bold&lt;/b&gt; &amp; stray "


@pytest.mark.parametrize(
    ("q", "message"),
    [
        ("", "Type a word to search for."),
        ("   ", "Type a word to search for."),
        ("?!*&", "Type at least one word or number to search for."),
        ("x" * 201, "That search is too long; keep it under 200 characters."),
        ("bad\x00byte", "Null characters are not allowed."),
    ],
)
def test_bad_queries_get_a_clear_page(client, q, message):
    IndexedArticleFactory(body="<p>x</p>")
    response = client.get(SEARCH, {"q": q})
    assert response.status_code == HTTPStatus.OK
    assert message in response.content.decode()
    assert list(response.context["object_list"]) == []


def test_search_page_without_a_query_shows_just_the_form(client):
    response = client.get(SEARCH)
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert 'id="search-q"' in html
    assert 'role="alert"' not in html
    assert '<meta name="robots" content="noindex">' in html


@pytest.mark.parametrize(
    "q",
    ["'; DROP TABLE articles_article; --", "<script>alert(1)</script>", "a & b | !c <-> d", "x:* & (y"],
)
def test_sql_and_html_in_the_query_are_just_text(client, q):
    IndexedArticleFactory(title="Script kiddies", body="<p>alert script drop table</p>")
    response = client.get(SEARCH, {"q": q})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "<script>alert(1)</script>" not in html
    assert f'value="{escape(q)}"' in html
    assert Article.objects.exists()


def test_search_that_matches_nothing_says_so(client):
    IndexedArticleFactory(body="<p>Somalia.</p>")
    response = client.get(SEARCH, {"q": "the"})
    assert "No articles match." in response.content.decode()


def test_search_results_are_paginated_and_keep_the_query(client):
    IndexedArticleFactory.create_batch(12, body="<p>Helmand.</p>")
    first = client.get(SEARCH, {"q": "helmand &"})
    second = client.get(SEARCH, {"q": "helmand &", "page": 2})
    assert len(first.context["object_list"]) == 10
    assert len(second.context["object_list"]) == 2
    assert 'href="?q=helmand%20%26&amp;page=2"' in first.content.decode()


def test_search_vector_is_stored_not_computed_per_query():
    article = IndexedArticleFactory(title="Stored", body="<p>Quetta.</p>")
    type(article).objects.filter(pk=article.pk).update(search_vector=None)
    assert list(search_articles("Quetta")) == []


@pytest.mark.parametrize("count", [1, 30])
def test_search_query_count_does_not_grow(client, django_assert_max_num_queries, count):
    """Guards against per-result author or snippet queries."""
    for article in IndexedArticleFactory.create_batch(count, body="<p>Helmand.</p>"):
        article.tags.add("Afghanistan")
    with django_assert_max_num_queries(3):
        response = client.get(SEARCH, {"q": "helmand"})
    assert len(response.context["object_list"]) == min(count, 10)


def test_migration_backfill_matches_the_live_vector():
    """The migration's frozen SQL must index existing articles exactly as the app does."""
    backfill = import_module("articles.migrations.0003_article_search_vector").BACKFILL
    article = IndexedArticleFactory(title="Talks", dek="In Fata.", body="<p>The <b>TTP</b> &amp; others.</p>")
    article.tags.add("Al Shabaab", "Pakistan")
    expected = Article.objects.values_list("search_vector", flat=True).get(pk=article.pk)
    Article.objects.update(search_vector=None)
    with connection.cursor() as cursor:
        cursor.execute(backfill)
    assert Article.objects.values_list("search_vector", flat=True).get(pk=article.pk) == expected
