"""The comment form's cleaning and its signed token, as a reader posting it meets them."""

import time
from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.forms import make_form_token
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_control_characters_are_dropped_from_name_and_text(post, article):
    post(article, name="Gr\x01im", body="Line\x0bone\x1f\nline two")
    comment = Comment.objects.get()
    assert comment.author_name == "Grim"
    assert comment.body == "Lineone\nline two"


@pytest.mark.parametrize("parent", ["²", "1" * 5000, "abc"])
def test_odd_parent_reshows_the_form(post, article, parent):
    response = post(article, parent=parent, body="Kept words.")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Kept words." in response.content.decode()


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"name": "x" * 101}, "name", "at most 100 characters"),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        ({"url": "javascript:alert(1)"}, "url", "starting with http:// or https://"),
        ({"url": "ftp://files.example.org/"}, "url", "starting with http:// or https://"),
        ({"body": "   "}, "body", "This field is required."),
        ({"body": "x" * 10_001}, "body", "at most 10000 characters"),
        ({"body": "\x00\x01 \x7f"}, "body", "This field is required."),  # nothing visible
        ({"name": "\x00"}, "name", "This field is required."),
    ],
)
def test_invalid_input_reshows_the_form_with_the_text_and_saves_nothing(
    post, article, overrides, field, message
):
    body = overrides.get("body", "Peace deals will continue to be made.")
    response = post(article, **overrides)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert message in html
    assert "Your comment was not posted. Please correct the errors below." in html
    assert response.context["comment_form"].errors[field]
    if body.isprintable() and body.strip() and len(body) < 10_001:
        assert body in html
    assert Comment.objects.count() == 0


@pytest.mark.parametrize("token", ["", "garbage", "forged:token:value"])
def test_post_without_a_valid_token_is_refused(post, article, token):
    response = post(article, token=token)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "This form has expired or was altered" in response.content.decode()
    assert Comment.objects.count() == 0
    fresh = response.context["comment_form"]["token"].value()
    assert fresh != token
    assert fresh.count(":") == 2


def test_token_for_another_article_is_refused(post, article):
    other = ArticleFactory()
    response = post(article, token=make_form_token(other.pk))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert Comment.objects.count() == 0


@pytest.mark.parametrize(("age", "code"), [(1, "too_fast"), (3 * 3600, "stale_form")])
def test_token_age_holds_with_a_reason(post, article, age, code):
    post(article, token=make_form_token(article.pk, now=time.time() - age))
    assert Comment.objects.get().reasons[0]["code"] == code


def test_staff_with_a_display_name_longer_than_a_comment_name_post_without_losing_text(
    admin_client, admin_user, comment_data, article
):
    admin_user.first_name, admin_user.last_name = "Abdul" * 30, "Rahman" * 25  # 150 + 150 characters
    admin_user.save()
    response = admin_client.post(reverse("comments:post", args=[article.pk]), comment_data(article))
    assert response.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get()
    assert comment.body == comment_data(article)["body"]
    assert (
        comment.author_name == admin_user.get_full_name()[: Comment._meta.get_field("author_name").max_length]
    )
