"""Site-wide views: the health check a load balancer polls."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_plain_http_behind_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a fresh handler reads the redirect setting
    assert client.get(reverse("healthz")).status_code == HTTPStatus.OK
    assert client.get(reverse("articles:index")).status_code == HTTPStatus.MOVED_PERMANENTLY
