"""What the comment form hands to the services."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment

pytestmark = pytest.mark.django_db


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
