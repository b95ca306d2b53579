"""Reply notifications and decision notices, through the real comment form, the admin and the email links."""

import re
import smtplib
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from comments import notifications
from comments.models import Comment, EmailSubscription, ReaderEmail, ReplyNotice
from comments.services import comment_set_status
from tests.factories import CommentFactory, trusted_commenter

pytestmark = pytest.mark.django_db

Status = Comment.Status
ALICE = "alice@example.org"


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a request or a write, then what it scheduled for after commit (tasks run at once in tests)."""

    def run(call, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(*args, **kwargs)

    return run


@pytest.fixture
def say(comment_data, committed):
    """Post the article's comment form from a reader's own browser (a client of their own) and IP."""

    def post(browser, article, email, ip="198.51.100.20", **fields):
        data = comment_data(article, **{"email": email, "name": email.split("@")[0].title(), **fields})
        return committed(browser.post, reverse("comments:post", args=[article.pk]), data, REMOTE_ADDR=ip)

    return post


@pytest.fixture
def decide(admin_client, committed):
    """A moderator's one-click decision in the queue."""

    def click(comment, decision="approve"):
        url = reverse("admin:comments_comment_moderate", args=[comment.pk, decision])
        return committed(admin_client.post, url)

    return click


def mails_to(address):
    return [message for message in mail.outbox if message.to == [address]]


