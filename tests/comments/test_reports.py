"""Readers' reports: a Reported queue instead of hiding on demand, counted per network, rate-limited."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from comments.decisions import APPROVE
from comments.models import Comment, CommentReport, ModerationSettings
from comments.services import ReportRefused, comment_decide, comment_report
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def report(comment, network, reason=CommentReport.Reason.SPAM, **config):
    settings_row = ModerationSettings.load()
    for name, value in config.items():
        setattr(settings_row, name, value)
    return comment_report(comment=comment, network=network, reason=reason, config=settings_row)


def test_reported_comment_stays_published_in_the_reported_queue():
    comment = CommentFactory()
    for n in range(5):
        assert report(comment, f"198.51.{n}.0/24")
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert list(Comment.objects.reported()) == [comment]


def test_hiding_needs_the_setting_and_distinct_networks():
    comment = CommentFactory()
    assert report(comment, "198.51.100.0/24", hide_reported=True)
    assert not report(comment, "198.51.100.0/24", hide_reported=True)  # the same network counts once
    assert report(comment, "2001:db8:1::/64", hide_reported=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert report(comment, "203.0.113.0/24", hide_reported=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    assert comment.reasons[-1]["code"] == "reported"


def test_reports_are_rate_limited_per_network():
    comments = CommentFactory.create_batch(3)
    for comment in comments[:2]:
        report(comment, "198.51.100.0/24", reports_per_network_per_hour=2)
    with pytest.raises(ReportRefused, match="Too many reports"):
        report(comments[2], "198.51.100.0/24", reports_per_network_per_hour=2)
    assert report(comments[2], "203.0.113.0/24", reports_per_network_per_hour=2)
    CommentReport.objects.update(created_at=CommentReport.objects.first().created_at - timedelta(hours=1))
    assert report(comments[2], "198.51.100.0/24", reports_per_network_per_hour=2)


@pytest.mark.parametrize(
    ("addresses", "networks"),
    [
        (["198.51.100.7", "198.51.100.200"], ["198.51.100.0/24"]),
        (["2001:db8:5:6::1", "2001:db8:5:6:ffff::9"], ["2001:db8:5:6::/64"]),
        (["198.51.100.7", "198.51.101.7"], ["198.51.100.0/24", "198.51.101.0/24"]),
    ],
)
def test_the_report_form_counts_a_network_once_with_the_reason(client, addresses, networks):
    comment = CommentFactory()
    url = reverse("comments:report", args=[comment.pk])
    for address in addresses:
        client.post(url, {"reason": CommentReport.Reason.OFF_TOPIC}, REMOTE_ADDR=address)
    assert sorted(comment.reports.values_list("network", flat=True)) == networks
    assert set(comment.reports.values_list("reason", flat=True)) == {CommentReport.Reason.OFF_TOPIC}


def test_report_without_a_reason_is_refused_with_a_message(client):
    comment = CommentFactory()
    response = client.post(reverse("comments:report", args=[comment.pk]), {"reason": "hate"}, follow=True)
    assert "please choose why" in response.content.decode()
    assert not comment.reports.exists()


def test_a_client_without_cookies_creates_no_session_rows(client):
    comments = CommentFactory.create_batch(3)
    for comment in comments:
        client.cookies.clear()
        response = client.post(
            reverse("comments:report", args=[comment.pk]), {"reason": "spam"}, REMOTE_ADDR="192.0.2.9"
        )
        assert response.status_code == HTTPStatus.FOUND
    assert CommentReport.objects.count() == 3
    assert Session.objects.count() == 0


def test_the_report_page_offers_the_reasons(client):
    comment = CommentFactory()
    html = client.get(reverse("comments:report", args=[comment.pk])).content.decode()
    for value, label in CommentReport.Reason.choices:
        assert f'<option value="{value}">{label}</option>' in html


@pytest.mark.django_db(transaction=True)
def test_migration_replaces_stored_session_keys_by_networks():
    before, after = (
        [("comments", "0006_moderation_desk")],
        [("comments", "0008_reports_forget_sessions")],
    )
    article = ArticleFactory()  # the articles app is not migrated back
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    comment = old.get_model("comments", "Comment").objects.create(
        article_id=article.pk, author_name="n", body="b"
    )
    Report = old.get_model("comments", "CommentReport")
    Report.objects.create(comment=comment, session_key="superuser-session-key", ip_address="198.51.100.7")
    Report.objects.create(comment=comment, session_key="another", ip_address="198.51.100.9")  # same /24
    Report.objects.create(comment=comment, session_key="third", ip_address="2001:db8::1")
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    new = executor.loader.project_state(after).apps.get_model("comments", "CommentReport")
    assert sorted(new.objects.values_list("network", flat=True)) == ["198.51.100.0/24", "2001:db8::/64"]
    with connection.cursor() as cursor:
        columns = [
            c.name for c in connection.introspection.get_table_description(cursor, "comments_commentreport")
        ]
    assert "session_key" not in columns
    assert "ip_address" not in columns
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


def test_after_a_moderator_decides_only_fresh_reports_count(admin_user):
    comment = CommentFactory()
    for network in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"):
        report(comment, network, hide_reported=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING
    comment_decide(comment=comment, decision=APPROVE, by=admin_user)
    report(comment, "2001:db8::/64", hide_reported=True)
    comment.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED
    assert [r["code"] for r in comment.reasons].count("reported") == 1
