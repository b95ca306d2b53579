"""Oversized bodies, too many fields and huge query strings get a quick 4xx, never a 500 or a busy worker."""

import time
from http import HTTPStatus

import pytest
from django.conf import settings
from django.urls import reverse

from comments.forms import make_form_token
from comments.models import Comment

pytestmark = pytest.mark.django_db

QUICK = 1.0  # seconds


def timed(send, *args, **kwargs):
    started = time.monotonic()
    response = send(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.parametrize("content_type", ["multipart/form-data", "application/x-www-form-urlencoded"])
def test_an_oversized_comment_is_refused_quickly(client, article, content_type):
    data = {
        "name": "Grim",
        "email": "grim@example.org",
        "token": make_form_token(article.pk, now=time.time() - 10),
    }
    data["body"] = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    if content_type != "multipart/form-data":
        data = "&".join(f"{key}={value}" for key, value in data.items())
    url = reverse("comments:post", args=[article.pk])
    response, elapsed = timed(client.post, url, data, content_type=content_type)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert elapsed < QUICK
    assert not Comment.objects.exists()


def test_too_many_fields_are_refused(client, article):
    data = {f"field{n}": "x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response, elapsed = timed(client.post, reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert elapsed < QUICK


@pytest.mark.parametrize(
    "url_name", ["articles:search", "admin:comments_comment_changelist", "admin:articles_article_changelist"]
)
def test_a_huge_query_string_is_refused_quickly(admin_client, url_name):
    """30,000 search words once kept the admin busy for a minute."""
    response, elapsed = timed(admin_client.get, reverse(url_name), {"q": "ab " * 30_000})
    assert response.status_code == HTTPStatus.REQUEST_URI_TOO_LONG
    assert elapsed < QUICK


def test_the_longest_query_string_allowed_is_answered(client):
    longest = "q=" + "a" * (settings.MAX_QUERY_STRING_LENGTH - len("q="))
    assert client.get(f"{reverse('articles:search')}?{longest}").status_code == HTTPStatus.OK
    assert (
        client.get(f"{reverse('articles:search')}?{longest}a").status_code == HTTPStatus.REQUEST_URI_TOO_LONG
    )
