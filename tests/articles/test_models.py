from datetime import timedelta
from http import HTTPStatus

import pytest
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from articles.html import sanitize_article_html
from articles.models import Article
from articles.services import article_publish, article_unpublish
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_published_excludes_drafts_and_scheduled_articles():
    visible = ArticleFactory()
    ArticleFactory(draft=True)
    ArticleFactory(scheduled=True)
    assert list(Article.objects.published()) == [visible]


def test_newest_first_orders_by_publication_date():
    older = ArticleFactory(published_at=timezone.now() - timedelta(days=5))
    newer = ArticleFactory(published_at=timezone.now() - timedelta(days=1))
    assert list(Article.objects.published().newest_first()) == [newer, older]


def test_status_outside_the_choices_is_refused_by_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(status="archived")


def test_published_article_needs_a_date_in_the_database():
    article = ArticleFactory()
    with pytest.raises(IntegrityError):
        Article.objects.filter(pk=article.pk).update(published_at=None)


def test_absolute_url_uses_year_month_and_slug():
    article = ArticleFactory(
        slug="talks", published_at=timezone.make_aware(timezone.datetime(2011, 3, 23, 12))
    )
    assert article.get_absolute_url() == "/2011/03/talks/"
    article.slug, article.published_at = "ceasefire", timezone.make_aware(timezone.datetime(2012, 5, 1, 12))
    assert article.get_absolute_url() == "/2012/05/ceasefire/"  # the URL kept follows the instance's changes


def test_absolute_url_reads_no_field_left_out_of_the_query(django_assert_num_queries):
    article = ArticleFactory(slug="talks")
    listed = Article.objects.only("id", "slug", "published_at").get(pk=article.pk)
    with django_assert_num_queries(0):
        assert listed.get_absolute_url() == article.get_absolute_url()


def test_publish_sets_date_and_unpublish_keeps_it():
    article = ArticleFactory(draft=True)
    article_publish(article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at is not None
    published_at = article.published_at
    article_unpublish(article=article)
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT
    assert article.published_at == published_at


def test_str_is_the_title_and_name():
    article = ArticleFactory(title="Peace talks", author__name="Bill Roggio")
    assert str(article) == "Peace talks"
    assert str(article.author) == "Bill Roggio"


DIRTY_BODY = (
    '<p onclick="steal()">Talks<script>alert(1)</script></p><iframe src="https://v.example/1"></iframe>'
)
CLEAN_BODY = sanitize_article_html(DIRTY_BODY)


def test_every_save_stores_sanitised_html():
    created = ArticleFactory(body=DIRTY_BODY)
    created.refresh_from_db()
    assert (
        created.body
        == CLEAN_BODY
        == (
            '<p>Talks</p><p><a href="https://v.example/1" rel="noopener noreferrer">https://v.example/1</a></p>'
        )
    )
    draft = ArticleFactory(draft=True)
    draft.body = DIRTY_BODY
    article_publish(article=draft)  # a service
    draft.refresh_from_db()
    assert draft.body == CLEAN_BODY


def test_the_admin_stores_sanitised_html(admin_client):
    author = ArticleFactory().author
    response = admin_client.post(
        reverse("admin:articles_article_add"),
        {
            "title": "Hostile",
            "slug": "hostile",
            "author": author.pk,
            "dek": "",
            "body": DIRTY_BODY,
            "tags": "",
            "status": Article.Status.DRAFT,
            "published_at_0": "",
            "published_at_1": "",
            "comments_open": "on",
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == HTTPStatus.FOUND, response.context["adminform"].form.errors
    assert Article.objects.get(slug="hostile").body == CLEAN_BODY
