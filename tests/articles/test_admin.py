from http import HTTPStatus

import pytest

from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_changelist_and_search(admin_client):
    ArticleFactory(title="Pakistan talks")
    ArticleFactory(title="Somalia report")
    response = admin_client.get("/admin/articles/article/?q=Pakistan")
    assert response.status_code == HTTPStatus.OK
    assert "Pakistan talks" in response.content.decode()
    assert "Somalia report" not in response.content.decode()


def test_publish_and_unpublish_actions(admin_client):
    draft = ArticleFactory(draft=True)
    live = ArticleFactory()
    admin_client.post(
        "/admin/articles/article/", {"action": "publish", "_selected_action": [draft.pk]}, follow=True
    )
    response = admin_client.post(
        "/admin/articles/article/", {"action": "unpublish", "_selected_action": [live.pk]}, follow=True
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
        "/admin/articles/article/add/",
        {
            "title": "New analysis",
            "slug": "new-analysis",
            "author": author.pk,
            "dek": "",
            "body": "<p>Text</p>",
            "tags": 'Pakistan, "Tehreek-i-Taliban, TTP"',
            "status": "published",
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
