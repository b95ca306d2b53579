"""An imported WordPress site as readers and moderators see it."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment
from longwar.imports.models import ImportedArticle, Source
from tests.longwar.imports.conftest import WXR

pytestmark = pytest.mark.django_db


def test_articles_show_their_approved_threads_and_nothing_held(
    run_import, client, django_assert_max_num_queries
):
    """The page costs the same queries as any article page (the old anchors come with the thread query)."""
    run_import("import_wxr", WXR)
    article = ImportedArticle.objects.get(source=Source.WORDPRESS, external_id="101").article
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Peace deals will continue to be made." in html
    thread = re.search(r'<article id="comment-1003">.*?</li>', html, re.DOTALL)[0]
    assert '<ol class="children">' in thread
    assert 'id="comment-1002"' in thread
    for held in ("Waiting for a moderator.", "Cheap pills", "Rude words", "a pingback"):
        assert held not in html
    assert "&lt;script&gt;" not in html
    assert "<script>alert" not in html
    assert 'href="/tags/taliban/"' in html


def test_pending_imports_wait_in_the_moderation_queue(run_import, admin_client):
    run_import("import_wxr", WXR)
    queue = admin_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert "Waiting for a moderator." in queue
    assert "Peace deals" not in queue  # approved: not in the queue
    assert Comment.objects.filter(status=Comment.Status.PENDING).count() == 1
