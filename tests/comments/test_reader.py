"""The reader's own state: client IP, remember-me cookie."""

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.reader import REMEMBER_COOKIE
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_client_ip_behind_a_trusted_proxy(client, comment_data, settings, article):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        comment_data(article),
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.5",  # the first hop is whatever the client claimed
    )
    assert Comment.objects.get().ip_address == "198.51.100.5"


def test_without_trusted_proxies_forwarded_for_is_ignored(client, comment_data, article):
    client.post(
        reverse("comments:post", kwargs={"article_id": article.pk}),
        comment_data(article),
        REMOTE_ADDR="198.51.100.7",
        HTTP_X_FORWARDED_FOR="6.6.6.6",
    )
    assert Comment.objects.get().ip_address == "198.51.100.7"


def test_remember_me_cookie_prefills_the_form_only_with_consent(client, post, article):
    post(article, remember="on", name="Charu", email="charu@example.org", url="https://charu.example")
    assert REMEMBER_COOKIE in client.cookies
    html = client.get(ArticleFactory().get_absolute_url()).content.decode()
    assert 'value="Charu"' in html
    assert 'value="charu@example.org"' in html
    post(article, body="again, without consent", name="Charu", email="charu@example.org")
    assert client.cookies[REMEMBER_COOKIE].value == ""
    assert 'value="Charu"' not in client.get(ArticleFactory().get_absolute_url()).content.decode()


def test_tampered_remember_cookie_is_ignored(client, article):
    client.cookies[REMEMBER_COOKIE] = '{"name": "Evil"}'
    assert 'value="Evil"' not in client.get(article.get_absolute_url()).content.decode()
