"""Near-duplicate groups in the queue (pg_trgm), decided as one batch."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Comment, ModerationEvent
from comments.selectors import near_duplicate_groups
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

CAMPAIGN = "Earn $500 a day from home, visit cashnow dot example for details"


@pytest.fixture
def queue():
    """A campaign of three small variations by three commenters, a pair, and unrelated comments."""
    campaign = [
        CommentFactory(status=Comment.Status.PENDING, body=CAMPAIGN),
        CommentFactory(status=Comment.Status.PENDING, body=CAMPAIGN.replace("$500", "$700")),
        CommentFactory(status=Comment.Status.PENDING, body=CAMPAIGN.upper() + "!!"),
    ]
    pair = [
        CommentFactory(status=Comment.Status.PENDING, body="The ceasefire will not hold past the winter."),
        CommentFactory(status=Comment.Status.PENDING, body="The ceasefire will not hold past the winter!"),
    ]
    CommentFactory(status=Comment.Status.PENDING, body="Completely different thoughts about the army budget.")
    CommentFactory(status=Comment.Status.APPROVED, body=CAMPAIGN)  # already decided: not in the queue
    pair.append(  # the same commenter again: joins the group through the other commenter's copy
        CommentFactory(
            status=Comment.Status.PENDING,
            body="The ceasefire will not hold past the winter...",
            author_name=pair[0].author_name,
            author_email=pair[0].author_email,
        )
    )
    return campaign, pair


def test_near_duplicates_are_grouped_biggest_first(queue):
    campaign, pair = queue
    groups = near_duplicate_groups()
    assert [len(group) for group in groups] == [3, 3]
    assert {frozenset(group) for group in groups} == {frozenset(campaign), frozenset(pair)}
    assert groups[0][0].created_at <= groups[1][0].created_at


def test_short_alike_comments_are_not_a_campaign():
    CommentFactory(status=Comment.Status.PENDING, body="Great article!")
    CommentFactory(status=Comment.Status.PENDING, body="Great article!!")
    assert near_duplicate_groups() == []


@pytest.fixture
def moderator_client(client, django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return client


def test_duplicates_page_shows_group_sizes_and_one_click_decisions(moderator_client, queue):
    response = moderator_client.get(reverse("admin:comments_comment_duplicates"))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "3 comments</span> from 3 commenters" in html
    assert "Spam all 3" in html
    assert (
        reverse("admin:comments_comment_duplicates")
        in moderator_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    )


def test_a_group_decision_is_one_batch_that_undo_can_take_back_as_one(moderator_client, queue):
    campaign, _ = queue
    response = moderator_client.post(
        reverse("admin:comments_comment_decide_group"),
        {"decision": "spam", "comment": [c.pk for c in campaign]},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert set(Comment.objects.filter(pk__in=[c.pk for c in campaign]).values_list("status", flat=True)) == {
        Comment.Status.SPAM
    }
    events = ModerationEvent.objects.filter(comment__in=campaign, to_status=Comment.Status.SPAM)
    batches = set(events.values_list("batch", flat=True))
    assert len(batches) == 1
    assert None not in batches
    # Everything the undo of that batch would revert is exactly this group's decision.
    assert set(ModerationEvent.objects.filter(batch=batches.pop()).values_list("comment_id", flat=True)) == {
        c.pk for c in campaign
    }
    assert len(near_duplicate_groups()) == 1


def test_a_group_decision_skips_comments_decided_meanwhile(moderator_client, queue):
    campaign, _ = queue
    Comment.objects.filter(pk=campaign[0].pk).update(status=Comment.Status.APPROVED)
    moderator_client.post(
        reverse("admin:comments_comment_decide_group"),
        {"decision": "spam", "comment": [c.pk for c in campaign]},
    )
    assert Comment.objects.get(pk=campaign[0].pk).status == Comment.Status.APPROVED


def test_group_decisions_need_the_moderate_permission(client, django_user_model, queue):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    campaign, _ = queue
    response = client.post(
        reverse("admin:comments_comment_decide_group"), {"decision": "spam", "comment": [campaign[0].pk]}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Comment.objects.get(pk=campaign[0].pk).status == Comment.Status.PENDING


def test_only_queue_decisions_apply_to_groups(moderator_client, queue):
    campaign, _ = queue
    response = moderator_client.post(
        reverse("admin:comments_comment_decide_group"), {"decision": "block", "comment": [campaign[0].pk]}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
