"""The site's own pages, public and admin, need nothing the Content-Security-Policy forbids."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from articles.models import Article
from tests.factories import CommentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

RECORD_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def test_public_and_admin_pages_raise_no_csp_violation(live_server, browser, django_user_model):
    call_command("load_seeds", verbosity=0)
    article = Article.objects.get()
    comment = CommentFactory(article=article, status="pending", body="Held for review.")
    django_user_model.objects.create_superuser("boss", "boss@example.org", "boss-password-1")
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)  # runs before the page's own code, outside its policy
    page = context.new_page()
    page.set_default_timeout(10_000)
    console = []
    page.on("console", lambda message: console.append(message.text))

    def visit(path: str) -> None:
        response = page.goto(live_server.url + path)
        assert response.status < 400, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        assert page.evaluate("window.cspViolations") == [], path

    visit(reverse("articles:index"))
    visit(article.get_absolute_url())
    visit(reverse("articles:search") + "?q=peace")
    visit(reverse("admin:login"))
    page.fill("#id_username", "boss")
    page.fill("#id_password", "boss-password-1")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    assert page.evaluate("window.cspViolations") == []
    for path in (
        reverse("admin:comments_comment_changelist"),
        reverse("admin:comments_comment_change", args=[comment.pk]),
        reverse("admin:articles_article_change", args=[article.pk]),
        reverse("admin-insights"),
        reverse("admin:comments_comment_personal_data"),
    ):
        visit(path)
    assert not [text for text in console if "Content Security Policy" in text]
    context.close()
