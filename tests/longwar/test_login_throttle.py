"""Admin logins are throttled (django-axes), per username and address, with a cool-off nobody can extend."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("admin:login")
ATTACKER, EDITOR_DESK = "198.51.100.66", "203.0.113.10"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password="right-password-1", is_staff=True)


def log_in(client, password, ip):
    return client.post(
        LOGIN_URL,
        {"username": "editor", "password": password, "next": reverse("admin:index")},
        REMOTE_ADDR=ip,
    )


def lock_out(client):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong", ATTACKER).status_code == HTTPStatus.OK  # the form again
    assert log_in(client, "wrong", ATTACKER).status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_repeated_failures_lock_out_with_a_clear_message(client, editor):
    lock_out(client)
    response = log_in(client, "right-password-1", ATTACKER)
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    text = response.content.decode()
    assert "Too many failed logins" in text
    assert f"after {settings.AXES_FAILURE_LIMIT} wrong passwords" in text.lower()
    assert "15 minutes" in text
    assert "administrator" in text


def test_a_lock_out_does_not_reach_the_user_at_another_address(client, editor):
    """A stranger who knows the username locks out only their own username-and-address pair."""
    lock_out(client)
    response = log_in(client, "right-password-1", EDITOR_DESK)
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == reverse("admin:index")


def test_the_lock_out_ends_after_the_cool_off_however_often_it_is_retried(client, editor):
    lock_out(client)
    for _ in range(3):  # failures during the lock-out do not extend it
        assert log_in(client, "wrong", ATTACKER).status_code == HTTPStatus.TOO_MANY_REQUESTS
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert log_in(client, "right-password-1", ATTACKER).status_code == HTTPStatus.FOUND


def test_a_superuser_lifts_the_lock_out(client, admin_client, editor):
    lock_out(client)
    attempts = AccessAttempt.objects.filter(username="editor")
    response = admin_client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": list(attempts.values_list("pk", flat=True)),
            "post": "yes",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert not attempts.exists()
    assert log_in(client, "right-password-1", ATTACKER).status_code == HTTPStatus.FOUND
