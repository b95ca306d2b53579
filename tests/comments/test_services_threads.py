"""What the services keep for the read side: each comment's thread as readers see it, the article's counts,
and the text rendered once."""

import pytest

from comments.models import Comment
from comments.services import comment_edit, comment_set_status, comment_submit
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def threads_of(*comments) -> list[int]:
    return [Comment.objects.get(pk=comment.pk).thread for comment in comments]


def counts(article) -> tuple[int, int]:
    article.refresh_from_db()
    return article.comment_count, article.comment_thread_count


def test_a_reply_joins_its_parents_thread_and_leaves_it_while_the_parent_is_hidden(article):
    root = CommentFactory(article=article)
    reply = CommentFactory(article=article, parent=root)
    deep = CommentFactory(article=article, parent=reply)
    held = CommentFactory(article=article, parent=reply, status=Comment.Status.PENDING)
    assert threads_of(root, reply, deep, held) == [root.pk] * 4
    assert counts(article) == (3, 1)

    comment_set_status(comment=root, to=Comment.Status.REMOVED, by=None)
    assert threads_of(reply, deep, held) == [reply.pk] * 3  # the reply now starts the thread
    assert counts(article) == (2, 1)

    comment_set_status(comment=reply, to=Comment.Status.PENDING, by=None)
    assert threads_of(deep, held) == [deep.pk, held.pk]
    assert counts(article) == (1, 1)

    comment_set_status(comment=root, to=Comment.Status.APPROVED, by=None)
    comment_set_status(comment=reply, to=Comment.Status.APPROVED, by=None)
    assert threads_of(root, reply, deep, held) == [root.pk] * 4
    assert counts(article) == (3, 1)


def test_deciding_twice_counts_once(article):
    comment = CommentFactory(article=article, status=Comment.Status.PENDING)
    stale = Comment.objects.get(pk=comment.pk)
    assert comment_set_status(comment=comment, to=Comment.Status.APPROVED, by=None)
    assert not comment_set_status(comment=stale, to=Comment.Status.APPROVED, by=None)
    assert counts(article) == (1, 1)
    assert comment.events.count() == 1


def test_submitting_stores_the_thread_and_the_rendered_text(article, config, admin_user):
    from comments.moderation import Submission

    def submission(body, email):
        return Submission(
            name="Ann", email=email, url="", body=body, ip_address="192.0.2.1", user_agent="", form_age=60
        )

    root = comment_submit(
        article=article,
        submission=submission("See https://example.org", "a@example.org"),
        user=admin_user,
        config=config,
    )
    reply = comment_submit(
        article=article,
        submission=submission("<b>bold</b>", "b@example.org"),
        parent_id=root.pk,
        config=config,
    )
    assert root.status == Comment.Status.APPROVED
    assert 'href="https://example.org" rel="nofollow ugc noopener"' in root.body_html
    assert reply.body_html == "<p>&lt;b&gt;bold&lt;/b&gt;</p>"
    assert threads_of(root, reply) == [root.pk, root.pk]
    assert counts(article) == (1, 1)  # the reply is held


def test_an_edit_renders_the_new_text(article):
    comment = CommentFactory(article=article, body="Old text.")
    comment_edit(comment=comment, body="New <i>text</i>.", by=None)
    assert Comment.objects.get(pk=comment.pk).body_html == "<p>New &lt;i&gt;text&lt;/i&gt;.</p>"


def test_deleting_comments_recounts(article):
    root = CommentFactory(article=article)
    CommentFactory(article=article, parent=root)
    CommentFactory(article=article)
    root.delete()  # its reply survives and starts a thread of its own
    assert counts(article) == (2, 2)
