"""The comment section under an article: which comment a reader replies to."""

from http import HTTPStatus

import pytest

from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("replyto", ["²", "1" * 5000, "-3", "1e5"])
def test_odd_replyto_is_ignored(client, article, replyto):
    response = client.get(article.get_absolute_url(), {"replyto": replyto})
    assert response.status_code == HTTPStatus.OK
    assert "Leave a comment" in response.content.decode()


def test_reply_link_works_without_javascript(client, article):
    parent = CommentFactory(article=article, author_name="Grim")
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{article.get_absolute_url()}?replyto={parent.pk}#respond"' in html
    reply_page = client.get(f"{article.get_absolute_url()}?replyto={parent.pk}").content.decode()
    assert "Reply to Grim" in reply_page
    assert f'name="parent" value="{parent.pk}"' in reply_page
