import threading
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from comments.decisions import BLOCK, TRUST
from comments.models import (
    Comment,
    CommenterAction,
    CommenterKind,
    CommenterRule,
    ModerationEvent,
    ModerationSettings,
)
from comments.moderation import Submission
from comments.services import (
    CommentsClosed,
    DuplicateComment,
    FloodLimited,
    InvalidParent,
    comment_decide,
    comment_edit,
    comment_set_featured,
    comment_set_status,
    comment_submit,
    comment_threads_rebuild,
)
from tests.factories import ArticleFactory, CommentFactory
from tests.processes import start_django, this_test_database_url

pytestmark = pytest.mark.django_db


def submit(article, **overrides):
    parent_id = overrides.pop("parent_id", None)
    user = overrides.pop("user", None)
    now = overrides.pop("now", None)
    values = {
        "name": "Grim",
        "email": "grim@example.org",
        "body": "Text.",
        "ip_address": "198.51.100.1",
        "form_age": 30,
    }
    return comment_submit(
        article=article,
        submission=Submission(**(values | overrides)),
        parent_id=parent_id,
        user=user,
        now=now,
    )


def test_submitted_comment_is_pending_with_reason_and_logged(article):
    comment = submit(article)
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons == [{"code": "hold_all", "text": "Every comment is held for review."}]
    event = ModerationEvent.objects.get(comment=comment)
    assert (event.from_status, event.to_status, event.actor) == ("", Comment.Status.PENDING, None)


def test_staff_post_as_themselves_and_are_approved(article, admin_user):
    comment = submit(article, name=admin_user.username, email=admin_user.email, user=admin_user)
    assert comment.status == Comment.Status.APPROVED
    assert comment.user == admin_user
    assert comment.reasons == []


@pytest.mark.parametrize("shared", ["ip_address", "email"])
def test_flood_limit_applies_per_ip_and_per_email(article, config, shared):
    config.flood_max_comments = 2
    config.save()
    others = {
        "ip_address": ["192.0.2.1", "192.0.2.2", "192.0.2.3"],
        "email": ["a@x.org", "b@x.org", "c@x.org"],
    }
    varying = "email" if shared == "ip_address" else "ip_address"
    submit(article, body="one", **{varying: others[varying][0]})
    submit(article, body="two", **{varying: others[varying][1]})
    with pytest.raises(FloodLimited) as refusal:
        submit(article, body="three", **{varying: others[varying][2]})
    assert 1 <= refusal.value.retry_after <= config.flood_window_seconds
    assert Comment.objects.count() == 2


def test_flood_window_passes(article, config):
    config.flood_max_comments = 1
    config.save()
    submit(article, body="one", now=timezone.now() - timedelta(seconds=config.flood_window_seconds + 1))
    assert submit(article, body="two").pk


def test_flood_retry_after_counts_from_the_oldest_comment_in_the_window(article, config):
    config.flood_max_comments = 1
    config.flood_window_seconds = 100
    config.save()
    now = timezone.now()
    submit(article, body="one", now=now - timedelta(seconds=40))
    with pytest.raises(FloodLimited) as refusal:
        submit(article, body="two", now=now)
    assert refusal.value.retry_after == 60


def test_flood_retry_after_waits_for_the_sender_to_fall_below_the_maximum(article, config):
    """A limit lowered (a surge) over three comments in the window: free once the second newest leaves it."""
    config.flood_max_comments, config.flood_window_seconds = 3, 100
    config.save()
    now = timezone.now()
    for age in (90, 60, 30):
        submit(article, body=f"{age} seconds ago", now=now - timedelta(seconds=age))
    config.flood_max_comments = 2
    config.save()
    with pytest.raises(FloodLimited) as refusal:
        submit(article, body="now", now=now)
    assert refusal.value.retry_after == 40


def test_identical_comment_is_refused_as_duplicate(article):
    submit(article, body="Same words.")
    with pytest.raises(DuplicateComment):
        submit(article, body="Same words.", ip_address="192.0.2.9")
    assert submit(article, body="Same words.", email="someone@example.org", ip_address="192.0.2.9").pk
    assert submit(ArticleFactory(), body="Same words.", ip_address="192.0.2.10").pk


def test_staff_repeats_are_refused_but_staff_are_never_flood_limited(article, admin_user, config):
    config.flood_max_comments = 1
    config.save()
    submit(article, body="First.", email="", user=admin_user)
    submit(article, body="Second.", email="", user=admin_user)  # over the limit: staff are not counted
    with pytest.raises(DuplicateComment):
        submit(article, body="Second.", email="", user=admin_user)
    assert submit(
        article, body="Second.", email="", ip_address="192.0.2.9"
    ).pk  # a reader: not the staff member


