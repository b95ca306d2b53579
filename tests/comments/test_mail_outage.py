"""A stalled mail server cannot take the site down, and loses no notification.

The mail server here is a socket that accepts connections and never answers (a hung SMTP server). Readers'
posts do not wait on it; the task worker (the real `db_worker` loop, database backend) gives up after
EMAIL_TIMEOUT and defers a retry; once a mail server answers, moderators hear of every held comment.
"""

import socket
import threading
import time
from datetime import timedelta

import pytest
from aiosmtpd.controller import Controller
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comments.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

EMAIL_TIMEOUT = 1


class HungSMTPServer:
    """Accepts connections, then says nothing, ever."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        for connection in self.connections:
            connection.close()
        self.listener.close()


class Inbox:
    """aiosmtpd's handler: keeps every message it is sent."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def hung_smtp():
    server = HungSMTPServer()
    yield server
    server.close()


@pytest.fixture
def answering_smtp():
    inbox = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def real_mail(settings, hung_smtp, django_user_model):
    """SMTP to the hung server, tasks in PostgreSQL for the worker, and a moderator to tell."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", hung_smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = EMAIL_TIMEOUT
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    django_user_model.objects.create_superuser("mod", "mod@example.org")
    return settings


def run_worker() -> float:
    """One pass of `manage.py db_worker --batch`: every task that is due, then exit. Returns the seconds taken."""
    started = time.monotonic()
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test-worker",
        excluded_queue_names=[],
    ).run()
    return time.monotonic() - started


def tasks():
    return DBTaskResult.objects.filter(task_path__contains="moderator").order_by("enqueued_at")


def test_a_hung_mail_server_delays_no_post_and_loses_no_notification(
    client, comment_data, article, real_mail, answering_smtp
):
    bodies = ["Held for review, first.", "Held for review, second."]
    for body in bodies:
        started = time.monotonic()
        response = client.post(reverse("comments:post", args=[article.pk]), comment_data(article, body=body))
        assert response.status_code == 302
        assert time.monotonic() - started < EMAIL_TIMEOUT  # the post never waited on the mail server
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 2

    # One alert was queued for both (the second came before it started). The worker tries, times out, and
    # defers a retry instead of failing or hanging.
    assert run_worker() < EMAIL_TIMEOUT + 1
    retries = tasks().filter(status="READY")
    assert [task.args_kwargs["kwargs"] for task in retries] == [{"attempt": 1}]
    assert all(task.run_after > timezone.now() for task in retries)
    assert tasks().filter(status="FAILED").count() == 0

    # The mail server answers again; the retry falls due (time moves on): one email, counting both.
    controller, inbox = answering_smtp
    real_mail.EMAIL_PORT = controller.port
    retries.update(run_after=timezone.now() - timedelta(seconds=1))
    run_worker()
    assert [message.rcpt_tos for message in inbox.messages] == [["mod@example.org"]]
    assert "A comment is waiting for review" in inbox.messages[0].content.decode()
    assert "Held for review: 2" in inbox.messages[0].content.decode()
    assert tasks().exclude(status="SUCCESSFUL").count() == 0
    run_worker()
    assert len(inbox.messages) == 1
