from datetime import timedelta

import pytest
from django.utils import timezone

from articles.models import Article
from articles.sitemaps import ArticleSitemap, AuthorSitemap
from tests.factories import ArticleFactory, AuthorFactory

pytestmark = pytest.mark.django_db


def test_article_sitemap_lists_only_published_articles():
    article = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    assert list(ArticleSitemap().items()) == [article]


def test_article_lastmod_is_its_last_edit_or_its_publication_whichever_is_later():
    edited = ArticleFactory(published_at=timezone.now() - timedelta(days=3))
    Article.objects.filter(pk=edited.pk).update(updated_at=timezone.now() - timedelta(days=1))
    published_after_its_last_edit = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    Article.objects.filter(pk=published_after_its_last_edit.pk).update(
        updated_at=timezone.now() - timedelta(days=3)
    )
    sitemap = ArticleSitemap()
    articles = {article.pk: article for article in sitemap.items()}
    assert sitemap.lastmod(articles[edited.pk]) == articles[edited.pk].updated_at
    assert (
        sitemap.lastmod(articles[published_after_its_last_edit.pk])
        == articles[published_after_its_last_edit.pk].published_at
    )


def test_author_sitemap_lists_each_author_with_published_articles_once():
    author = AuthorFactory()
    ArticleFactory.create_batch(2, author=author)
    ArticleFactory(author=AuthorFactory(), draft=True)
    ArticleFactory(author=AuthorFactory(), scheduled=True)
    AuthorFactory()
    assert list(AuthorSitemap().items()) == [author]
