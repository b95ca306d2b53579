"""The comment section under an article: which comment a reader replies to, and the staff badge."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment
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


def test_staff_comment_shows_the_badge_and_the_display_name(
    client, admin_client, admin_user, article, comment_data
):
    admin_user.first_name, admin_user.last_name = "Bill", "Roggio"
    admin_user.save()
    data = {key: value for key, value in comment_data(article).items() if key not in ("name", "email", "url")}
    admin_client.post(reverse("comments:post", args=[article.pk]), data)
    CommentFactory(article=article, author_name="A reader")
    staff_comment = Comment.objects.get(user=admin_user)
    assert staff_comment.author_name == "Bill Roggio"

    html = client.get(article.get_absolute_url()).content.decode()
    assert html.count('class="comment-staff"') == 1
    header = html.split(f'id="comment-{staff_comment.pk}"')[1].split("</header>")[0]
    assert "Bill Roggio" in header
    assert ">Staff</span>" in header
    assert admin_user.username not in html


def test_the_staff_form_names_the_poster_without_their_username(admin_client, admin_user, article):
    html = admin_client.get(article.get_absolute_url()).content.decode()
    assert "Posting as <strong>Long War Journal</strong>" in html
    assert f"<strong>{admin_user.username}</strong>" not in html


@pytest.mark.parametrize("count", [1, 50])
def test_staff_badges_cost_no_query_per_comment(
    client, admin_user, article, django_assert_max_num_queries, count
):
    CommentFactory.create_batch(count, article=article, user=admin_user, author_name="Staff writer")
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert response.content.decode().count('class="comment-staff"') == count
