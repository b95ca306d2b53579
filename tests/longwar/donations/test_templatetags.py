"""The donation appeal under an article (the `donation_appeal` tag), as readers see it."""

from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from longwar.donations.models import SiteSettings

pytestmark = pytest.mark.django_db

SEED_LINK = 'You can make a tax-deductible donation <a href="{donate}?from={pk}">here</a>.'


def appeal_html(client, article) -> str:
    response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def save_settings(**fields) -> None:
    SiteSettings.objects.update_or_create(id=1, defaults=fields)


def test_article_shows_the_seed_appeal_with_here_as_the_link(client, article):
    html = appeal_html(client, article)
    assert "Are you a dedicated reader of FDD&#x27;s Long War Journal?" in html
    assert SEED_LINK.format(donate=reverse("donate"), pk=article.pk) in html


def test_staff_wording_is_escaped_and_its_link_text_becomes_the_link(client, article):
    save_settings(
        donation_appeal='<script>alert("x")</script> Keep us going: give today & thanks.',
        donation_link_text="give today",
    )
    html = appeal_html(client, article)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Keep us going: " in html
    assert f'<a href="{reverse("donate")}?from={article.pk}">give today</a> &amp; thanks.' in html


def test_appeal_switched_off_hides_it_and_the_page_still_works(client, article):
    save_settings(donation_appeal_enabled=False)
    html = appeal_html(client, article)
    assert "donation-appeal" not in html
    assert reverse("donate") not in html


def test_missing_settings_row_falls_back_to_the_seed_appeal(client, article):
    SiteSettings.objects.all().delete()
    assert SEED_LINK.format(donate=reverse("donate"), pk=article.pk) in appeal_html(client, article)


def test_appeal_reads_its_settings_in_one_query(client, article):
    """Guards the article page against the appeal reading its settings more than once."""
    with CaptureQueriesContext(connection) as queries:
        appeal_html(client, article)
    settings_queries = [q for q in queries.captured_queries if "donations_sitesettings" in q["sql"]]
    assert len(settings_queries) == 1
