import time

import pytest
from django.urls import reverse

from comments.forms import make_form_token
from comments.models import ModerationSettings


@pytest.fixture
def config(db):
    return ModerationSettings.load()


@pytest.fixture
def comment_data():
    """Valid form data for an article, from a form shown ten seconds ago."""

    def build(article, **overrides):
        data = {
            "name": "Grim",
            "email": "grim@example.org",
            "url": "",
            "body": "Peace deals will continue to be made.",
            "parent": "",
            "honeypot": "",
            "token": make_form_token(article.pk, now=time.time() - 10),
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def post(client, comment_data):
    """Post the comment form for an article, as a reader's browser would."""

    def send(article, follow=False, ip="198.51.100.20", **overrides):
        return client.post(
            reverse("comments:post", kwargs={"article_id": article.pk}),
            comment_data(article, **overrides),
            follow=follow,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test)",
        )

    return send
