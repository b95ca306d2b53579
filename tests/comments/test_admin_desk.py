"""The moderation queue as a desk: answers for the keyboard script, undo, picks, the Reported queue, bulk counts."""

import re
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.urls import reverse

from comments.models import Comment, CommentReport, ModerationEvent
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:comments_comment_changelist")
JSON = {"HTTP_ACCEPT": "application/json"}


def moderate(pk, decision):
    return reverse("admin:comments_comment_moderate", args=[pk, decision])


@pytest.fixture
def moderator_client(client, django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(user)
    return client


def test_a_decision_by_fetch_answers_json_and_can_be_undone_by_z(moderator_client):
    comment = CommentFactory(status=Comment.Status.PENDING, author_name="Grim")
    answer = moderator_client.post(moderate(comment.pk, "spam"), **JSON).json()
    assert answer["changed"] is True
    assert answer["status"] == "Spam"
    assert answer["message"] == "Marked as spam 1 comment (by Grim)."
    undo = moderator_client.post(reverse("admin:comments_comment_undo"), {"batch": ""}, **JSON)
    assert undo.status_code == HTTPStatus.OK
    assert undo.json()["restored"] == {str(comment.pk): "Pending"}
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    again = moderator_client.post(reverse("admin:comments_comment_undo"), {"batch": ""}, **JSON)
    assert again.status_code == HTTPStatus.CONFLICT


def test_z_walks_back_through_the_moderators_decisions(moderator_client):
    first, second = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    moderator_client.post(moderate(first.pk, "approve"), **JSON)
    moderator_client.post(moderate(second.pk, "remove"), **JSON)
    for _ in range(2):
        moderator_client.post(reverse("admin:comments_comment_undo"), **JSON)
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


def test_a_bulk_decision_by_fetch_is_one_batch_and_the_queue_offers_its_undo(moderator_client):
    comments = CommentFactory.create_batch(12, status=Comment.Status.PENDING)
    answer = moderator_client.post(
        CHANGELIST + "?status=pending",
        {"action": "approve", "index": "0", "_selected_action": [c.pk for c in comments]},
        **JSON,
    ).json()
    assert answer["message"] == "Approved 12 comments."
    assert ModerationEvent.objects.filter(batch=answer["batch"]).count() == 12
    html = moderator_client.get(CHANGELIST).content.decode()
    assert re.search(
        r'<span id="mq-undo-text">Approved 12 comments.</span>\s*<button type="submit" class="button">Undo',
        html,
    )
    response = moderator_client.post(
        reverse("admin:comments_comment_undo"),
        {"batch": answer["batch"], "next": CHANGELIST + "?status=approved"},
    )
    assert response["Location"] == CHANGELIST + "?status=approved"
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}


def test_a_selection_across_pages_shows_its_count_before_it_runs(moderator_client):
    CommentFactory.create_batch(3, status=Comment.Status.PENDING, ip_address="192.0.2.50")
    CommentFactory(status=Comment.Status.PENDING, ip_address="192.0.2.51")
    url = CHANGELIST + "?status=pending&q=192.0.2.50"
    data = {"action": "spam", "index": "0", "select_across": "1", "_selected_action": ["1"]}
    response = moderator_client.post(url, data)
    assert "this touches <strong>3 comments</strong>" in response.content.decode()
    assert not Comment.objects.filter(status=Comment.Status.SPAM).exists()
    moderator_client.post(url, {**data, "confirm": "yes"})
    assert Comment.objects.filter(status=Comment.Status.SPAM).count() == 3


def test_feature_from_the_queue_approves_and_picks_and_the_card_can_unpick(
    moderator_client, django_user_model
):
    comment = CommentFactory(status=Comment.Status.PENDING)
    html = moderator_client.get(CHANGELIST).content.decode()
    assert f'formaction="{moderate(comment.pk, "feature")}"' in html
    moderator_client.post(moderate(comment.pk, "feature"))
    comment.refresh_from_db()
    assert (comment.status, comment.featured) == (Comment.Status.APPROVED, True)
    assert comment.events.filter(kind=ModerationEvent.Kind.FEATURE).get().actor.username == "mod"
    card = moderator_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert moderate(comment.pk, "unfeature") in card
    assert moderate(comment.pk, "feature") not in card
    moderator_client.post(moderate(comment.pk, "unfeature"))
    comment.refresh_from_db()
    assert comment.featured is False


