from http import HTTPStatus

import pytest
from django.urls import reverse

from articles.models import Article
from articles.search import search_articles
from tests.factories import ArticleFactory, IndexedArticleFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:articles_article_changelist")


def test_article_changelist_and_search(admin_client):
    ArticleFactory(title="Pakistan talks")
    ArticleFactory(title="Somalia report")
    response = admin_client.get(CHANGELIST, {"q": "Pakistan"})
    assert response.status_code == HTTPStatus.OK
    assert "Pakistan talks" in response.content.decode()
    assert "Somalia report" not in response.content.decode()


def test_publish_and_unpublish_actions(admin_client):
    draft = ArticleFactory(draft=True)
    live = ArticleFactory()
    admin_client.post(CHANGELIST, {"action": "publish", "_selected_action": [draft.pk]}, follow=True)
    response = admin_client.post(
        CHANGELIST, {"action": "unpublish", "_selected_action": [live.pk]}, follow=True
    )
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert draft.published_at is not None
    assert live.status == Article.Status.DRAFT
    assert "1 article moved back to draft." in response.content.decode()


def test_article_created_in_admin_with_tags(admin_client):
    author = ArticleFactory().author
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "New analysis",
            "slug": "new-analysis",
            "author": author.pk,
            "dek": "",
            "body": "<p>Text</p>",
            "tags": 'Pakistan, "Tehreek-i-Taliban, TTP"',
            "status": Article.Status.PUBLISHED,
            "published_at_0": "2011-03-23",
            "published_at_1": "08:00:00",
            "comments_open": "on",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    article = Article.objects.get(slug="new-analysis")
    assert sorted(article.tags.names()) == ["Pakistan", "Tehreek-i-Taliban, TTP"]


def article_form(article: Article, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id,
        "dek": article.dek,
        "body": article.body,
        "tags": ", ".join(article.tags.names()),
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "comments_open": "on",
        "comments-TOTAL_FORMS": "0",  # the inline of the article's comments
        "comments-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_editing_the_body_in_the_admin_changes_what_search_finds(admin_client):
    article = IndexedArticleFactory(body="<p>Reports from Helmand.</p>")
    assert list(search_articles("Helmand")) == [article]
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, body="<p>Reports from Kandahar.</p>"),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(search_articles("Helmand")) == []
    assert list(search_articles("Kandahar")) == [article]


def test_editing_tags_in_the_admin_changes_what_search_finds(admin_client):
    article = IndexedArticleFactory(body="<p>Text.</p>")
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_form(article, tags='Waziristan, "Tehreek-i-Taliban, TTP"'),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert sorted(article.tags.names()) == ["Tehreek-i-Taliban, TTP", "Waziristan"]
    assert list(search_articles("Waziristan")) == [article]
    assert list(search_articles("Tehreek-i-Taliban")) == [article]