def link(message, name):
    """The path of the site link of that kind (confirm, unsubscribe) in an email."""
    match = re.search(rf"https?://\S+(/comments/email/{name}/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def permalinks(message):
    return re.findall(r"https?://\S+?(/comments/\d+/)", message.body)


@pytest.fixture
def alice(article, say, committed):
    """Alice commented with "email me about replies" and confirmed; her comment is published."""
    browser = Client()
    say(browser, article, ALICE, notify_replies="on")
    committed(browser.post, link(mails_to(ALICE)[-1], "confirm"))
    comment = Comment.objects.get(author_email=ALICE)
    committed(comment_set_status, comment=comment, to=Status.APPROVED, by=None)
    mail.outbox.clear()
    return comment


def reply_to(parent, status=Status.APPROVED, **fields):
    return CommentFactory(article=parent.article, parent=parent, status=status, **fields)


def approve(committed, *comments):
    """Approve several replies in one transaction, as a bulk action does."""

    def approve_all():
        for comment in comments:
            comment_set_status(comment=comment, to=Status.APPROVED, by=None)

    committed(approve_all)


def test_opt_in_confirm_reply_approved_then_email(article, say, decide, client):
    alice_browser, bob_browser = Client(), Client()
    say(alice_browser, article, ALICE, notify_replies="on")
    parent = Comment.objects.get()
    assert parent.notify_replies
    (confirmation,) = mails_to(ALICE)
    assert "Please confirm" in confirmation.subject
    assert f"“{article.title}”" in confirmation.body

    confirm_url = link(confirmation, "confirm")
    page = alice_browser.get(confirm_url)
    assert page.status_code == HTTPStatus.OK
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.UNCONFIRMED  # a GET is no yes
    assert alice_browser.post(confirm_url).status_code == HTTPStatus.FOUND
    assert EmailSubscription.objects.get(email=ALICE).status == EmailSubscription.Status.CONFIRMED
    assert "Your address is confirmed" in alice_browser.get(confirm_url).content.decode()

    decide(parent)
    say(
        bob_browser,
        article,
        "bob@example.org",
        parent=str(parent.pk),
        body="I disagree <b>entirely</b> & so?",
    )
    reply = Comment.objects.get(author_email="bob@example.org")
    assert reply.parent == parent
    assert reply.status == Status.PENDING
    assert len(mails_to(ALICE)) == 1  # nothing for a held reply

    decide(reply)
    message = mails_to(ALICE)[-1]
    assert message.subject == "Bob replied to your comment on Long War Journal"
    assert "> I disagree <b>entirely</b> & so?" in message.body  # plain text, as typed
    assert message.content_subtype == "plain"
    assert not getattr(message, "alternatives", [])
    assert "bob@example.org" not in message.body
    assert permalinks(message) == [reverse("comments:permalink", args=[reply.pk])]
    landing = client.get(permalinks(message)[0])
    assert landing["Location"] == f"{article.get_absolute_url()}#comment-{reply.pk}"


def test_every_email_has_one_click_unsubscribe_headers(alice, committed):
    approve(committed, reply_to(alice, status=Status.PENDING))
    (message,) = mails_to(ALICE)
    unsubscribe_url = link(message, "unsubscribe")
    assert message.extra_headers["List-Unsubscribe"] == f"<http://127.0.0.1:8000{unsubscribe_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Unsubscribe" in message.message().as_string()


def test_one_click_unsubscribe_without_login_or_csrf_stops_all_email(alice, article, say, committed):
    approve(committed, reply_to(alice, status=Status.PENDING))
    unsubscribe_url = link(mails_to(ALICE)[0], "unsubscribe")
    mail_provider = Client(enforce_csrf_checks=True)
    assert "Unsubscribe" in mail_provider.get(unsubscribe_url).content.decode()
    assert (
        EmailSubscription.objects.get().status == EmailSubscription.Status.CONFIRMED
    )  # a GET changes nothing
    response = committed(mail_provider.post, unsubscribe_url, {"List-Unsubscribe": "One-Click"})
    assert response.status_code == HTTPStatus.OK
    assert "You are unsubscribed" in response.content.decode()
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.UNSUBSCRIBED
    mail.outbox.clear()

    approve(committed, reply_to(alice, status=Status.PENDING))
    say(Client(), article, ALICE, ip="198.51.100.30", body="Again, please.", notify_replies="on")
    say(Client(), article, ALICE, ip="198.51.100.31", body="Tell me.", notify_decision="on")
    decide_all = Comment.objects.filter(author_email=ALICE, status=Status.PENDING)
    approve(committed, *decide_all)
    assert mails_to(ALICE) == []


def test_unsubscribed_address_confirms_afresh_from_the_unsubscribe_page(alice, committed):
    approve(committed, reply_to(alice, status=Status.PENDING))
    unsubscribe_url = link(mails_to(ALICE)[0], "unsubscribe")
    browser = Client()
    page = committed(browser.post, unsubscribe_url).content.decode()
    resubscribe_url = re.search(r'action="(/comments/email/confirm/[^"]+/)"', page).group(1)
    committed(browser.post, resubscribe_url)
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.CONFIRMED
    mail.outbox.clear()
    approve(committed, reply_to(alice, status=Status.PENDING))
    assert len(mails_to(ALICE)) == 1


def test_confirmation_link_dies_with_an_unsubscribe(article, say, committed):
    browser = Client()
    say(browser, article, ALICE, notify_replies="on")
    confirm_url = link(mails_to(ALICE)[0], "confirm")
    committed(browser.post, link(mails_to(ALICE)[0], "unsubscribe"))
    response = committed(browser.post, confirm_url)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Confirmation links work for 3 days" in response.content.decode()
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.UNSUBSCRIBED


def test_signed_links_cannot_be_forged_or_moved_to_another_address(article, client):
    alice_address = EmailSubscription.objects.create(email=ALICE)
    other = EmailSubscription.objects.create(email="other@example.org")
    token = notifications.unsubscribe_token(alice_address)
    moved = signing.dumps(other.pk, salt="wrong salt")
    for forged in (token[:-2] + "xx", moved, notifications.confirm_token(other), "garbage"):
        response = client.post(reverse("comments:unsubscribe", args=[forged]))
        assert response.status_code == HTTPStatus.BAD_REQUEST
    assert not EmailSubscription.objects.filter(status=EmailSubscription.Status.UNSUBSCRIBED).exists()
    assert client.post(reverse("comments:unsubscribe", args=[token])).status_code == HTTPStatus.OK
    assert set(EmailSubscription.objects.values_list("email", "status")) == {
        (ALICE, EmailSubscription.Status.UNSUBSCRIBED),
        ("other@example.org", EmailSubscription.Status.UNCONFIRMED),
    }


def test_confirmation_link_expires_after_three_days(monkeypatch, client):
    subscription = EmailSubscription.objects.create(email=ALICE)
    four_days_ago = timezone.now().timestamp() - 4 * 24 * 3600
    monkeypatch.setattr(signing.time, "time", lambda: four_days_ago)
    token = notifications.confirm_token(subscription)
    monkeypatch.undo()
    response = client.post(reverse("comments:confirm", args=[token]))
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.UNCONFIRMED


def test_confirmation_email_says_when_its_link_expires(article, say):
    say(Client(), article, ALICE, notify_replies="on")
    expires = timezone.localtime() + timedelta(days=3)
    assert f"The link works until {expires:%B} {expires.day}, {expires.year}" in mails_to(ALICE)[0].body


def test_confirmed_address_is_not_asked_again(alice, article, say):
    say(Client(), article, ALICE, body="Another thought.", notify_replies="on")
    assert mails_to(ALICE) == []
    assert Comment.objects.get(body="Another thought.").notify_replies


def test_nothing_for_held_spam_removed_or_own_replies(alice, committed):
    reply_to(alice, status=Status.PENDING)
    spam = reply_to(alice, status=Status.PENDING)
    removed = reply_to(alice, status=Status.PENDING)
    own = reply_to(alice, status=Status.PENDING, author_email="Alice@Example.org ")

    def decide_each():
        comment_set_status(comment=spam, to=Status.SPAM, by=None)
        comment_set_status(comment=removed, to=Status.REMOVED, by=None)
        comment_set_status(comment=own, to=Status.APPROVED, by=None)

    committed(decide_each)
    assert mails_to(ALICE) == []


def test_replies_wait_for_the_address_to_confirm(article, say, committed):
    browser = Client()
    say(browser, article, ALICE, notify_replies="on")
    parent = Comment.objects.get()
    committed(comment_set_status, comment=parent, to=Status.APPROVED, by=None)
    confirm_url = link(mails_to(ALICE)[0], "confirm")
    reply = reply_to(parent, status=Status.PENDING)
    approve(committed, reply)
    assert len(mails_to(ALICE)) == 1  # the confirmation request only
    committed(browser.post, confirm_url)
    assert permalinks(mails_to(ALICE)[-1]) == [reverse("comments:permalink", args=[reply.pk])]


def test_comment_without_the_box_gets_no_reply_email(article, committed):
    EmailSubscription.objects.create(email=ALICE, status=EmailSubscription.Status.CONFIRMED)
    parent = CommentFactory(article=article, author_email=ALICE)
    approve(committed, reply_to(parent, status=Status.PENDING))
    assert mail.outbox == []


def test_a_burst_approved_together_is_one_email(alice, committed):
    replies = [reply_to(alice, status=Status.PENDING, body=f"Reply {n}.") for n in range(3)]
    approve(committed, *replies)
    (message,) = mails_to(ALICE)
    assert message.subject == "3 new replies to your comments on Long War Journal"
    assert permalinks(message) == [reverse("comments:permalink", args=[reply.pk]) for reply in replies]
    assert ReplyNotice.objects.filter(sent_at=None).count() == 0


def test_a_reply_approved_again_after_reports_is_not_sent_twice(alice, committed):
    reply = reply_to(alice, status=Status.PENDING)
    approve(committed, reply)
    committed(comment_set_status, comment=reply, to=Status.PENDING, by=None)
    approve(committed, reply)
    assert len(mails_to(ALICE)) == 1


def test_replies_within_minutes_go_out_as_one_email_from_the_worker(alice, committed, settings, monkeypatch):
    """With the real (database) task backend, each approval schedules the send REPLY_BURST later; the first
    send takes every reply noted by then, the others find nothing left."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    # The worker checks its connection between tasks; inside this test's transaction it must keep it.
    monkeypatch.setattr("django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None)

    def run_worker_as_if_later():
        DBTaskResult.objects.update(run_after=timezone.now() - timedelta(seconds=1))
        call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", verbosity=0)

    burst = [reply_to(alice, status=Status.PENDING) for _ in range(3)]
    for reply in burst:
        approve(committed, reply)  # three separate decisions
    scheduled = DBTaskResult.objects.all()
    assert scheduled.count() == 3
    assert all(task.run_after > timezone.now() + timedelta(minutes=4) for task in scheduled)
    assert mails_to(ALICE) == []

    run_worker_as_if_later()
    (message,) = mails_to(ALICE)
    assert len(permalinks(message)) == 3

    approve(committed, reply_to(alice, status=Status.PENDING))
    run_worker_as_if_later()
    assert len(mails_to(ALICE)) == 2
    assert len(permalinks(mails_to(ALICE)[1])) == 1


def test_box_without_an_email_gives_the_form_back_with_the_text(article, say):
    response = say(Client(), article, "", name="Alice", notify_replies="on", body="My careful words.")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    html = response.content.decode()
    assert "Leave your email address to be told about replies" in html
    assert "My careful words." in html
    assert Comment.objects.count() == 0


def test_staff_without_an_email_address_are_told_to_add_one(admin_client, admin_user, article, comment_data):
    admin_user.email = ""
    admin_user.save()
    data = comment_data(article, body="Staff words.", notify_replies="on")
    response = admin_client.post(reverse("comments:post", args=[article.pk]), data)
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Your account has no email address" in response.content.decode()
    assert "Staff words." in response.content.decode()


def test_spam_comment_asks_no_confirmation(article, say):
    say(Client(), article, ALICE, notify_replies="on", honeypot="bot")
    assert Comment.objects.get().status == Status.SPAM
    assert mails_to(ALICE) == []


def test_confirmations_are_limited_per_address(article, say, config):
    """One an hour (a reader posting twice in a row is asked once), three a day."""
    config.flood_max_comments = 10
    config.save()
    for n in range(3):
        say(Client(), article, ALICE, ip=f"198.51.100.{n + 1}", body=f"Thought {n}.", notify_replies="on")
    assert len(mails_to(ALICE)) == 1
    ReaderEmail.objects.update(created_at=timezone.now() - timedelta(hours=2))
    for n in range(3, 6):
        say(Client(), article, ALICE, ip=f"198.51.100.{n + 1}", body=f"Thought {n}.", notify_replies="on")
        ReaderEmail.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert len(mails_to(ALICE)) == 3


def test_confirmations_and_notices_are_limited_per_ip(article):
    """One address asking for many others' confirmations is stopped after IP_LIMIT emails an hour."""
    most, _ = notifications.IP_LIMIT
    comments = [
        CommentFactory(article=article, author_email=f"victim{n}@example.org", notify_replies=True)
        for n in range(most + 2)
    ]
    for comment in comments:
        notifications.send_confirmation(comment.pk)
    assert len(mail.outbox) == most
    assert ReaderEmail.objects.filter(ip_address="203.0.113.7").count() == most


def test_reply_notices_are_limited_per_replier_ip(alice, committed, monkeypatch):
    monkeypatch.setattr(notifications, "REPLY_IP_LIMIT", (2, timedelta(hours=1)))
    approve(committed, *[reply_to(alice, status=Status.PENDING) for _ in range(4)])
    (message,) = mails_to(ALICE)
    assert len(permalinks(message)) == 2


class RefusingBackend(EmailBackend):
    """A mail server that refuses the recipient with the code in `code`."""

    code = 550

    def send_messages(self, messages):
        raise smtplib.SMTPRecipientsRefused({messages[0].to[0]: (self.code, b"5.1.1 No such user")})


def test_address_that_bounces_is_never_emailed_again(alice, committed, settings):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.RefusingBackend"
    approve(committed, reply_to(alice, status=Status.PENDING))
    subscription = EmailSubscription.objects.get()
    assert subscription.status == EmailSubscription.Status.BOUNCED
    assert subscription.note == "550 5.1.1 No such user"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    approve(committed, reply_to(alice, status=Status.PENDING))
    notice = reply_to(alice, status=Status.PENDING, notify_decision=True, author_email=ALICE)
    approve(committed, notice)
    assert mails_to(ALICE) == []


def test_a_passing_refusal_is_retried_not_a_bounce(article, settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.RefusingBackend"
    monkeypatch.setattr(RefusingBackend, "code", 451)
    comment = CommentFactory(article=article, author_email=ALICE, notify_replies=True)
    with pytest.raises(smtplib.SMTPRecipientsRefused):  # the task tries again later (retry_later)
        notifications.send_confirmation(comment.pk)
    assert EmailSubscription.objects.get().status == EmailSubscription.Status.UNCONFIRMED


# Decision notices


def test_author_who_asked_is_told_once_when_published(article, say, decide):
    say(Client(), article, ALICE, notify_decision="on")
    comment = Comment.objects.get()
    decide(comment)
    (message,) = mails_to(ALICE)
    assert message.subject == f"Your comment on “{article.title}” is published"
    assert permalinks(message) == [reverse("comments:permalink", args=[comment.pk])]
    assert link(message, "unsubscribe")
    decide(comment, "pending")
    decide(comment)
    decide(comment, "remove")
    assert len(mails_to(ALICE)) == 1


def test_author_is_told_politely_when_not_published_without_the_rule(article, say, decide, config):
    config.moderation_words = "secret sauce"
    config.save()
    say(Client(), article, ALICE, notify_decision="on", body="My secret sauce recipe.")
    decide(Comment.objects.get(), "remove")
    (message,) = mails_to(ALICE)
    assert message.subject == f"About your comment on “{article.title}”"
    assert "decided not to publish it: its wording did not fit our discussion guidelines." in message.body
    assert "secret sauce”" not in message.body
    assert "moderation word" not in message.body
    assert "> My secret sauce recipe." in message.body  # their own text, to keep


@pytest.mark.parametrize("decision", ["spam", "block"])
def test_no_notice_for_spam(article, say, decide, decision):
    say(Client(), article, ALICE, notify_decision="on")
    decide(Comment.objects.get(), decision)
    assert mails_to(ALICE) == []


def test_no_notice_when_approved_at_once_or_not_asked(article, say, decide):
    trusted_commenter(ALICE, ip_address="198.51.100.20", name="Alice")
    say(Client(), article, ALICE, notify_decision="on")
    assert Comment.objects.get(article=article, author_email=ALICE).status == Status.APPROVED
    say(Client(), article, "bob@example.org", ip="198.51.100.9")
    decide(Comment.objects.get(author_email="bob@example.org"))
    assert mails_to(ALICE) == mails_to("bob@example.org") == []


def test_posting_with_the_boxes_says_what_happens_next(article, say):
    response = say(Client(), article, ALICE, notify_replies="on", notify_decision="on")
    page = Client().get(response["Location"])  # another browser: no messages
    assert "look for our email" not in page.content.decode()
    browser = Client()
    response = say(
        browser, article, "bob@example.org", body="Other.", notify_replies="on", notify_decision="on"
    )
    html = browser.get(response["Location"]).content.decode()
    assert "We will email you once a moderator has decided on it." in html
    assert "look for our email with a link to confirm it (the link works for 3 days)" in html


def test_reader_email_urls_reverse_and_resolve():
    assert reverse("comments:confirm", args=["a:b:c"]) == "/comments/email/confirm/a:b:c/"
    assert reverse("comments:unsubscribe", args=["a:b:c"]) == "/comments/email/unsubscribe/a:b:c/"
