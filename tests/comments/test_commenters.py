"""Commenters' standing (trust, always hold, suspend, block with expiry), notes, and their page in the admin."""

from datetime import timedelta
from http import HTTPStatus
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from comments.models import Comment, CommenterNote, CommenterRule
from comments.moderation import Submission
from comments.services import CommenterSuspended, comment_submit, commenter_set_standing
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

EMAIL = "grim@example.org"


def submit(article, now=None, **overrides):
    values = {"name": "Grim", "email": EMAIL, "body": "Text.", "ip_address": "198.51.100.1", "form_age": 30}
    return comment_submit(article=article, submission=Submission(**(values | overrides)), now=now)


def standing(action, until=None, kind="email", value=EMAIL):
    return commenter_set_standing(kind=kind, value=value, action=action, until=until, by=None)


def commenter_url(**query):
    return reverse("admin:comments_commenter") + "?" + urlencode(query)


def test_a_suspension_refuses_comments_until_it_ends(article):
    until = timezone.now() + timedelta(hours=1)
    standing(CommenterRule.Action.SUSPEND, until)
    with pytest.raises(CommenterSuspended) as refused:
        submit(article)
    assert refused.value.until == until
    assert submit(article, now=until + timedelta(seconds=1)).status == Comment.Status.PENDING


def test_a_suspension_by_ip_refuses_any_email(article):
    standing(
        CommenterRule.Action.SUSPEND, timezone.now() + timedelta(days=1), kind="ip", value="198.51.100.1"
    )
    with pytest.raises(CommenterSuspended):
        submit(article, email="new@example.org")


def test_a_suspended_reader_gets_the_form_back_with_the_date(post, article):
    until = timezone.now() + timedelta(days=7)
    standing(CommenterRule.Action.SUSPEND, until)
    response = post(article, body="My careful words.")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "My careful words." in html
    assert (
        f"You cannot post comments until {date_format(timezone.localtime(until), 'DATETIME_FORMAT')}" in html
    )
    assert not Comment.objects.exists()


def test_a_block_with_an_expiry_lapses(article):
    standing(CommenterRule.Action.BLOCK, timezone.now() + timedelta(days=1))
    assert submit(article, body="one").status == Comment.Status.SPAM
    later = timezone.now() + timedelta(days=1, seconds=1)
    assert submit(article, body="two", now=later).status == Comment.Status.PENDING


def test_always_hold_overrides_trust_of_known_commenters(article, config):
    config.policy = config.Policy.APPROVE_KNOWN
    config.save()
    CommentFactory(author_name="Grim", author_email=EMAIL, ip_address="198.51.100.1")
    assert submit(article, body="one").status == Comment.Status.APPROVED
    standing(CommenterRule.Action.HOLD)
    comment = submit(article, body="two")
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons[0]["code"] == "commenter_held"


def test_trust_from_the_commenter_page(admin_client, article):
    CommentFactory(
        author_name="Grim", author_email=EMAIL, ip_address="198.51.100.1"
    )  # trust needs a known network
    admin_client.post(commenter_url(email=EMAIL), {"action": "trust"})
    assert submit(article).status == Comment.Status.APPROVED


@pytest.mark.parametrize(("action", "hours"), [("suspend_1h", 1), ("suspend_1d", 24), ("suspend_7d", 168)])
def test_suspensions_from_the_commenter_page(admin_client, action, hours):
    response = admin_client.post(commenter_url(email="Grim@Example.org"), {"action": action}, follow=True)
    assert "Suspended until" in response.content.decode()
    rule = CommenterRule.objects.get()
    assert (rule.value, rule.action) == (EMAIL, CommenterRule.Action.SUSPEND)
    assert abs(rule.expires_at - timezone.now() - timedelta(hours=hours)) < timedelta(minutes=1)


