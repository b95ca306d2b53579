import csv
import io
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from longwar.donations.models import DonationClick
from tests.factories import ArticleFactory, DonationClickFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/donations/donationclick/"


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", password="pw", is_staff=True)


def grant(user, codename: str) -> None:
    user.user_permissions.add(Permission.objects.get(codename=codename, content_type__app_label="donations"))


def export(admin_client, **filters) -> list[list[str]]:
    ids = list(DonationClick.objects.filter(**filters).values_list("pk", flat=True))
    response = admin_client.post(CHANGELIST, {"action": "export_csv", "_selected_action": ids})
    assert response.status_code == HTTPStatus.OK
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "donation-clicks.csv" in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(content)))


def test_insights_url_reverses_and_resolves():
    assert reverse("admin-insights") == "/admin/insights/"


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
    assert admin_client.get(f"{CHANGELIST}add/").status_code == HTTPStatus.FORBIDDEN
    admin_client.post(f"{CHANGELIST}{click.pk}/change/", {"referrer_host": "evil.example"})
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


def test_insights_sends_anonymous_visitors_to_the_admin_login(client):
    response = client.get("/admin/insights/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == "/admin/login/?next=/admin/insights/"


def test_insights_forbidden_to_staff_without_the_permission(client, staff):
    client.force_login(staff)
    assert client.get("/admin/insights/").status_code == HTTPStatus.FORBIDDEN


def test_insights_forbidden_to_non_staff_even_with_the_permission(client, staff):
    staff.is_staff = False
    staff.save()
    grant(staff, "view_insights")
    client.force_login(staff)
    assert client.get("/admin/insights/").status_code == HTTPStatus.FOUND


def test_admin_index_links_to_insights_only_for_permitted_staff(client, staff):
    client.force_login(staff)
    assert "/admin/insights/" not in client.get("/admin/").content.decode()
    grant(staff, "view_insights")
    assert 'href="/admin/insights/"' in client.get("/admin/").content.decode()
