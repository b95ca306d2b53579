import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import (
    Comment,
    CommenterRule,
    EmailSubscription,
    ModerationEvent,
    ModerationSettings,
    ReaderEmail,
)
from comments.personal_data import ERASED_NAME, ERASED_TEXT, personal_data_erase
from comments.services import comment_edit, comment_set_status
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

PERSONAL_DATA_URL = reverse("admin:comments_comment_personal_data")


@pytest.fixture
def commenter_comments(article):
    """Two comments by one commenter (the email typed in two cases), one by someone else."""
    first = CommentFactory(
        article=article,
        author_name="Grim",
        author_email="grim@example.org",
        author_url="https://grim.example",
        body="First words.",
        ip_address="198.51.100.7",
        user_agent="Firefox",
        reasons=[{"code": "blocked_ip", "text": "The IP address 198.51.100.7 is blocked."}],
    )
    second = CommentFactory(
        article=article, author_name="Grim", author_email="Grim@Example.org", body="Second words."
    )
    other = CommentFactory(article=article, author_email="other@example.org", ip_address="203.0.113.9")
    return first, second, other


def test_export_gives_every_comment_of_the_email_as_json_and_logs_it(admin_client, commenter_comments):
    first, second, other = commenter_comments
    CommenterRule.objects.create(
        action=CommenterRule.Action.TRUST, kind=CommenterRule.Kind.EMAIL, value="grim@example.org"
    )
    response = admin_client.post(PERSONAL_DATA_URL, {"email": "GRIM@example.org", "action": "export"})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Disposition"] == 'attachment; filename="personal-data.json"'
    data = json.loads(response.content)
    assert [c["id"] for c in data["comments"]] == [first.pk, second.pk]
    assert data["comments"][0] | {"posted_at": None} == {
        "id": first.pk,
        "article": first.article.title,
        "article_url": first.article.get_absolute_url(),
        "name": "Grim",
        "email": "grim@example.org",
        "website": "https://grim.example",
        "text": "First words.",
        "status": Comment.Status.APPROVED,
        "posted_at": None,
        "edited_at": None,
        "ip_address": "198.51.100.7",
        "user_agent": "Firefox",
    }
    assert data["commenter_rules"][0]["action"] == CommenterRule.Action.TRUST
    events = ModerationEvent.objects.filter(kind=ModerationEvent.Kind.EXPORT)
    assert sorted(events.values_list("comment_id", flat=True)) == [first.pk, second.pk]
    assert set(events.values_list("batch", flat=True)) == {None}  # no decision: nothing to undo
    assert set(events.values_list("actor_name", "article_title")) == {("admin", first.article.title)}
    assert not other.events.filter(kind=ModerationEvent.Kind.EXPORT).exists()


def test_erase_anonymises_the_commenter_keeps_the_text_and_logs_it(
    admin_client, commenter_comments, admin_user
):
    first, second, other = commenter_comments
    CommenterRule.objects.create(
        action=CommenterRule.Action.TRUST, kind=CommenterRule.Kind.EMAIL, value="grim@example.org"
    )
    response = admin_client.post(
        PERSONAL_DATA_URL, {"email": "grim@example.org", "action": "erase", "confirm": "on"}, follow=True
    )
    assert "from 2 comments" in response.content.decode()
    first.refresh_from_db()
    assert (first.author_name, first.author_email, first.author_url, first.ip_address, first.user_agent) == (
        ERASED_NAME,
        "",
        "",
        None,
        "",
    )
    assert first.body == "First words."
    assert first.status == Comment.Status.APPROVED
    assert "198.51.100.7" not in first.reason_text
    assert not Comment.objects.filter(author_email__iexact="grim@example.org").exists()
    event = first.events.get(kind=ModerationEvent.Kind.ERASE)
    assert event.actor == admin_user
    assert "the text stays" in event.reason
    assert not CommenterRule.objects.filter(value="grim@example.org").exists()
    other.refresh_from_db()
    assert other.ip_address == "203.0.113.9"


def test_erase_removes_the_text_too_when_the_site_says_so(admin_client, commenter_comments):
    first, *_ = commenter_comments
    comment_edit(comment=first, body="Edited words.", by=None)
    config = ModerationSettings.load()
    config.erasure_keeps_text = False
    config.save()
    admin_client.post(PERSONAL_DATA_URL, {"email": "grim@example.org", "action": "erase", "confirm": "on"})
    first.refresh_from_db()
    assert first.body == ERASED_TEXT
    assert first.status == Comment.Status.REMOVED
    assert not first.events.exclude(previous_body="").exists()  # the old text is gone from the log too
    event = first.events.get(kind=ModerationEvent.Kind.ERASE)
    assert (event.from_status, event.to_status) == (Comment.Status.APPROVED, Comment.Status.REMOVED)


