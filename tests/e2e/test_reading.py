import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_goes_from_home_to_the_seed_article(live_server, page):
    call_command("load_seeds", verbosity=0)
    page.goto(live_server.url + reverse("articles:index"))
    page.get_by_role("link", name="Pakistan ready for peace with the Taliban?").click()
    page.wait_for_url("**/2011/03/pakistan-ready-for-peace-with-the-taliban/")
    assert page.locator("h1").inner_text() == "Pakistan ready for peace with the Taliban?"
    assert page.locator("blockquote p").first.inner_text().startswith("Pakistan has started peace talks")
    assert page.locator(".byline a").inner_text() == "Bill Roggio"
    assert "Tags:" not in page.locator("article.article").inner_text()
    donate = page.get_by_role("link", name="here")
    assert donate.get_attribute("href").startswith(reverse("donate") + "?from=")
    page.get_by_role("link", name="Boko Haram").click()
    assert page.locator("h1").inner_text() == "Boko Haram"
