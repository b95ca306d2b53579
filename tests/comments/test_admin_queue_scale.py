"""The moderation queue stays fast with many articles and comments: fixed queries, a bounded article filter."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.admin import ArticleFilter
from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:comments_comment_changelist")


@pytest.mark.parametrize("articles", [2, 30])
def test_queue_queries_do_not_grow_with_articles_or_comments(
    admin_client, django_assert_max_num_queries, articles
):
    for article in ArticleFactory.create_batch(articles):
        CommentFactory.create_batch(2, article=article, status=Comment.Status.PENDING)
        CommentFactory(article=article)
    with django_assert_max_num_queries(12):
        response = admin_client.get(CHANGELIST)
    assert response.status_code == HTTPStatus.OK


def test_counts_per_status_come_from_the_index_and_the_articles(admin_client):
    article = ArticleFactory()
    CommentFactory.create_batch(3, article=article)
    CommentFactory.create_batch(2, article=article, status=Comment.Status.PENDING)
    CommentFactory(article=article, status=Comment.Status.SPAM)
    counts = {value: n for value, _, n in admin_client.get(CHANGELIST).context["status_tabs"]}
    assert counts == {"approved": 3, "pending": 2, "spam": 1, "removed": 0, "reported": 0}


def test_article_filter_lists_the_busiest_articles_and_keeps_the_chosen_one(admin_client, monkeypatch):
    monkeypatch.setattr(ArticleFilter, "shown", 2)
    quiet, busy, busier = (
        ArticleFactory(title="Quiet"),
        ArticleFactory(title="Busy"),
        ArticleFactory(title="Busier"),
    )
    for article, held in ((quiet, 1), (busy, 2), (busier, 3)):
        CommentFactory.create_batch(held, article=article, status=Comment.Status.PENDING)
    assert article_choices(admin_client.get(CHANGELIST)) == ["Busier", "Busy"]
    chosen = admin_client.get(CHANGELIST, {"article__id__exact": quiet.pk})
    assert article_choices(chosen) == ["Busier", "Busy", "Quiet"]
    assert {comment.article_id for comment in chosen.context["cl"].result_list} == {quiet.pk}


def article_choices(response) -> list[str]:
    [spec] = [spec for spec in response.context["cl"].filter_specs if isinstance(spec, ArticleFilter)]
    return [title for _, title in spec.lookup_choices]