def test_block_from_the_commenter_page_with_and_without_expiry(admin_client):
    admin_client.post(commenter_url(ip="192.0.2.4"), {"action": "block", "block_for": "7d"})
    rule = CommenterRule.objects.get()
    assert (rule.kind, rule.action) == ("ip", CommenterRule.Action.BLOCK)
    assert rule.expires_at > timezone.now() + timedelta(days=6)
    admin_client.post(commenter_url(ip="192.0.2.4"), {"action": "block", "block_for": ""})
    assert CommenterRule.objects.get().expires_at is None
    admin_client.post(commenter_url(ip="192.0.2.4"), {"action": "clear"})
    assert not CommenterRule.objects.exists()


def test_notes_are_added_and_read(admin_client, admin_user):
    url = commenter_url(email=EMAIL)
    admin_client.post(url, {"action": "note", "body": "Warned about <b>insults</b> on 3 May."})
    note = CommenterNote.objects.get()
    assert (note.value, note.created_by) == (EMAIL, admin_user)
    html = admin_client.get(url).content.decode()
    assert "Warned about &lt;b&gt;insults&lt;/b&gt; on 3 May." in html


def test_an_empty_note_is_refused_with_a_message(admin_client):
    response = admin_client.post(commenter_url(email=EMAIL), {"action": "note", "body": "  "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Write the note before adding it." in response.content.decode()
    assert not CommenterNote.objects.exists()


def test_remove_all_is_one_undoable_decision(admin_client):
    theirs = [CommentFactory(author_email=EMAIL, status=s) for s in ("approved", "pending", "spam")]
    response = admin_client.post(commenter_url(email=EMAIL), {"action": "remove_all"}, follow=True)
    assert "Removed 2 comments." in response.content.decode()
    assert [Comment.objects.get(pk=c.pk).status for c in theirs] == ["removed", "removed", "spam"]
    admin_client.post(reverse("admin:comments_comment_undo"))
    assert [Comment.objects.get(pk=c.pk).status for c in theirs] == ["approved", "pending", "spam"]


def test_the_page_shows_comments_decisions_names_and_addresses(admin_client, admin_user):
    first = CommentFactory(author_email=EMAIL, author_name="Grim", ip_address="192.0.2.1", body="First words")
    CommentFactory(
        author_email=EMAIL, author_name="Grim the Second", ip_address="192.0.2.2", status="pending"
    )
    admin_client.post(reverse("admin:comments_comment_moderate", args=[first.pk, "spam"]))
    html = admin_client.get(commenter_url(email=EMAIL)).content.decode()
    assert "First words" in html
    assert "Grim, Grim the Second" in html
    assert "192.0.2.1" in html
    assert "192.0.2.2" in html
    assert f"<td>{admin_user.username}</td>" in html
    assert "approved → spam" in html
    by_ip = admin_client.get(commenter_url(ip="192.0.2.1")).content.decode()
    assert EMAIL in by_ip


@pytest.mark.parametrize("size", [1, 30])
def test_the_page_costs_the_same_queries_whatever_their_history(
    admin_client, django_assert_max_num_queries, size
):
    for comment in CommentFactory.create_batch(size, author_email=EMAIL, status="pending"):
        CommenterNote.objects.create(kind="email", value=EMAIL, body=f"note {comment.pk}")
    with django_assert_max_num_queries(14):
        assert admin_client.get(commenter_url(email=EMAIL)).status_code == HTTPStatus.OK


def test_reachable_from_every_queue_row_and_the_review_card(admin_client):
    comment = CommentFactory(author_email=EMAIL, ip_address="192.0.2.8", status="pending")
    assert (
        commenter_url(email=EMAIL).replace("&", "&amp;")
        in admin_client.get(reverse("admin:comments_comment_changelist")).content.decode()
    )
    card = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk])).content.decode()
    assert commenter_url(email=EMAIL) in card
    assert commenter_url(ip="192.0.2.8") in card


def test_staff_without_moderation_cannot_act_on_commenters(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    assert client.get(commenter_url(email=EMAIL)).status_code == HTTPStatus.OK
    assert client.post(commenter_url(email=EMAIL), {"action": "trust"}).status_code == HTTPStatus.FORBIDDEN
    assert not CommenterRule.objects.exists()
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    client.post(commenter_url(email=EMAIL), {"action": "note", "body": "Seen before."})
    assert CommenterNote.objects.exists()
