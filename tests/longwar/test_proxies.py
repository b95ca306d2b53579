"""A proxy in front of the site while TRUSTED_PROXY_COUNT is 0 is told to staff: in the admin and in check --deploy."""

import pytest
from django.core.cache import cache
from django.core.checks import run_checks
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _nothing_noted_yet():
    cache.clear()


def deploy_warnings() -> list[str]:
    return [
        message.id
        for message in run_checks(include_deployment_checks=True)
        if message.id.startswith("longwar")
    ]


def test_forwarded_for_with_no_trusted_proxy_warns_in_the_admin_and_check_deploy(client, admin_client):
    assert deploy_warnings() == []
    assert 'id="proxy-warning"' not in admin_client.get(reverse("admin:index")).content.decode()
    client.get(reverse("articles:index"), HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.2")
    assert deploy_warnings() == ["longwar.W001"]
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert 'id="proxy-warning"' in page
    assert "TRUSTED_PROXY_COUNT is 0" in page


def test_no_warning_once_the_proxies_are_counted(client, admin_client, settings):
    client.get(reverse("articles:index"), HTTP_X_FORWARDED_FOR="203.0.113.7")
    settings.TRUSTED_PROXY_COUNT = 1
    assert deploy_warnings() == []
    assert 'id="proxy-warning"' not in admin_client.get(reverse("admin:index")).content.decode()


def test_requests_without_the_header_note_nothing(client):
    client.get(reverse("articles:index"))
    assert deploy_warnings() == []
