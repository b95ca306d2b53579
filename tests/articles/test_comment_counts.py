"""Article lists show each article's approved-comment count, linking to its comments, at a fixed cost."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.services import comment_set_status
from tests.factories import AuthorFactory, CommentFactory, IndexedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def list_urls(article, tag) -> list[str]:
    when = article.published_at
    return [
        reverse("articles:index"),
        reverse("tags:detail", kwargs={"slug": tag.slug}),
        article.author.get_absolute_url(),
        reverse("articles:archive-year", kwargs={"year": when.year}),
        reverse("articles:archive-month", kwargs={"year": when.year, "month": f"{when.month:02d}"}),
        f"{reverse('articles:search')}?q=Body",
    ]


@pytest.fixture
def listed():
    author, tag = AuthorFactory(), TagFactory()
    article = IndexedArticleFactory(author=author)
    article.tags.add(tag)
    return article, tag


def test_every_list_links_each_count_to_the_comments(client, listed):
    article, tag = listed
    CommentFactory.create_batch(2, article=article)
    CommentFactory(article=article, status=Comment.Status.PENDING)
    for url in list_urls(article, tag):
        html = client.get(url).content.decode()
        assert (
            f'<a class="comment-count" href="{article.get_absolute_url()}#comments">2 comments</a>' in html
        ), url


def test_counts_follow_moderation(client, listed):
    article, tag = listed
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    assert "No comments yet" in client.get(reverse("articles:index")).content.decode()
    comment_set_status(comment=held, to=Comment.Status.APPROVED, by=None)
    assert ">1 comment</a>" in client.get(reverse("articles:index")).content.decode()
    comment_set_status(comment=held, to=Comment.Status.REMOVED, by=None)
    assert "No comments yet" in client.get(reverse("articles:index")).content.decode()


@pytest.mark.parametrize("articles", [1, 12])
def test_list_queries_do_not_grow_with_articles_or_comments(client, django_assert_max_num_queries, articles):
    """Guards against a count query per article on the lists."""
    author, tag = AuthorFactory(), TagFactory()
    for _ in range(articles):
        article = IndexedArticleFactory(author=author)
        article.tags.add(tag)
        CommentFactory.create_batch(3, article=article)
    for url in list_urls(article, tag):
        with django_assert_max_num_queries(8):  # the year archive needs 8 (dates, counts, paging)
            assert client.get(url).status_code == 200
