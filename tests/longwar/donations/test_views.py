from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import resolve, reverse

from longwar.donations.models import DonationClick
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

DONATION_URL = "https://donate.example/longwar"
DONATE = reverse("donate")
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(autouse=True)
def _donation_url(settings):
    settings.DONATION_URL = DONATION_URL


@pytest.fixture
def reader():
    """A browser as readers use it: a real user agent."""
    return Client(headers={"user-agent": FIREFOX})


def test_donate_url_reverses_and_resolves():
    assert reverse("donate") == "/donate/"
    assert resolve("/donate/").view_name == "donate"


def test_click_from_article_is_counted_and_redirected(reader, article):
    response = reader.get(
        DONATE,
        {"from": article.pk},
        headers={"referer": "https://www.longwarjournal.org/2011/03/talks/?utm_source=x#c"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == DONATION_URL
    click = DonationClick.objects.get()
    assert click.article == article
    assert click.referrer_host == "www.longwarjournal.org"


def test_click_stores_nothing_personal(reader, article):
    reader.get(DONATE, {"from": article.pk}, REMOTE_ADDR="203.0.113.9")
    stored = DonationClick.objects.values().get()
    assert set(stored) == {"id", "article_id", "clicked_at", "referrer_host"}
    assert "203.0.113.9" not in str(stored)


@pytest.mark.parametrize(
    "query",
    [
        "?next=https://evil.example/",
        "?from=1&url=https://evil.example/",
        "?to=//evil.example",
        "?DONATION_URL=https://evil.example/",
    ],
)
def test_request_cannot_change_the_target(reader, query):
    response = reader.get(f"{DONATE}{query}")
    assert response["Location"] == DONATION_URL


def test_redirect_is_not_cached_by_shared_caches(reader):
    response = reader.get(DONATE)
    cache_control = response["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.parametrize("bad_from", ["abc", "12abc", "-1", "99999999", "1" * 40, "١٢", ""])
def test_bad_from_still_redirects_and_counts_without_article(reader, bad_from):
    response = reader.get(DONATE, {"from": bad_from})
    assert response["Location"] == DONATION_URL
    assert DonationClick.objects.get().article is None


@pytest.mark.parametrize("trait", ["draft", "scheduled"])
def test_unpublished_article_is_not_credited(reader, trait):
    hidden = ArticleFactory(**{trait: True})
    reader.get(DONATE, {"from": hidden.pk})
    assert DonationClick.objects.get().article is None


def test_head_request_redirects_without_counting(reader, article):
    response = reader.head(DONATE, {"from": article.pk})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == DONATION_URL
    assert not DonationClick.objects.exists()


@pytest.mark.parametrize(
    "user_agent",
    [
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0",
        "curl/8.5.0",
        "python-requests/2.32",
    ],
)
def test_crawlers_are_redirected_but_not_counted(client, article, user_agent):
    response = client.get(DONATE, {"from": article.pk}, headers={"user-agent": user_agent})
    assert response["Location"] == DONATION_URL
    assert not DonationClick.objects.exists()


@pytest.mark.parametrize(
    ("header", "value"),
    [("purpose", "prefetch"), ("sec-purpose", "prefetch"), ("sec-purpose", "prefetch;prerender")],
)
def test_prefetches_are_redirected_but_not_counted(reader, article, header, value):
    response = reader.get(DONATE, {"from": article.pk}, headers={header: value})
    assert response["Location"] == DONATION_URL
    assert not DonationClick.objects.exists()


@pytest.mark.parametrize("referer", ["http://[broken", "http://ex\x00ample.org/page"])
def test_malformed_referer_is_counted_without_host(reader, referer):
    response = reader.get(DONATE, headers={"referer": referer})
    assert response.status_code == HTTPStatus.FOUND
    assert DonationClick.objects.get().referrer_host == ""


def test_post_is_refused(reader):
    assert reader.post(DONATE).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert not DonationClick.objects.exists()


def test_without_donation_url_development_explains_on_support_page(reader, settings, article):
    settings.DONATION_URL = ""
    response = reader.get(DONATE, {"from": article.pk}, follow=True)
    assert response.redirect_chain == [(reverse("support"), HTTPStatus.FOUND)]
    assert "No donation page is configured" in response.content.decode()
    assert DonationClick.objects.get().article == article


def test_counting_a_click_costs_two_queries(reader, article, django_assert_max_num_queries):
    """Guards the redirect against growing lookups: one for the article, one insert."""
    with django_assert_max_num_queries(2):
        reader.get(DONATE, {"from": article.pk})
