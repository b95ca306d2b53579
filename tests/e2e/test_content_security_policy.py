"""The site's own pages, public and admin, need nothing the Content-Security-Policy forbids."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment, EmailSubscription, ModerationEvent, ModerationSettings
from comments.notifications import confirm_token, unsubscribe_token
from tests.factories import ArticleFactory, CommentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""
PASSWORD = "boss-password-1"


class PolicedBrowser:
    """A browser tab that records every policy violation; each check asserts there were none so far."""

    def __init__(self, browser, live_server):
        self.context = browser.new_context()
        self.context.add_init_script(RECORD_VIOLATIONS)  # runs before the page's own code, outside its policy
        self.page = self.context.new_page()
        self.page.set_default_timeout(10_000)
        self.console = []
        self.page.on("console", lambda message: self.console.append(message.text))
        self.base = live_server.url

    def assert_clean(self, where: str) -> None:
        self.page.wait_for_load_state("load")
        assert self.page.evaluate("window.cspViolations") == [], where
        assert not [text for text in self.console if "Content Security Policy" in text], where

    def visit(self, path: str) -> None:
        response = self.page.goto(self.base + path)
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.assert_clean(path)

    def submit(self, button: str) -> None:
        """Press a form's button and check the page it leads to."""
        with self.page.expect_navigation():
            self.page.click(button)
        self.assert_clean(f"after {button}")

    def log_in(self, username: str) -> None:
        self.visit(reverse("admin:login"))
        self.page.fill("#id_username", username)
        self.page.fill("#id_password", PASSWORD)
        self.page.click("input[type=submit]")
        self.page.wait_for_url("**/admin/")
        self.assert_clean("admin index")


@pytest.fixture
def policed(browser, live_server, django_user_model):
    django_user_model.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    tab = PolicedBrowser(browser, live_server)
    yield tab
    tab.context.close()


def test_public_and_admin_pages_raise_no_csp_violation(policed):
    call_command("load_seeds", verbosity=0)
    article = Article.objects.get()
    comment = CommentFactory(article=article, status="pending", body="Held for review.")
    policed.visit(reverse("articles:index"))
    policed.visit(article.get_absolute_url())
    policed.visit(reverse("articles:search") + "?q=peace")
    policed.log_in("boss")
    for path in (
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin-insights"),
        reverse("admin:comments_comment_personal_data"),
    ):
        policed.visit(path)


def test_desk_filters_and_readers_links_raise_no_csp_violation(policed):
    """The pages added with the moderation desk, the learning filters and readers' email links."""
    article = ArticleFactory(title="The front line")
    an_hour_ago = timezone.now() - timedelta(hours=1)
    for name in ("Ann", "Bob"):  # a copy-paste campaign, at the bottom of the queue
        CommentFactory(
            article=article,
            status=Comment.Status.PENDING,
            author_name=name,
            body=f"Everyone must read this site about the war now, {name}!",
            created_at=an_hour_ago,
        )
    held = CommentFactory(
        article=article,
        status=Comment.Status.PENDING,
        author_email="held@example.org",
        body="Held for review.",
    )
    subscription = EmailSubscription.objects.create(email="reader@example.org")
    settings_row, _ = ModerationSettings.objects.get_or_create(pk=1)  # flushed by transactional tests
    page = policed.page

    # A reader posts (held: sent back faster than a person types), edits it, confirms and unsubscribes.
    policed.visit(article.get_absolute_url())
    page.fill("#id_name", "Grim")
    page.fill("#id_email", "grim@example.org")
    page.fill("#id_body", "Peace deals will continue to be made.")
    policed.submit("#respond button[type=submit]")
    page.click(".comment-edit a")
    policed.assert_clean("comment edit page")
    page.fill("#id_body", "Peace deals will continue to be made, and broken.")
    policed.submit(".comment-form button[type=submit]")
    policed.visit(reverse("comments:confirm", args=[confirm_token(subscription)]))
    policed.submit("main form button")
    policed.visit(reverse("comments:unsubscribe", args=[unsubscribe_token(subscription)]))
    policed.submit("main form button")
    expect(page.get_by_text("You are unsubscribed.")).to_be_visible()

    # The queue's keys: its script fetches each decision and the undo under the policy.
    policed.log_in("boss")
    policed.visit(reverse("admin:comments_comment_changelist"))
    live = page.locator("#mq-live")
    page.keyboard.press("j")  # from the reader's comment to the held one
    page.keyboard.press("a")
    expect(live).to_contain_text("Press z to undo")
    page.keyboard.press("z")
    expect(live).to_contain_text("Undone: 1 comment restored.")
    page.keyboard.press("a")
    expect(live).to_contain_text("Press z to undo")
    policed.assert_clean("queue keys")
    assert Comment.objects.get(pk=held.pk).status == Comment.Status.APPROVED
    assert ModerationEvent.objects.filter(undoes__isnull=False).count() == 1

    policed.visit(reverse("admin:comments_comment_change", args=[held.pk]))
    expect(page.locator(".mq-card-undo button")).to_be_visible()  # the review card offers its undo
    policed.visit(reverse("admin:comments_commenter") + "?email=held@example.org")
    expect(page.locator("#mq-undo")).to_be_visible()
    policed.visit(reverse("admin:comments_comment_duplicates"))
    expect(page.locator(".duplicate-group .size")).to_have_text("2 comments")
    policed.submit(".duplicate-group button[value=spam]")

    policed.visit(reverse("admin:comments_moderationsettings_change", args=[settings_row.pk]))
    page.fill("#id_moderation_words", "war")
    policed.submit("input[name=_preview]")
    expect(page.locator("#backtest")).to_be_visible()
    policed.submit("text=Switch surge mode on")
    expect(page.locator("#surge-banner")).to_be_visible()
    policed.visit(reverse("admin:index"))
    policed.submit("#surge-banner button")
    expect(page.locator("#surge-banner")).to_have_count(0)
    policed.visit(reverse("admin:comments_surgelog_changelist"))
