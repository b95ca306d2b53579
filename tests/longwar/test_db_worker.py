"""The task worker (`manage.py db_worker`, as `make run` and `make serve` start it) outlives a database outage."""

import os
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, ModeratorMail
from comments.tasks import moderators_alert_task
from tests.factories import CommentFactory
from tests.longwar.database_link import database_url_through

pytestmark = pytest.mark.django_db(transaction=True)


def wait_done(result_id, seconds: float = 30) -> str:
    deadline = time.monotonic() + seconds
    while (status := DBTaskResult.objects.get(id=result_id).status) in ("READY", "RUNNING"):
        assert time.monotonic() < deadline, status
        time.sleep(0.1)
    return status


def test_the_worker_waits_out_a_database_outage_and_sends_what_was_held(link, settings_tasks, tmp_path):
    log_path = tmp_path / "worker.log"
    env = {**os.environ, "DATABASE_URL": database_url_through(link), "DATABASE_CONNECT_TIMEOUT": "2"}
    with log_path.open("w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "manage.py",
                "db_worker",
                "--no-reload",
                "--no-startup-delay",
                "--interval",
                "0.2",
            ],
            cwd=settings.BASE_DIR,
            env=env | {"EMAIL_URL": "consolemail://"},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        CommentFactory(status=Comment.Status.PENDING, body="Before.")
        before = moderators_alert_task.enqueue()
        assert wait_done(before.id) == "SUCCESSFUL"

        link.stop()
        time.sleep(2)  # the worker polls every 0.2 s and finds no database
        assert worker.poll() is None, log_path.read_text()
        CommentFactory(status=Comment.Status.PENDING, body="During.")
        ModeratorMail.objects.update(last_sent_at=None)  # a quiet spell has passed: the next alert is urgent
        during = moderators_alert_task.enqueue()
        link.restore()

        assert wait_done(during.id) == "SUCCESSFUL"
        assert worker.poll() is None
    finally:
        worker.terminate()
        worker.wait(10)
    printed = log_path.read_text()
    assert printed.count("To: mod@example.org") == 2  # the console mail backend prints what it sends
    assert "Database unavailable" in printed


@pytest.fixture
def settings_tasks(settings, django_user_model):
    """Tasks stored in PostgreSQL for the worker, and a moderator to email."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    django_user_model.objects.create_superuser("mod", "mod@example.org")
    return settings