def test_closed_article_refuses_comments(config):
    with pytest.raises(CommentsClosed):
        submit(ArticleFactory(comments_open=False))
    config.close_after_days = 7
    config.save()
    with pytest.raises(CommentsClosed):
        submit(ArticleFactory(published_at=timezone.now() - timedelta(days=8)))
    assert submit(ArticleFactory(published_at=timezone.now() - timedelta(days=6))).pk


def test_reply_must_answer_an_approved_comment_of_the_same_article(article):
    with pytest.raises(InvalidParent):
        submit(article, parent_id=CommentFactory(status=Comment.Status.PENDING, article=article).pk)
    with pytest.raises(InvalidParent):
        submit(article, parent_id=CommentFactory().pk)  # another article
    parent = CommentFactory(article=article)
    assert submit(article, parent_id=parent.pk).parent == parent


def test_replies_deeper_than_the_limit_attach_at_the_deepest_level(article, config):
    assert config.thread_depth == 3
    top = CommentFactory(article=article)
    second = CommentFactory(article=article, parent=top)
    third = CommentFactory(article=article, parent=second)
    reply = submit(article, parent_id=third.pk)
    assert reply.parent == second  # a sibling of `third`, at depth 3


def test_depth_one_makes_every_reply_top_level(article, config):
    config.thread_depth = 1
    config.save()
    assert submit(article, parent_id=CommentFactory(article=article).pk).parent is None


def test_spam_rules_apply_on_submit(article, config):
    CommenterRule.objects.create(
        action=CommenterAction.BLOCK, kind=CommenterKind.EMAIL, value="Grim@Example.org"
    )
    comment = submit(article)
    assert comment.status == Comment.Status.SPAM
    assert comment.reasons[0]["code"] == "blocked_email"


def test_set_status_logs_who_when_from_to_and_why(article, admin_user):
    comment = submit(article)
    assert comment_set_status(
        comment=comment, to=Comment.Status.APPROVED, by=admin_user, reason="Looks fine."
    )
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert comment.moderated_by == admin_user
    assert comment.moderated_at is not None
    event = comment.events.first()
    assert (event.actor, event.from_status, event.to_status, event.reason) == (
        admin_user,
        Comment.Status.PENDING,
        Comment.Status.APPROVED,
        "Looks fine.",
    )
    assert not comment_set_status(comment=comment, to=Comment.Status.APPROVED, by=admin_user)
    assert comment.events.count() == 2


def test_trusted_commenter_is_approved_next_time(article, admin_user):
    first = submit(article, body="first")
    comment_decide(comment=first, decision=TRUST, by=admin_user)
    first.refresh_from_db()
    assert first.status == Comment.Status.APPROVED
    assert submit(article, body="second").status == Comment.Status.APPROVED


def test_blocked_commenter_goes_to_spam_by_email_or_ip(article, admin_user):
    first = submit(article, body="first")
    comment_decide(comment=first, decision=BLOCK, by=admin_user)
    first.refresh_from_db()
    assert first.status == Comment.Status.SPAM
    assert set(CommenterRule.objects.values_list("kind", "value")) == {
        (CommenterKind.EMAIL, "grim@example.org"),
        (CommenterKind.IP, "198.51.100.1"),
    }
    assert submit(article, body="same IP", email="new@example.org").reasons[0]["code"] == "blocked_ip"


def test_held_comment_emails_moderators_a_link_and_no_reader_data(
    article, django_user_model, django_capture_on_commit_callbacks
):
    moderator = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    django_user_model.objects.create_user("reader", "reader@example.org", "pw")
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, body="Held text here.")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["mod@example.org"]
    assert "/admin/comments/comment/?status=pending" in message.body
    assert article.title in message.body
    for personal in ("Held text here.", "grim@example.org", "198.51.100.1", "Grim"):
        assert personal not in message.body
        assert personal not in message.subject


