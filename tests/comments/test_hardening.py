"""Hostile or unlucky input and deployments: each case once gave a 500, lost text or a wrong count."""

from http import HTTPStatus

import feedparser
import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail.backends.base import BaseEmailBackend

from comments.models import Comment, ModerationSettings
from comments.services import comment_report, comment_set_status
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server is down")


def test_control_characters_are_dropped_from_name_and_text(post, article):
    post(article, name="Gr\x01im", body="Line\x0bone\x1f\nline two")
    comment = Comment.objects.get()
    assert comment.author_name == "Grim"
    assert comment.body == "Lineone\nline two"


def test_comment_feed_survives_control_characters_already_stored(client, article):
    CommentFactory(article=article, author_name="Bad\x01Name", body="Bad\x0btext")
    response = client.get(article.get_absolute_url().rstrip("/") + "/comments/feed/")
    assert response.status_code == HTTPStatus.OK
    feed = feedparser.parse(response.content)
    assert feed.bozo == 0
    assert feed.entries[0].title == "Comment by BadName"


@pytest.mark.parametrize("replyto", ["²", "1" * 5000, "-3", "1e5"])
def test_odd_replyto_is_ignored(client, article, replyto):
    response = client.get(article.get_absolute_url(), {"replyto": replyto})
    assert response.status_code == HTTPStatus.OK
    assert "Leave a comment" in response.content.decode()


@pytest.mark.parametrize("parent", ["²", "1" * 5000, "abc"])
def test_odd_parent_reshows_the_form(post, article, parent):
    response = post(article, parent=parent, body="Kept words.")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Kept words." in response.content.decode()


def test_mail_server_down_does_not_fail_the_reader(
    post, article, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.test_hardening.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(article)
    assert len(callbacks) == 1  # the moderator email was attempted
    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.count() == 1


def test_flood_limit_of_zero_is_refused():
    config = ModerationSettings.load()
    config.flood_max_comments = 0
    with pytest.raises(ValidationError):
        config.full_clean()


def test_client_ip_behind_a_trusted_proxy(client, comment_data, settings, article):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        f"/comments/post/{article.pk}/",
        comment_data(article),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.5",  # the first hop is whatever the client claimed
    )
    assert Comment.objects.get().ip_address == "198.51.100.5"


def test_without_trusted_proxies_forwarded_for_is_ignored(client, comment_data, article):
    client.post(
        f"/comments/post/{article.pk}/",
        comment_data(article),
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_reshown_form_links_point_at_the_article(post, article):
    parent = CommentFactory(article=article)
    html = post(article, email="bad").content.decode()
    assert f'href="{article.get_absolute_url()}?replyto={parent.pk}#respond"' in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_reapproved_comment_needs_fresh_reports(article, admin_user):
    comment = CommentFactory(article=article)
    for session in "abc":
        comment_report(comment=comment, session_key=session)
    comment.refresh_from_db()
    assert comment.status == "pending"
    comment_set_status(comment=comment, to="approved", by=admin_user)
    comment_report(comment=comment, session_key="d")
    comment.refresh_from_db()
    assert comment.status == "approved"
    assert [r["code"] for r in comment.reasons].count("reported") == 1


def test_one_ip_reports_once_whatever_its_sessions(article):
    comment = CommentFactory(article=article)
    assert comment_report(comment=comment, session_key="a", ip_address="192.0.2.1")
    assert not comment_report(comment=comment, session_key="b", ip_address="192.0.2.1")
    assert comment.reports.count() == 1


def test_reply_depth_counts_only_visible_ancestors(post, article):
    top = CommentFactory(article=article)
    hidden = CommentFactory(article=article, parent=top, status="removed")
    shown_as_top = CommentFactory(article=article, parent=hidden)
    second = CommentFactory(article=article, parent=shown_as_top)
    post(article, parent=str(second.pk))
    reply = Comment.objects.get(author_name="Grim")
    assert reply.parent == second  # depth 3 under `shown_as_top`, not re-attached to the hidden comment


def test_sending_back_to_pending_clears_the_decision(admin_user):
    comment = CommentFactory(status="pending")
    comment_set_status(comment=comment, to="approved", by=admin_user)
    comment_set_status(comment=comment, to="pending", by=admin_user)
    comment.refresh_from_db()
    assert comment.moderated_at is None
    assert comment.moderated_by is None
    assert list(comment.events.values_list("to_status", flat=True)) == ["pending", "approved"]


@pytest.mark.parametrize("count", [1, 30])
def test_article_admin_page_query_count_is_flat(admin_client, django_assert_max_num_queries, count):
    article = ArticleFactory()
    CommentFactory.create_batch(count, article=article)
    with django_assert_max_num_queries(20):
        admin_client.get(f"/admin/articles/article/{article.pk}/change/")


@pytest.mark.parametrize("query", ["?status=%00", "?reason=%00", "?status=nonsense"])
def test_hostile_queue_filters_show_the_queue(admin_client, query):
    CommentFactory(status="pending", body="Queued")
    response = admin_client.get("/admin/comments/comment/" + query)
    assert response.status_code == HTTPStatus.OK
    assert "Queued" in response.content.decode()


def test_status_is_read_only_without_the_moderate_permission(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", "e@example.org", "pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_comment", "change_comment"]))
    client.force_login(editor)
    comment = CommentFactory(status="pending", body="Original")
    client.post(f"/admin/comments/comment/{comment.pk}/change/", {"body": "Original", "status": "approved"})
    comment.refresh_from_db()
    assert comment.status == "pending"
