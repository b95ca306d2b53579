import pytest
from django.core.management import call_command
from django.urls import reverse

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_reader_searches_for_a_body_word_and_lands_on_the_article(live_server, page):
    call_command("load_seeds", verbosity=0)
    page.goto(live_server.url + reverse("articles:index"))
    page.get_by_role("searchbox", name="Search articles").fill("Lisbon")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=Lisbon")
    assert page.locator(".snippet mark").first.inner_text() == "Lisbon"
    page.get_by_role("link", name="Pakistan ready for peace with the Taliban?").click()
    page.wait_for_url("**/2011/03/pakistan-ready-for-peace-with-the-taliban/")
    assert page.locator("h1").inner_text() == "Pakistan ready for peace with the Taliban?"
    assert "Lisbon" in page.locator(".article-body").inner_text()
