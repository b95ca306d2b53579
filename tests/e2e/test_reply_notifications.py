import re

import pytest
from django.core import mail

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def email_to(address, subject_part):
    return next(m for m in mail.outbox if m.to == [address] and subject_part in m.subject)


def test_reader_opts_in_another_replies_and_the_email_link_opens_the_reply(
    live_server, browser, article, django_user_model, settings
):
    settings.SITE_URL = live_server.url  # links in emails point at this server
    alice = browser.new_context().new_page()
    alice.goto(live_server.url + article.get_absolute_url())
    alice.fill("#id_name", "Alice")
    alice.fill("#id_email", "alice@example.org")
    alice.fill("#id_body", "Who signed the ceasefire?")
    alice.check("#id_notify_replies")
    alice.click("text=Post comment")
    alice.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert "look for our email with a link to confirm it" in alice.content()

    confirmation = email_to("alice@example.org", "Please confirm")
    alice.goto(re.search(r"http\S+/comments/email/confirm/\S+/", confirmation.body).group(0))
    alice.click("text=Yes, email me about replies")
    assert "Your address is confirmed" in alice.content()

    # Transactional tests flush the migration-made Moderators group; a superuser moderates here.
    django_user_model.objects.create_superuser("mod", "mod@example.org", "s3cret-pass")
    moderator = browser.new_context().new_page()
    moderator.goto(live_server.url + "/admin/comments/comment/")
    moderator.fill("#id_username", "mod")
    moderator.fill("#id_password", "s3cret-pass")
    moderator.click("input[type=submit]")
    moderator.locator("#result_list tbody tr", has_text="Who signed").get_by_role(
        "button", name="Approve"
    ).click()
    moderator.wait_for_load_state()

    question = Comment.objects.get(author_name="Alice")
    bob = browser.new_context().new_page()
    bob.goto(live_server.url + article.get_absolute_url())
    bob.click(f"#comment-{question.pk} >> text=Reply")
    bob.fill("#id_name", "Bob")
    bob.fill("#id_email", "bob@example.org")
    bob.fill("#id_body", "Both sides, on Tuesday.")
    bob.click("text=Post comment")
    bob.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert not [m for m in mail.outbox if m.to == ["alice@example.org"] and "replied" in m.subject]

    moderator.goto(live_server.url + "/admin/comments/comment/")
    moderator.locator("#result_list tbody tr", has_text="Both sides").get_by_role(
        "button", name="Approve"
    ).click()
    moderator.wait_for_load_state()

    notification = email_to("alice@example.org", "Bob replied to your comment")
    reply = Comment.objects.get(author_name="Bob")
    alice.goto(re.search(r"http\S+/comments/\d+/", notification.body).group(0))
    assert alice.url.endswith(f"#comment-{reply.pk}")
    assert alice.locator(f"#comment-{reply.pk} .comment-body").inner_text() == "Both sides, on Tuesday."
