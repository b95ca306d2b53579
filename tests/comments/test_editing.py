"""The author's edit window: their own browser, N minutes, the moderation rules run again, and it is logged."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommenterRule, ModerationEvent
from comments.services import MAX_AUTHOR_EDITS
from tests.factories import trusted_commenter

pytestmark = pytest.mark.django_db

Status = Comment.Status
TYPO = "Peace deals will continue to be mad."
FIXED = "Peace deals will continue to be made."


@pytest.fixture
def own_comment(post, article):
    """A comment this test's `client` posted; its author is trusted, so it is published at once."""
    trusted_commenter("grim@example.org", ip_address="198.51.100.20")
    post(article, body=TYPO)
    comment = Comment.objects.get(body=TYPO)
    assert comment.status == Status.APPROVED
    return comment


def edit_url(comment):
    return reverse("comments:edit", args=[comment.pk])


def age(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(created_at=timezone.now() - timedelta(minutes=minutes))


def test_author_edits_within_the_window_and_everyone_sees_edited(client, own_comment, article):
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{edit_url(own_comment)}"' in page
    form = client.get(edit_url(own_comment))
    assert form.status_code == HTTPStatus.OK
    assert TYPO in form.content.decode()

    response = client.post(edit_url(own_comment), {"body": FIXED})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{own_comment.pk}"
    own_comment.refresh_from_db()
    assert own_comment.body == FIXED
    assert own_comment.status == Status.APPROVED  # "hold every comment" does not hold a typo fixed
    assert own_comment.edited_at is not None
    event = own_comment.events.get(kind=ModerationEvent.Kind.EDIT)
    assert event.previous_body == TYPO
    assert event.reason == "Edited by its author."

    stranger = Client().get(article.get_absolute_url()).content.decode()
    assert FIXED in stranger
    assert TYPO not in stranger
    assert 'class="comment-edited"' in stranger
    assert edit_url(own_comment) not in stranger


def test_refused_after_the_window_with_the_text_kept(client, own_comment, article):
    age(own_comment, 16)
    assert edit_url(own_comment) not in client.get(article.get_absolute_url()).content.decode()
    response = client.post(edit_url(own_comment), {"body": FIXED})
    assert response.status_code == HTTPStatus.FORBIDDEN
    html = response.content.decode()
    assert "Comments can be edited for 15 minutes after posting; the time to edit this one ended at" in html
    assert FIXED in html
    own_comment.refresh_from_db()
    assert own_comment.body == TYPO
    assert own_comment.edited_at is None


def test_the_window_is_a_moderation_setting(client, own_comment, config):
    config.edit_window_minutes = 30
    config.save()
    age(own_comment, 20)
    assert client.post(edit_url(own_comment), {"body": FIXED}).status_code == HTTPStatus.FOUND
    config.edit_window_minutes = 0
    config.save()
    response = client.post(edit_url(own_comment), {"body": "Again."})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Comments cannot be edited on this site." in response.content.decode()


def test_refused_from_another_browser_with_the_text_kept(own_comment):
    other = Client()
    assert other.get(edit_url(own_comment)).status_code == HTTPStatus.FORBIDDEN
    response = other.post(edit_url(own_comment), {"body": "Hijacked words."})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "only be edited from the browser it was posted from" in response.content.decode()
    assert "Hijacked words." in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == TYPO


def test_someone_elses_held_comment_is_not_found(post, article):
    post(article)
    assert Client().get(edit_url(Comment.objects.get())).status_code == HTTPStatus.NOT_FOUND


def test_edit_adding_links_goes_back_to_the_queue(client, own_comment, article):
    body = FIXED + " https://a.example https://b.example https://c.example"
    response = client.post(edit_url(own_comment), {"body": body}, follow=True)
    assert "It awaits moderation" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.status == Status.PENDING
    assert "too_many_links" in [reason["code"] for reason in own_comment.reasons]
    log = own_comment.events.get(kind=ModerationEvent.Kind.STATUS, to_status=Status.PENDING)
    assert log.reason.startswith("After an edit by its author: Has 3 links")
    assert FIXED not in Client().get(article.get_absolute_url()).content.decode()
    assert FIXED in client.get(article.get_absolute_url()).content.decode()  # the author still sees it


@pytest.mark.parametrize(
    ("words", "status"), [("moderation_words", Status.PENDING), ("disallowed_words", Status.SPAM)]
)
def test_edit_adding_a_listed_word_is_held_or_spam(client, own_comment, config, words, status):
    setattr(config, words, "casino")
    config.save()
    client.post(edit_url(own_comment), {"body": FIXED + " Visit my casino."})
    own_comment.refresh_from_db()
    assert own_comment.status == status


def test_an_edit_from_a_commenter_blocked_since_goes_to_spam(client, own_comment):
    CommenterRule.objects.filter(value="grim@example.org").update(action=CommenterRule.Action.BLOCK)
    client.post(edit_url(own_comment), {"body": FIXED})
    own_comment.refresh_from_db()
    assert own_comment.status == Status.SPAM
    assert "blocked_email" in [reason["code"] for reason in own_comment.reasons]


def test_edit_never_publishes_a_held_comment(client, post, article):
    post(article, body="Held text with https://a.example https://b.example https://c.example")
    comment = Comment.objects.get()
    assert comment.status == Status.PENDING
    client.post(edit_url(comment), {"body": "Held text, without links."})
    comment.refresh_from_db()
    assert comment.status == Status.PENDING
    assert comment.body == "Held text, without links."
    assert f'href="{edit_url(comment)}"' in client.get(article.get_absolute_url()).content.decode()


def test_blank_edit_gives_the_form_back(client, own_comment):
    response = client.post(edit_url(own_comment), {"body": "   "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This field is required." in response.content.decode()


def test_edits_per_comment_are_limited(client, own_comment):
    for n in range(MAX_AUTHOR_EDITS):
        assert client.post(edit_url(own_comment), {"body": f"Version {n}."}).status_code == HTTPStatus.FOUND
    response = client.post(edit_url(own_comment), {"body": "One more."})
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "One more." in response.content.decode()


def test_edit_needs_get_or_post(client, own_comment):
    assert client.put(edit_url(own_comment)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_edit_url_reverses_and_resolves():
    assert reverse("comments:edit", args=[7]) == "/comments/7/edit/"


@pytest.mark.parametrize("count", [1, 30])
def test_author_page_query_count_is_flat(client, post, article, django_assert_max_num_queries, count, config):
    """The reader's own editable comments cost one query, however many there are."""
    config.flood_max_comments = 100
    config.save()
    for n in range(count):
        post(article, body=f"Comment {n}.", ip=f"198.51.100.{n + 1}", email=f"r{n}@example.org")
    with django_assert_max_num_queries(10):
        html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="comment-edit"') == count


def test_the_window_is_set_in_the_moderation_settings_admin(admin_client):
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    html = admin_client.get(url).content.decode()
    assert 'name="edit_window_minutes"' in html
    assert 'value="15"' in html
