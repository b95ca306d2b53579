"""Moderator email: one urgent email after a quiet spell, then at most one digest per spell, by the worker."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, CommentReport, ModerationSettings, ModeratorMail
from comments.moderation import Submission
from comments.services import comment_report, comment_submit
from comments.tasks import ALERT_STARTS_WITHIN, moderator_digest_task
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


class BrokenEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server is down")


def test_mail_server_down_does_not_fail_the_reader(
    post, article, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.comments.test_tasks.BrokenEmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(article)
    assert len(callbacks) == 1  # the moderator email was attempted
    assert response.status_code == HTTPStatus.FOUND
    assert Comment.objects.count() == 1


@pytest.fixture
def worker_backend(settings):
    """The real database backend: tasks wait in PostgreSQL (with their run_after) until run_ready() runs them."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_ready():
    """What `manage.py db_worker` does with the tasks that are due, in this test's transaction.

    Returns how many of them were moderator email tasks (other work, e.g. surge checks, runs too).
    """
    ran = 0
    for result in DBTaskResult.objects.ready().order_by("enqueued_at"):
        args_kwargs = result.args_kwargs
        result.task.call(*args_kwargs["args"], **args_kwargs["kwargs"])
        result.delete()
        ran += "moderator" in result.task_path
    return ran


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def hold(article, capture, n, **overrides):
    start = Comment.objects.count()
    for i in range(start, start + n):
        values = {
            "name": "Grim",
            "email": f"grim{i}@example.org",
            "ip_address": f"192.0.2.{i + 10}",
            "form_age": 30,
        }
        with capture(execute=True):
            comment_submit(
                article=article, submission=Submission(body=f"Secret words {i}.", **(values | overrides))
            )


def test_many_held_comments_make_one_urgent_email_then_one_digest(
    worker_backend, moderator, article, django_capture_on_commit_callbacks
):
    hold(article, django_capture_on_commit_callbacks, 1)
    assert run_ready() == 1
    assert len(mail.outbox) == 1
    assert "A comment is waiting" in mail.outbox[0].subject

    hold(article, django_capture_on_commit_callbacks, 5)
    run_ready()
    assert len(mail.outbox) == 1  # the rest wait for the digest
    state = ModeratorMail.objects.get()
    scheduled = DBTaskResult.objects.get(task_path__endswith="moderator_digest_task")
    assert scheduled.run_after == state.digest_due_at
    assert state.digest_due_at == state.last_sent_at + timedelta(
        minutes=ModerationSettings.load().digest_minutes
    )

    # the spell ends
    DBTaskResult.objects.update(run_after=timezone.now())
    ModeratorMail.objects.update(
        digest_due_at=timezone.now(), last_sent_at=timezone.now() - timedelta(minutes=15)
    )
    assert run_ready() == 1
    assert len(mail.outbox) == 2
    digest = mail.outbox[1]
    assert digest.subject.endswith("6 comments wait for review")
    assert "Held for review: 6" in digest.body
    for message in mail.outbox:
        assert message.to == ["mod@example.org"]
        assert message.body.index("/admin/comments/comment/?status=pending") < message.body.index(
            "Held for review"
        )
        for personal in ("Secret words", "grim0@example.org", "192.0.2.1", "Grim"):
            assert personal not in message.body


def queued_alerts() -> int:
    return DBTaskResult.objects.ready().filter(task_path__endswith="moderators_alert_task").count()


def test_a_burst_of_held_comments_queues_one_alert_which_tells_of_them_all(
    worker_backend, moderator, article, django_capture_on_commit_callbacks
):
    hold(article, django_capture_on_commit_callbacks, 3)
    assert queued_alerts() == 1  # not one task per comment
    assert run_ready() == 1
    assert "Held for review: 3" in mail.outbox[0].body
    hold(article, django_capture_on_commit_callbacks, 1)  # after the task started: it may not have seen this
    assert queued_alerts() == 1


def test_an_alert_that_never_starts_is_queued_again_after_a_while(
    worker_backend, moderator, article, django_capture_on_commit_callbacks
):
    hold(article, django_capture_on_commit_callbacks, 1)
    hold(article, django_capture_on_commit_callbacks, 1)
    assert queued_alerts() == 1
    ModeratorMail.objects.update(alert_queued_at=timezone.now() - ALERT_STARTS_WITHIN)  # the worker is down
    hold(article, django_capture_on_commit_callbacks, 1)
    assert queued_alerts() == 2


def test_an_alert_that_cannot_be_queued_leaves_the_next_held_comment_to_try(
    worker_backend, moderator, article, django_capture_on_commit_callbacks, monkeypatch
):
    enqueue = DatabaseBackend.enqueue

    def refuse_alerts(backend, task, args, kwargs):
        if task.name == "moderators_alert_task":
            raise DatabaseError("the task table is unavailable")
        return enqueue(backend, task, args, kwargs)

    monkeypatch.setattr(DatabaseBackend, "enqueue", refuse_alerts)
    hold(article, django_capture_on_commit_callbacks, 1)  # the failure is logged after the commit
    assert Comment.objects.count() == 1
    assert queued_alerts() == 0
    monkeypatch.undo()
    hold(article, django_capture_on_commit_callbacks, 1)
    assert queued_alerts() == 1


def test_the_digest_waits_for_its_time_and_says_nothing_when_the_queue_was_cleared(
    worker_backend, moderator, article, django_capture_on_commit_callbacks
):
    hold(article, django_capture_on_commit_callbacks, 2)
    run_ready()
    assert len(mail.outbox) == 1
    moderator_digest_task.call()  # too early: nothing
    assert len(mail.outbox) == 1
    Comment.objects.update(status=Comment.Status.APPROVED)
    ModeratorMail.objects.update(digest_due_at=timezone.now())
    moderator_digest_task.call()
    assert len(mail.outbox) == 1
    assert ModeratorMail.objects.get().digest_due_at is None


def test_a_quiet_spell_makes_the_next_held_comment_urgent_again(
    moderator, article, django_capture_on_commit_callbacks
):
    hold(article, django_capture_on_commit_callbacks, 1)
    ModeratorMail.objects.update(last_sent_at=timezone.now() - timedelta(minutes=16))
    hold(article, django_capture_on_commit_callbacks, 1, email="other@example.org")
    assert len(mail.outbox) == 2


def test_a_reported_comment_alerts_moderators_once(moderator, django_capture_on_commit_callbacks):
    comment = CommentFactory()
    for network in ("198.51.100.0/24", "203.0.113.0/24"):
        with django_capture_on_commit_callbacks(execute=True):
            comment_report(comment=comment, network=network, reason=CommentReport.Reason.ABUSE)
    assert len(mail.outbox) == 1
    assert "Reported by readers (still published): 1" in mail.outbox[0].body
