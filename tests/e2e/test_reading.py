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


def test_a_link_to_a_comment_on_a_later_page_lands_on_it(live_server, page):
    from comments.models import ModerationSettings
    from tests.factories import ArticleFactory, CommentFactory

    config = ModerationSettings.load()
    config.comments_per_page = 2
    config.save()
    article = ArticleFactory()
    comments = [CommentFactory(article=article, body=f"Comment number {n}.") for n in range(5)]
    comments[4].legacy_id = 9_000_001  # imported from WordPress, whose id for it old links carry
    comments[4].save()
    url = live_server.url + article.get_absolute_url()
    page.goto(f"{url}?csort=newest#comment-{comments[0].pk}")  # oldest: last of the newest first
    page.wait_for_url(f"**?csort=newest&cpage=3#comment-{comments[0].pk}")
    assert page.locator(f"#comment-{comments[0].pk}").is_visible()
    page.goto(f"{url}?cpage=2#comment-9000001")
    page.wait_for_url(f"**?cpage=3#comment-{comments[4].pk}")
    assert "Comment number 4." in page.locator(f"#comment-{comments[4].pk}").inner_text()
    page.goto(f"{url}#comment-{comments[1].pk}")  # on this page already: no trip
    assert page.url == f"{url}#comment-{comments[1].pk}"
    page.goto(f"{url}?cpage=2#comment-9000001")  # the same link again, in the same tab
    page.wait_for_url(f"**?cpage=3#comment-{comments[4].pk}")


def test_a_link_to_a_comment_this_reader_cannot_see_stays_on_the_article(live_server, page):
    from comments.models import Comment
    from tests.factories import ArticleFactory, CommentFactory

    article = ArticleFactory()
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    url = live_server.url + article.get_absolute_url()
    visits = []
    page.on("framenavigated", lambda frame: visits.append(frame.url))
    page.goto(f"{url}#comment-{held.pk}")
    page.wait_for_timeout(1500)  # long enough for any further trips
    assert page.url == f"{url}#comment-{held.pk}"
    assert page.locator("h1").inner_text() == article.title
    assert len(visits) <= 2  # the article, and once more after asking where the comment is
