"""Old WordPress and Disqus links land where they used to: `/?p=<id>` redirects, `#comment-<id>` anchors exist."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from articles.models import Article
from comments.models import Comment, ModerationSettings
from comments.selectors import comment_location
from longwar.imports.models import ImportedArticle, ImportedComment, Source
from tests.factories import ArticleFactory, CommentFactory
from tests.longwar.imports.conftest import DISQUS, WXR

pytestmark = pytest.mark.django_db


def article(external_id: str) -> Article:
    return ImportedArticle.objects.get(source=Source.WORDPRESS, external_id=external_id).article


def test_old_post_links_redirect_permanently_to_the_article(run_import, client):
    run_import("import_wxr", WXR)
    response = client.get(reverse("articles:index"), {"p": "101"})
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == article("101").get_absolute_url()


@pytest.mark.parametrize("post_id", ["102", "103", "107", "999", "abc", ""])
def test_old_links_to_what_readers_may_not_see_are_not_found(run_import, client, post_id):
    """A scheduled post, a draft, a skipped page, an unknown or malformed id."""
    run_import("import_wxr", WXR)
    assert client.get(reverse("articles:index"), {"p": post_id}).status_code == HTTPStatus.NOT_FOUND


def test_the_index_is_untouched_without_p(client):
    ArticleFactory(title="Front page story")
    response = client.get(reverse("articles:index"), {"page": "1"})
    assert response.status_code == HTTPStatus.OK
    assert "Front page story" in response.content.decode()


def test_an_imported_comment_keeps_its_wordpress_anchor_on_its_page(run_import, client):
    """With one thread a page, the reply 1002 (thread of 1003) is on page 2, under its WordPress id."""
    run_import("import_wxr", WXR)
    ModerationSettings.objects.update_or_create(pk=1, defaults={"comments_per_page": 1})
    location = comment_location(Comment.objects.get(pk=1002), own_ids=[], per_page=1)
    assert location == f"{article('101').get_absolute_url()}?cpage=2#comment-1002"
    page_two = client.get(location.split("#")[0]).content.decode()
    assert page_two.count('id="comment-1002"') == 1
    assert 'id="comment-1003"' in page_two
    page_one = client.get(article("101").get_absolute_url()).content.decode()
    assert 'id="comment-1001"' in page_one
    assert 'id="comment-1002"' not in page_one


def test_a_wordpress_id_taken_here_becomes_an_extra_anchor(run_import, client):
    CommentFactory(pk=1003, body="A local comment that already had id 1003.")
    run_import("import_wxr", WXR)
    moved = ImportedComment.objects.get(source=Source.WORDPRESS, external_id="1003").comment
    assert moved.pk != 1003
    assert moved.legacy_id == 1003
    assert Comment.objects.get(pk=1002).parent == moved
    html = client.get(article("101").get_absolute_url()).content.decode()
    assert html.count('id="comment-1003"') == 1  # the extra anchor of the imported comment
    assert f'id="comment-{moved.pk}"' in html
    assert CommentFactory().pk > 1111  # new comments never draw an imported id


def test_an_old_anchor_never_duplicates_an_id_on_the_page(run_import, client):
    """A Disqus comment's old anchor is dropped where a comment of the same page already has that id."""
    run_import("import_wxr", WXR)
    CommentFactory(pk=5000010, article=article("101"), body="Local comment with the Disqus id.")
    run_import("import_disqus", DISQUS)
    html = client.get(article("101").get_absolute_url()).content.decode()
    assert html.count('id="comment-5000010"') == 1
    assert 'id="comment-5000011"' in html  # the other Disqus comment keeps its anchor


@pytest.mark.parametrize("p", ["\x00", "12\x00", "abc", " "])
def test_odd_post_ids_answer_404_not_500(client, p):
    assert client.get(reverse("articles:index"), {"p": p}).status_code == HTTPStatus.NOT_FOUND
