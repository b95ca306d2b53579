import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from longwar.donations.models import SEED_DONATION_APPEAL, DonationClick, SiteSettings
from tests.factories import ArticleFactory, DonationClickFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:donations_donationclick_changelist")
SETTINGS_CHANGE = reverse("admin:donations_sitesettings_change", args=[1])


def export(admin_client, **filters) -> list[list[str]]:
    ids = list(DonationClick.objects.filter(**filters).values_list("pk", flat=True))
    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "donation-clicks.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def test_changelist_filters_by_article_and_date(admin_client):
    wanted, other = ArticleFactory.create_batch(2)
    DonationClickFactory(article=wanted)
    DonationClickFactory(article=other)
    DonationClickFactory(article=wanted, clicked_at=timezone.now() - timedelta(days=400))
    by_article = admin_client.get(CHANGELIST, {"article__id__exact": wanted.pk})
    assert by_article.status_code == HTTPStatus.OK
    assert by_article.context["cl"].result_count == 2
    since = (timezone.now() - timedelta(days=7)).isoformat()
    recent = admin_client.get(CHANGELIST, {"article__id__exact": wanted.pk, "clicked_at__gte": since})
    assert recent.context["cl"].result_count == 1


def test_changelist_query_count_does_not_grow_with_clicks(admin_client, django_assert_max_num_queries):
    """Guards the list against a query per row for the article column."""
    DonationClickFactory.create_batch(40)
    with django_assert_max_num_queries(10):
        assert admin_client.get(CHANGELIST).status_code == HTTPStatus.OK


def test_clicks_are_read_only(admin_client):
    click = DonationClickFactory()
    assert admin_client.get(reverse("admin:donations_donationclick_add")).status_code == HTTPStatus.FORBIDDEN
    admin_client.post(
        reverse("admin:donations_donationclick_change", args=[click.pk]), {"referrer_host": "evil.example"}
    )
    click.refresh_from_db()
    assert click.referrer_host == "www.longwarjournal.org"


def test_csv_export_has_a_header_and_one_row_per_click(admin_client):
    article = ArticleFactory(title="Pakistan ready for peace?")
    click = DonationClickFactory(article=article)
    DonationClickFactory(article=None, referrer_host="")
    rows = export(admin_client)
    assert rows[0] == ["clicked_at", "article_id", "article_title", "referrer_host"]
    assert rows[1] == [
        timezone.localtime(click.clicked_at).isoformat(),
        str(article.pk),
        "Pakistan ready for peace?",
        "www.longwarjournal.org",
    ]
    assert rows[2][1:] == ["", "", ""]
    assert len(rows) == 3


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)"])
def test_csv_export_defuses_spreadsheet_formulas_in_titles(admin_client, title):
    DonationClickFactory(article=ArticleFactory(title=title, slug="formula"))
    assert export(admin_client)[1][2] == f"'{title}"


def test_csv_export_streams_only_the_selected_clicks(admin_client):
    kept = DonationClickFactory()
    DonationClickFactory()
    rows = export(admin_client, pk=kept.pk)
    assert len(rows) == 2


def test_link_text_must_appear_in_the_appeal(admin_client):
    response = admin_client.post(
        SETTINGS_CHANGE,
        {"donation_appeal_enabled": "on", "donation_appeal": "Please give.", "donation_link_text": "here"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "The link text must appear in the appeal" in response.content.decode()
    assert SiteSettings.objects.get().donation_appeal == SEED_DONATION_APPEAL


def test_staff_edit_the_appeal_in_the_admin(admin_client, client, article):
    response = admin_client.post(
        SETTINGS_CHANGE,
        {
            "donation_appeal_enabled": "on",
            "donation_appeal": "Please give here.",
            "donation_link_text": "here",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    assert (
        f'Please give <a href="{reverse("donate")}?from={article.pk}">here</a>.'
        in client.get(article.get_absolute_url()).content.decode()
    )


def test_settings_cannot_be_added_twice_or_deleted(admin_client):
    assert admin_client.get(reverse("admin:donations_sitesettings_add")).status_code == HTTPStatus.FORBIDDEN
    assert (
        admin_client.get(reverse("admin:donations_sitesettings_delete", args=[1])).status_code
        == HTTPStatus.FORBIDDEN
    )
