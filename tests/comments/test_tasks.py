from http import HTTPStatus

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from comments.models import Comment

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
