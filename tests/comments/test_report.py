"""Reporting a comment: the article page links to a confirmation page that carries the form."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import CommentReport
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_the_report_link_asks_before_reporting(article):
    comment = CommentFactory(article=article, body="Rude words.")
    reader = Client(enforce_csrf_checks=True)
    page = reader.get(article.get_absolute_url()).content.decode()
    url = reverse("comments:report", args=[comment.pk])
    assert f'<a class="report-link" href="{url}" rel="nofollow">Report</a>' in page
    confirm = reader.get(url)
    assert confirm.status_code == HTTPStatus.OK
    html = confirm.content.decode()
    assert "Rude words." in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert comment.reports.count() == 0
    token = confirm.context["csrf_token"]
    response = reader.post(url, {"csrfmiddlewaretoken": str(token), "reason": CommentReport.Reason.ABUSE})
    assert response.status_code == HTTPStatus.FOUND
    assert comment.reports.count() == 1


def test_reporting_without_the_form_is_refused(article):
    comment = CommentFactory(article=article)
    response = Client(enforce_csrf_checks=True).post(reverse("comments:report", args=[comment.pk]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert comment.reports.count() == 0
