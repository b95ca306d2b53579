import re
import time

import pytest
from django.urls import reverse

from comments.models import Comment

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_comments_and_a_moderator_approves(live_server, browser, article, django_user_model):
    reader = browser.new_context().new_page()
    reader.goto(live_server.url + article.get_absolute_url())
    reader.fill("#id_name", "Grim")
    reader.fill("#id_email", "grim@example.org")
    reader.fill("#id_body", "Peace deals will continue to be made.\n\nAnd broken.")
    reader.check("#id_remember")
    time.sleep(3.2)  # people take a few seconds to write; faster posts are held as bot-like
    reader.click("text=Post comment")
    reader.wait_for_url(re.compile(r".*#comment-\d+$"))
    assert "awaiting moderation" in reader.locator(".comment-held").inner_text()
    assert reader.locator(".comment-held .comment-body p").nth(1).inner_text() == "And broken."

    stranger = browser.new_context().new_page()
    stranger.goto(live_server.url + article.get_absolute_url())
    assert "Peace deals" not in stranger.content()

    # Transactional tests flush the migration-made Moderators group; its permissions are tested in tests/comments.
    django_user_model.objects.create_superuser("mod", "mod@example.org", "s3cret-pass")
    admin = browser.new_context().new_page()
    admin.goto(live_server.url + reverse("admin:comments_comment_changelist"))
    admin.fill("#id_username", "mod")
    admin.fill("#id_password", "s3cret-pass")
    admin.click("input[type=submit]")
    row = admin.locator("#result_list tbody tr", has_text="Peace deals")
    assert "Every comment is held for review." in row.inner_text()
    row.get_by_role("button", name="Approve").click()
    admin.wait_for_load_state()
    assert "Approved 1 comment (by Grim)." in admin.content()
    assert Comment.objects.get().status == Comment.Status.APPROVED

    stranger.reload()
    assert "Peace deals will continue to be made." in stranger.locator(".comment-list").inner_text()
    reader.goto(live_server.url + article.get_absolute_url())
    assert reader.input_value("#id_name") == "Grim"


def test_form_errors_keep_what_the_reader_typed(live_server, page, article):
    page.goto(live_server.url + article.get_absolute_url())
    page.fill("#id_name", "Charu")
    page.fill("#id_email", "not an email")
    page.fill("#id_body", "A long and careful comment.")
    page.click("text=Post comment")
    assert "Enter a valid email address." in page.locator(".field-error").inner_text()
    assert page.input_value("#id_body") == "A long and careful comment."
    assert page.input_value("#id_name") == "Charu"


def test_reply_without_javascript(live_server, browser, article):
    from tests.factories import CommentFactory

    parent = CommentFactory(article=article, author_name="Neonmeat")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + article.get_absolute_url())
    page.click(f"#comment-{parent.pk} >> text=Reply")
    assert page.locator("#respond h2").inner_text() == "Reply to Neonmeat"
    page.fill("#id_name", "IanJ")
    page.fill("#id_email", "ianj@example.org")
    page.fill("#id_body", "A reply.")
    time.sleep(3.2)
    page.click("text=Post comment")
    page.wait_for_url(re.compile(r".*#comment-\d+$"))
    reply = Comment.objects.get(author_name="IanJ")
    assert reply.parent == parent
    assert (
        page.locator(f"#comment-{parent.pk}")
        .locator("xpath=..")
        .locator(".children")
        .inner_text()
        .count("A reply.")
        == 1
    )
    context.close()
