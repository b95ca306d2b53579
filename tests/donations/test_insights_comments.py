"""The insights page as staff see it: the figures it prints for hand-made comments and clicks.

Needs `comments.Comment` (built in the comments issue); rows are created with `objects.create` and their
times set with `.update()`, so nothing here depends on how that model fills its timestamps.
"""

import re
from datetime import datetime, time, timedelta
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from tests.factories import ArticleFactory, DonationClickFactory

pytestmark = pytest.mark.django_db

INSIGHTS = "/admin/insights/"


def local(days_ago: int, hour: int = 12) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour)))


def make_comment(article, *, status: str, created_at: datetime, moderated_at: datetime | None = None):
    from comments.models import Comment

    comment = Comment.objects.create(
        article=article,
        author_name="Reader",
        author_email="reader@example.org",
        body="A view.",
        status=status,
    )
    Comment.objects.filter(pk=comment.pk).update(created_at=created_at, moderated_at=moderated_at)
    return comment


def page(admin_client) -> str:
    response = admin_client.get(INSIGHTS)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def shown(html: str, element_id: str) -> str:
    return re.search(rf'id="{element_id}">([^<]*)<', html).group(1)


def day_row(html: str, table_id: str, days_ago: int) -> list[str]:
    """The figures in one day's row of a chart's table."""
    table = re.search(rf'id="{table_id}-figures">(.*?)</table>', html, re.S).group(1)
    day = (timezone.localdate() - timedelta(days=days_ago)).isoformat()
    row = re.search(rf'<time datetime="{day}">.*?</th>(.*?)</tr>', table, re.S).group(1)
    return re.findall(r"<td>(\d+)</td>", row)


def test_comments_per_day_are_stacked_by_status(admin_client, article):
    for status in ["approved", "approved", "spam"]:
        make_comment(article, status=status, created_at=local(2))
    for status in ["pending", "removed"]:
        make_comment(article, status=status, created_at=local(1))
    make_comment(article, status="approved", created_at=local(90))  # before the window
    html = page(admin_client)
    assert [shown(html, f"comments-{s}") for s in ["approved", "pending", "spam", "removed"]] == [
        "2",
        "1",
        "1",
        "1",
    ]
    assert day_row(html, "comments", 2) == ["2", "0", "1", "0", "3"]
    assert day_row(html, "comments", 1) == ["0", "1", "0", "1", "2"]
    two_days_ago = timezone.localdate() - timedelta(days=2)
    assert f"<title>{two_days_ago:%b %-d}: 2 approved</title>" in html  # the bar's tooltip


def test_moderation_time_median_and_90th_percentile(admin_client, article):
    for hours in [1, 2, 3, 4, 10]:
        posted = local(5)
        make_comment(
            article, status="approved", created_at=posted, moderated_at=posted + timedelta(hours=hours)
        )
    make_comment(article, status="pending", created_at=local(1))  # undecided: not a wait yet
    html = page(admin_client)
    assert shown(html, "median-wait") == "3 h 0 min"
    assert shown(html, "p90-wait") == "7 h 36 min"  # percentile_cont interpolates 4 h → 10 h
    assert shown(html, "decided") == "5"


def test_pending_queue_at_the_end_of_each_day(admin_client, article):
    make_comment(article, status="approved", created_at=local(5), moderated_at=local(3))
    make_comment(article, status="pending", created_at=local(4))
    make_comment(article, status="spam", created_at=local(4))  # caught on arrival, never queued
    make_comment(article, status="removed", created_at=local(200), moderated_at=local(2))
    html = page(admin_client)
    queue = {days_ago: day_row(html, "queue", days_ago) for days_ago in [89, 6, 5, 4, 3, 2, 0]}
    assert queue == {89: ["1"], 6: ["1"], 5: ["2"], 4: ["3"], 3: ["2"], 2: ["1"], 0: ["1"]}
    assert shown(html, "queue-now") == "1"


def test_donation_clicks_and_top_articles_on_the_page(admin_client):
    article = ArticleFactory(title="Pakistan ready for peace <with> the Taliban?")
    DonationClickFactory.create_batch(3, article=article, clicked_at=local(1))
    DonationClickFactory(article=None, clicked_at=local(0))
    html = page(admin_client)
    assert day_row(html, "clicks", 1) == ["3"]
    assert day_row(html, "clicks", 0) == ["1"]
    assert shown(html, "clicks-last-30-days") == "4"
    assert (
        f'?article__id__exact={article.pk}">Pakistan ready for peace &lt;with&gt; the Taliban?</a></td><td>3</td>'
        in html
    )


def test_staff_with_the_insights_permission_see_the_page(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="view_insights"))
    client.force_login(editor)
    assert client.get(INSIGHTS).status_code == HTTPStatus.OK


@pytest.mark.parametrize("rows", [1, 60])
def test_insights_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries, rows):
    """Guards the page against per-row queries: every figure is one aggregate query."""
    articles = ArticleFactory.create_batch(min(rows, 12))
    for i in range(rows):
        article = articles[i % len(articles)]
        make_comment(article, status="approved", created_at=local(i % 90), moderated_at=local(i % 90, 18))
        DonationClickFactory(article=article, clicked_at=local(i % 90))
    with django_assert_max_num_queries(10):  # 8, plus the per-rule precision table and the surge banner
        page(admin_client)


def test_comment_sent_back_to_the_queue_counts_as_waiting(admin_client, article, admin_user):
    from comments.services import comment_set_status

    comment = make_comment(article, status="pending", created_at=local(3))
    comment_set_status(comment=comment, to="approved", by=admin_user)
    comment_set_status(comment=comment, to="pending", by=admin_user)
    assert shown(page(admin_client), "queue-now") == "1"
