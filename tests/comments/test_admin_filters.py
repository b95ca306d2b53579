"""The classifier in the admin: scores in the queue, what weighed on the review card, the models' figures."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments import learning
from comments.models import Comment, SpamModel
from comments.moderation import Submission
from comments.services import comment_submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(article, labelled_csv):
    learning.store_examples(learning.read_files([labelled_csv(n=300)]))
    learning.spam_model_train(decisions=False)
    return comment_submit(
        article=article,
        submission=Submission(name="Bot", email="bot@example.org", body="free money click link cheap pills"),
    )


def test_queue_shows_each_comments_spam_score(admin_client, scored, django_assert_max_num_queries):
    Comment.objects.filter(pk=scored.pk).update(status=Comment.Status.PENDING)
    with django_assert_max_num_queries(14):
        html = admin_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    assert f"spam score {scored.spam_score:.2f}" in html


def test_review_card_shows_the_score_and_the_words_that_weighed_most(admin_client, scored):
    html = admin_client.get(reverse("admin:comments_comment_change", args=[scored.pk])).content.decode()
    assert f"Score {scored.spam_score:.2f}." in html
    assert "<code>money</code>" in html or "<code>free</code>" in html


def test_review_card_of_an_unscored_comment_says_so(admin_client, article):
    comment = comment_submit(
        article=article, submission=Submission(name="A", email="a@example.org", body="Hi.")
    )
    html = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert "Not scored" in html


def test_models_page_shows_size_date_and_held_out_figures_to_moderators(client, scored, django_user_model):
    moderator = django_user_model.objects.create_user("mod", password="pw", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    model = SpamModel.objects.get()
    listing = client.get(reverse("admin:comments_spammodel_changelist"))
    assert listing.status_code == HTTPStatus.OK
    assert "KB" in listing.content.decode()
    page = client.get(reverse("admin:comments_spammodel_change", args=[model.pk])).content.decode()
    assert "Auto-spam threshold for 99.00% precision" in page
    assert "<td>hold</td>" in page
    assert "<td>auto-spam</td>" in page
    assert (
        client.post(reverse("admin:comments_spammodel_delete", args=[model.pk])).status_code
        == HTTPStatus.FORBIDDEN
    )