def test_the_review_card_undoes_a_recent_decision_with_its_size(moderator_client):
    comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    moderator_client.post(
        CHANGELIST, {"action": "remove", "index": "0", "_selected_action": [c.pk for c in comments]}
    )
    card_url = reverse("admin:comments_comment_change", args=[comments[0].pk])
    card = moderator_client.get(card_url).content.decode()
    batch = ModerationEvent.objects.filter(comment=comments[0]).latest("id").batch
    assert f'name="batch" value="{batch}"' in card
    assert "Undo (3 comments)" in card
    moderator_client.post(reverse("admin:comments_comment_undo") + f"?next={card_url}", {"batch": str(batch)})
    assert set(Comment.objects.values_list("status", flat=True)) == {Comment.Status.PENDING}
    assert 'name="batch"' not in moderator_client.get(card_url).content.decode()


def test_the_reported_queue_shows_readers_reasons_and_mark_as_reviewed(moderator_client):
    reported = CommentFactory(status=Comment.Status.APPROVED, body="Reported words")
    CommentFactory(status=Comment.Status.APPROVED, body="Quiet words")
    for network, reason in [
        ("192.0.2.0/24", "spam"),
        ("198.51.100.0/24", "spam"),
        ("203.0.113.0/24", "abuse"),
    ]:
        CommentReport.objects.create(comment=reported, network=network, reason=reason)
    html = moderator_client.get(CHANGELIST + "?status=reported").content.decode()
    assert 'Reported <span class="count">(1)</span>' in html
    assert "Reported words" in html
    assert "Quiet words" not in html
    assert "Reported: Spam ×2, Abusive or hateful ×1" in html
    assert f'formaction="{moderate(reported.pk, "reviewed")}"' in html
    moderator_client.post(moderate(reported.pk, "reviewed"))
    reported.refresh_from_db()
    assert reported.status == Comment.Status.APPROVED
    assert not Comment.objects.reported().exists()
    assert reported.reports.filter(reviewed_by__username="mod").count() == 3


def test_approving_a_reported_comment_clears_its_reports(moderator_client):
    comment = CommentFactory(status=Comment.Status.APPROVED)
    CommentReport.objects.create(comment=comment, network="192.0.2.0/24", reason="spam")
    assert moderator_client.post(moderate(comment.pk, "approve"), **JSON).json()["changed"] is True
    assert not Comment.objects.reported().exists()


def test_moderators_reach_moderation_and_nothing_else(moderator_client):
    comment = CommentFactory(status=Comment.Status.PENDING, author_email="x@example.org")
    for url in [
        CHANGELIST,
        CHANGELIST + "?status=reported",
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:comments_commenter") + "?email=x@example.org",
        reverse("admin:comments_moderationevent_changelist"),
        reverse("admin:comments_commentreport_changelist"),
        reverse("admin:comments_commenterrule_changelist"),
        reverse("admin:comments_moderationsettings_change", args=[1]),
    ]:
        assert moderator_client.get(url).status_code == HTTPStatus.OK, url
    for name in [
        "admin:articles_article_changelist",
        "admin:articles_author_changelist",
        "admin:auth_user_changelist",
        "admin:auth_group_changelist",
        "admin:tags_tag_changelist",
        "admin:donations_sitesettings_changelist",
        "admin:donations_donationclick_changelist",
        "admin-insights",
    ]:
        assert moderator_client.get(reverse(name)).status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND), (
            name
        )
    assert moderator_client.post(moderate(comment.pk, "approve")).status_code == HTTPStatus.FOUND


def test_no_inline_styles_or_scripts_in_the_desk_templates(moderator_client):
    comment = CommentFactory(status=Comment.Status.PENDING, author_email="x@example.org")
    pages = [
        CHANGELIST,
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:comments_commenter") + "?email=x@example.org",
    ]
    for url in pages:
        html = moderator_client.get(url).content.decode()
        assert "<style" not in html, url
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), url  # every script is a static file
    templates = Path(settings.BASE_DIR, "templates", "admin", "comments").rglob("*.html")
    for template in templates:
        assert " style=" not in template.read_text(), template


def test_the_help_lists_every_key(moderator_client):
    html = moderator_client.get(CHANGELIST).content.decode()
    for key in ["j", "k", "a", "s", "d", "u", "z", "f", "x", "Enter", "?"]:
        assert f"<kbd>{key}</kbd>" in html
