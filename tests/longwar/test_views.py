"""Site-wide views: the health check a load balancer polls."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import resolve, reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw", is_staff=True)


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="donations"))


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("healthz", "/healthz"),
        ("robots-txt", "/robots.txt"),
        ("sitemap", "/sitemap.xml"),
        ("admin-insights", "/admin/insights/"),
    ],
)
def test_urls_reverse_and_resolve(name, path):
    assert reverse(name) == path
    assert resolve(path).view_name == name


def test_healthz_and_robots(client):
    assert client.get(reverse("healthz")).content == b"ok"
    robots = client.get(reverse("robots-txt"))
    assert robots.status_code == HTTPStatus.OK
    assert "Disallow: /admin/" in robots.content.decode()


def test_robots_txt_points_to_the_sitemap_and_keeps_crawlers_out(client):
    response = client.get(reverse("robots-txt"))
    lines = response.content.decode().splitlines()
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"].startswith("text/plain")
    assert f"Sitemap: http://testserver{reverse('sitemap')}" in lines
    assert "Disallow: /admin/" in lines
    assert "Disallow: /comments/" in lines


def test_insights_sends_anonymous_visitors_to_the_admin_login(client):
    response = client.get(reverse("admin-insights"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{reverse('admin:login')}?next={reverse('admin-insights')}"


def test_insights_forbidden_to_staff_without_the_permission(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin-insights")).status_code == HTTPStatus.FORBIDDEN


def test_insights_forbidden_to_non_staff_even_with_the_permission(client, staff):
    staff.is_staff = False
    staff.save()
    grant(staff, "view_insights")
    client.force_login(staff)
    assert client.get(reverse("admin-insights")).status_code == HTTPStatus.FOUND


def test_staff_with_the_insights_permission_see_the_page(client, staff):
    grant(staff, "view_insights")
    client.force_login(staff)
    assert client.get(reverse("admin-insights")).status_code == HTTPStatus.OK


def test_admin_index_links_to_insights_only_for_permitted_staff(client, staff):
    client.force_login(staff)
    insights = reverse("admin-insights")
    assert insights not in client.get(reverse("admin:index")).content.decode()
    grant(staff, "view_insights")
    assert f'href="{insights}"' in client.get(reverse("admin:index")).content.decode()


def test_healthz_answers_plain_http_behind_the_https_redirect(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()  # a fresh handler reads the redirect setting
    assert client.get(reverse("healthz")).status_code == HTTPStatus.OK
    assert client.get(reverse("articles:index")).status_code == HTTPStatus.MOVED_PERMANENTLY
