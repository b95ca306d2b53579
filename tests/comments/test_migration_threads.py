"""The migration that fills each existing comment's thread, rendered text and its article's counts."""

import importlib

import pytest
from django.apps import apps

from articles.models import Article
from comments.models import Comment
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

fill = importlib.import_module("comments.migrations.0019_comment_threads_and_rendered_text")


def test_existing_comments_get_their_threads_text_and_counts(article):
    root = CommentFactory(article=article, body="Root https://example.org")
    reply = CommentFactory(article=article, parent=root)
    hidden = CommentFactory(article=article, parent=reply, status=Comment.Status.REMOVED)
    orphan = CommentFactory(article=article, parent=hidden)
    deep = CommentFactory(article=article, parent=orphan, status=Comment.Status.PENDING)
    Comment.objects.update(thread_root=None, body_html="")
    Article.objects.update(comment_count=0, comment_thread_count=0)

    fill.fill_threads_text_and_counts(apps, None)

    threads = dict(Comment.objects.values_list("pk", "thread"))
    assert [threads[c.pk] for c in (root, reply, hidden, orphan, deep)] == [
        root.pk,
        root.pk,
        root.pk,  # would join its parent's thread if approved again
        orphan.pk,  # its parent is removed: it starts a thread
        orphan.pk,
    ]
    assert 'href="https://example.org"' in Comment.objects.get(pk=root.pk).body_html
    article.refresh_from_db()
    assert (article.comment_count, article.comment_thread_count) == (3, 2)
