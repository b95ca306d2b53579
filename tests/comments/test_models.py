"""Comment models: settings that refuse nonsense, and deletions that keep what must stay (replies, the log)."""

from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from comments.decisions import DECISIONS
from comments.models import Comment, CommenterRule, ModerationEvent, ModerationSettings
from comments.moderation import Submission
from comments.services import comment_decide, comment_submit
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field", ["flood_max_comments", "surge_flood_max_comments"])
def test_flood_limit_of_zero_is_refused_by_the_form_and_the_database(field):
    config = ModerationSettings.load()
    setattr(config, field, 0)
    with pytest.raises(ValidationError):
        config.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        ModerationSettings.objects.filter(pk=config.pk).update(**{field: 0})


def test_replies_survive_their_parents_deletion_and_show_top_level(client):
    parent = CommentFactory(body="The parent, soon deleted.")
    reply = CommentFactory(article=parent.article, parent=parent, body="Another reader's reply.")
    nested = CommentFactory(article=parent.article, parent=reply, body="A reply to the reply.")
    parent.delete()
    reply.refresh_from_db()
    nested.refresh_from_db()
    assert (reply.parent, nested.parent) == (None, reply)
    page = client.get(parent.article.get_absolute_url())
    assert page.status_code == HTTPStatus.OK
    assert [node.comment for node in page.context["page"].object_list] == [reply]
    assert "A reply to the reply." in page.content.decode()


def test_the_admins_bulk_delete_rebuilds_each_articles_threads_once(admin_client, monkeypatch):
    from comments import services

    article = ArticleFactory()
    parents = CommentFactory.create_batch(3, article=article)
    others = [CommentFactory(article=article, parent=parent) for parent in parents[1:]]
    other_article = CommentFactory().article
    rebuilt = []
    real = services.comment_threads_rebuild
    monkeypatch.setattr(
        services, "comment_threads_rebuild", lambda *ids: rebuilt.append(set(ids)) or real(*ids)
    )
    deleted = [*parents, *Comment.objects.filter(article=other_article)]
    response = admin_client.post(
        reverse("admin:comments_comment_changelist") + "?status=all",
        {"action": "delete_selected", "_selected_action": [c.pk for c in deleted], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not Comment.objects.filter(pk__in=[c.pk for c in deleted]).exists()
    assert rebuilt == [{article.pk, other_article.pk}]  # one rebuild, not one per comment
    for reply in others:
        reply.refresh_from_db()
        assert (reply.parent, reply.thread_root) == (None, None)  # now threads of their own
    article.refresh_from_db()
    assert (article.comment_count, article.comment_thread_count) == (2, 2)


def test_a_deleted_comments_log_stays_readable(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING, author_name="Grim", article__title="Peace talks")
    comment_decide(comment=comment, decision=DECISIONS["spam"], by=admin_user)
    comment.delete()
    event = ModerationEvent.objects.get()
    assert event.comment is None
    assert (event.actor_name, event.comment_author, event.article_title) == ("admin", "Grim", "Peace talks")
    assert str(event) == "admin: pending → spam (Grim on “Peace talks”, deleted)"


def test_deleting_an_article_keeps_the_log_of_its_comments(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING, author_name="Grim", article__title="Peace talks")
    comment_decide(comment=comment, decision=DECISIONS["approve"], by=admin_user)
    comment.article.delete()
    assert list(ModerationEvent.objects.values_list("comment_author", "article_title", "to_status")) == [
        ("Grim", "Peace talks", Comment.Status.APPROVED)
    ]


def test_the_log_keeps_the_name_of_a_moderator_whose_account_is_deleted(django_user_model):
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    comment = CommentFactory(status=Comment.Status.PENDING)
    comment_decide(comment=comment, decision=DECISIONS["remove"], by=moderator)
    moderator.delete()
    event = ModerationEvent.objects.get()
    assert (event.actor, event.actor_name) == (None, "mod")
    assert str(event).startswith("mod: ")


def test_admin_lists_and_searches_the_log_of_deleted_comments(admin_client, admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING, author_name="Grim", article__title="Peace talks")
    comment_decide(comment=comment, decision=DECISIONS["spam"], by=admin_user)
    comment.article.delete()
    changelist = reverse("admin:comments_moderationevent_changelist")
    response = admin_client.get(changelist, {"q": "Grim"})
    assert response.status_code == HTTPStatus.OK
    assert list(response.context["cl"].result_list) == list(ModerationEvent.objects.all())
    assert "Grim on “Peace talks” (deleted)" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        (" 2001:0db8::0001 ", "2001:db8::1"),
        ("::ffff:198.51.100.7", "198.51.100.7"),
        ("198.51.100.7", "198.51.100.7"),
    ],
)
def test_block_list_ip_addresses_are_stored_in_one_spelling(typed, stored):
    rule = CommenterRule.objects.create(
        action=CommenterRule.Action.BLOCK, kind=CommenterRule.Kind.IP, value=typed
    )
    assert rule.value == stored


def test_an_ipv6_block_typed_another_way_matches_the_reader(article):
    CommenterRule.objects.create(
        action=CommenterRule.Action.BLOCK, kind=CommenterRule.Kind.IP, value="2001:DB8:0:0:0:0:0:1"
    )
    submission = Submission(
        name="Grim", email="grim@example.org", body="Text.", ip_address="2001:db8::1", form_age=30
    )
    assert comment_submit(article=article, submission=submission).status == Comment.Status.SPAM


def test_admin_refuses_a_block_list_ip_that_is_no_address(admin_client):
    response = admin_client.post(
        reverse("admin:comments_commenterrule_add"),
        {"action": CommenterRule.Action.BLOCK, "kind": CommenterRule.Kind.IP, "value": "2001:db8::zz"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "Enter an IPv4 or IPv6 address." in response.content.decode()
    assert not CommenterRule.objects.exists()