def test_no_email_for_approved_or_spam_comments(article, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(article, user=admin_user, body="staff")
        submit(article, honeypot="bot", body="spam")
    assert mail.outbox == []


def test_an_edit_keeps_the_old_text_in_the_log_and_marks_the_comment(admin_user):
    comment = CommentFactory(body="Teh Taliban")
    assert comment_edit(comment=comment, body="The Taliban", by=admin_user, reason="Typo")
    comment.refresh_from_db()
    assert comment.body == "The Taliban"
    assert comment.edited_at is not None
    event = comment.events.get(kind=ModerationEvent.Kind.EDIT)
    assert (event.previous_body, event.actor, event.reason) == ("Teh Taliban", admin_user, "Typo")
    assert not comment_edit(comment=comment, body="The Taliban", by=admin_user)


def test_only_approved_comments_become_editors_picks_and_each_change_is_logged(admin_user):
    held = CommentFactory(status=Comment.Status.PENDING)
    assert not comment_set_featured(comment=held, featured=True, by=admin_user)
    comment = CommentFactory()
    assert comment_set_featured(comment=comment, featured=True, by=admin_user)
    assert not comment_set_featured(comment=comment, featured=True, by=admin_user)
    assert comment_set_featured(comment=comment, featured=False, by=admin_user)
    kinds = list(comment.events.order_by("id").values_list("kind", flat=True))
    assert kinds == [ModerationEvent.Kind.FEATURE, ModerationEvent.Kind.UNFEATURE]


def test_reply_depth_counts_only_visible_ancestors(post, article):
    top = CommentFactory(article=article)
    hidden = CommentFactory(article=article, parent=top, status=Comment.Status.REMOVED)
    shown_as_top = CommentFactory(article=article, parent=hidden)
    second = CommentFactory(article=article, parent=shown_as_top)
    post(article, parent=str(second.pk))
    reply = Comment.objects.get(author_name="Grim")
    assert reply.parent == second  # depth 3 under `shown_as_top`, not re-attached to the hidden comment


def test_sending_back_to_pending_clears_the_decision(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    comment_set_status(comment=comment, to=Comment.Status.APPROVED, by=admin_user)
    comment_set_status(comment=comment, to=Comment.Status.PENDING, by=admin_user)
    comment.refresh_from_db()
    assert comment.moderated_at is None
    assert comment.moderated_by is None
    assert list(comment.events.values_list("to_status", flat=True)) == [
        Comment.Status.PENDING,
        Comment.Status.APPROVED,
    ]


POSTER = """
import sys, time
import django
django.setup()
from django.test import Client
from django.urls import reverse
from comments.forms import make_form_token

article_id, label = int(sys.argv[1]), sys.argv[2]
client = Client()
for n in range(3):
    response = client.post(
        reverse("comments:post", kwargs={"article_id": article_id}),
        {"name": "Flooder", "email": f"{label}{n}@example.org", "body": f"{label} comment {n}",
         "token": make_form_token(article_id, now=time.time() - 10)},
        REMOTE_ADDR="198.51.100.99",
    )
    print(response.status_code)
"""


@pytest.mark.django_db(transaction=True)
def test_two_processes_posting_at_once_share_one_flood_limit(database_cache):
    """The flood limit is kept in PostgreSQL, so it holds across processes (gunicorn workers, machines)."""
    article = ArticleFactory()
    config = ModerationSettings.load()
    config.flood_max_comments = 3
    config.save()
    workers = [
        start_django(
            "-c",
            POSTER,
            str(article.pk),
            label,
            DEBUG="true",
            DATABASE_URL=this_test_database_url(),
            ALLOWED_HOSTS="testserver",
        )
        for label in ("a", "b")
    ]
    outputs = [worker.communicate(timeout=60) for worker in workers]
    statuses = [int(line) for stdout, _ in outputs for line in stdout.split()]
    assert all(worker.returncode == 0 for worker in workers), [stderr for _, stderr in outputs]
    assert sorted(statuses) == [302, 302, 302, 429, 429, 429]
    assert Comment.objects.filter(ip_address="198.51.100.99").count() == 3


@pytest.mark.django_db(transaction=True)
def test_counts_rebuilt_while_a_comment_is_being_posted_keep_that_comment(admin_user):
    """A deletion's rebuild of the counts waits for a post still in its transaction instead of overwriting
    the post's +1 with a count taken before it committed (where to send readers is worked out from it)."""
    article = ArticleFactory()
    doomed = CommentFactory(article=article)
    CommentFactory(article=article)
    comment_threads_rebuild(article.pk)
    posted, released = threading.Event(), threading.Event()

    def post() -> None:
        try:
            with transaction.atomic():
                submit(article, body="Posted while the counts are rebuilt.", user=admin_user)
                posted.set()
                released.wait(10)
        finally:
            connection.close()

    poster = threading.Thread(target=post)
    poster.start()
    assert posted.wait(10)
    threading.Timer(0.5, released.set).start()  # the rebuild below must wait for this commit
    doomed.delete()
    poster.join(10)
    article.refresh_from_db()
    assert article.comment_thread_count == 2 == article.comment_count