def test_erase_needs_confirmation(admin_client, commenter_comments):
    response = admin_client.post(PERSONAL_DATA_URL, {"email": "grim@example.org", "action": "erase"})
    assert response.status_code == HTTPStatus.OK
    assert "Tick the box to confirm the erasure." in response.content.decode()
    assert Comment.objects.filter(author_email="grim@example.org").exists()


def test_moderators_cannot_export_or_erase(client, django_user_model, commenter_comments):
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    assert client.get(PERSONAL_DATA_URL).status_code == HTTPStatus.FORBIDDEN
    response = client.post(
        PERSONAL_DATA_URL, {"email": "grim@example.org", "action": "erase", "confirm": "on"}
    )
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Comment.objects.filter(author_email="grim@example.org").exists()


def test_old_addresses_and_browsers_are_erased_after_the_kept_days(article):
    now = timezone.now()
    old = CommentFactory(
        article=article,
        author_email="old@example.org",
        ip_address="198.51.100.1",
        user_agent="Old",
        created_at=now - timedelta(days=31),
    )
    recent = CommentFactory(
        article=article, ip_address="198.51.100.2", user_agent="New", created_at=now - timedelta(days=29)
    )
    subscription = EmailSubscription.objects.create(email="old@example.org")
    old_email = ReaderEmail.objects.create(
        subscription=subscription, kind=ReaderEmail.Kind.CONFIRM, ip_address="198.51.100.3"
    )
    ReaderEmail.objects.filter(pk=old_email.pk).update(created_at=now - timedelta(days=31))
    config = ModerationSettings.load()
    config.personal_data_days = 30
    config.save()
    call_command("erase_old_personal_data", verbosity=0)
    old.refresh_from_db()
    recent.refresh_from_db()
    old_email.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (recent.ip_address, recent.user_agent) == ("198.51.100.2", "New")
    assert old_email.ip_address is None
    assert old.author_email == "old@example.org"  # only the client data goes


def test_the_tool_is_linked_from_the_comments_list_for_those_who_may_use_it(
    admin_client, client, django_user_model
):
    changelist = reverse("admin:comments_comment_changelist")
    assert PERSONAL_DATA_URL in admin_client.get(changelist).content.decode()
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    assert PERSONAL_DATA_URL not in client.get(changelist).content.decode()


def test_only_those_handling_personal_data_change_how_long_it_is_kept(client, django_user_model):
    moderator = django_user_model.objects.create_user("mod", is_staff=True)
    moderator.groups.add(Group.objects.get(name="Moderators"))
    client.force_login(moderator)
    form = client.get(reverse("admin:comments_moderationsettings_change", args=[1])).context["adminform"].form
    assert "personal_data_days" not in form.fields
    assert "erasure_keeps_text" not in form.fields
    assert "flood_max_comments" in form.fields


def test_an_erasure_leaves_no_trace_on_pages_threads_or_counts(django_capture_on_commit_callbacks):
    """Regression: erasing bypassed the services, so cached pages, rendered text, threads and counts kept it."""
    parent = CommentFactory(author_name="Secret Person", author_email="sp@example.org", body="Secret words.")
    reply = CommentFactory(article=parent.article, parent=parent, author_name="Other", body="A reply.")
    reply.refresh_from_db()
    assert reply.thread_root_id == parent.pk
    reader = Client()
    assert "Secret Person" in reader.get(parent.article.get_absolute_url()).content.decode()  # now cached
    with django_capture_on_commit_callbacks(execute=True):
        personal_data_erase(email="sp@example.org", by=None, keep_text=False)
    parent.refresh_from_db()
    reply.refresh_from_db()
    parent.article.refresh_from_db()
    assert "Secret words." not in parent.body_html
    assert reply.thread_root_id is None  # the reply starts its own thread, shown top-level
    assert (parent.article.comment_count, parent.article.comment_thread_count) == (1, 1)
    html = Client().get(parent.article.get_absolute_url()).content.decode()
    assert "Secret Person" not in html
    assert "A reply." in html
    comment_set_status(comment=parent, to=Comment.Status.APPROVED, by=None)  # re-approved by mistake
    parent.refresh_from_db()
    assert "Secret words." not in parent.body_html
