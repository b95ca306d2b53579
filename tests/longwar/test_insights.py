"""The insights page: its figures and chart geometry, then the page as staff see it for hand-made rows.

Comments are created with `objects.create` and their times set with `.update()`, so nothing here depends on
how that model fills its timestamps.
"""

import re
from datetime import datetime, time, timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_set_status
from longwar import insights
from tests.factories import ArticleFactory, DonationClickFactory

pytestmark = pytest.mark.django_db


def local(days_ago: int, hour: int = 12, minute: int = 0) -> datetime:
    """A moment in the newsroom's time zone, `days_ago` days before today."""
    day = timezone.localdate() - timedelta(days=days_ago)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def test_clicks_per_day_use_newsroom_days_and_fill_gaps_with_zero():
    DonationClickFactory.create_batch(2, clicked_at=local(0, hour=0, minute=5))
    DonationClickFactory(clicked_at=local(1, hour=23, minute=55))
    DonationClickFactory(clicked_at=local(3))
    DonationClickFactory(clicked_at=local(90))  # one day before the 90-day window
    days = insights.window(90)
    clicks = insights.donation_clicks_per_day(days)
    assert len(clicks) == 90
    assert days[-1] == timezone.localdate()
    assert clicks[-4:] == [1, 0, 1, 2]
    assert sum(clicks) == 4


def test_top_articles_rank_clicks_of_the_last_30_days():
    leader, runner_up, old_favourite = ArticleFactory.create_batch(3)
    DonationClickFactory.create_batch(3, article=leader, clicked_at=local(2))
    DonationClickFactory.create_batch(2, article=runner_up, clicked_at=local(29))
    DonationClickFactory.create_batch(5, article=old_favourite, clicked_at=local(31))
    DonationClickFactory.create_batch(4, article=None, clicked_at=local(1))
    figures = insights.donation_insights()
    assert [(row["article__title"], row["clicks"]) for row in figures["top_articles"]] == [
        (leader.title, 3),
        (runner_up.title, 2),
    ]
    assert figures["clicks_last_30_days"] == 9


def test_deleted_article_keeps_its_clicks_unattributed():
    click = DonationClickFactory(clicked_at=local(1))
    click.article.delete()
    click.refresh_from_db()
    assert click.article is None
    assert insights.donation_insights()["clicks_last_30_days"] == 1


@pytest.mark.parametrize(("value", "top"), [(0, 1), (1, 1), (3, 5), (7, 10), (11, 20), (48, 50), (51, 100)])
def test_axis_top_is_a_round_number_at_least_the_largest_bar(value, top):
    assert insights.nice_ceiling(value) == top


def test_a_single_comment_gives_an_axis_of_zero_and_one():
    chart = insights.bar_chart(insights.window(3), {Comment.Status.PENDING: [0, 1, 0]}, "queue")
    assert [value for _, value in chart.y_ticks] == [0, 1]


def test_stacked_bars_are_scaled_to_the_axis_and_stacked_upwards():
    days = insights.window(2)
    chart = insights.bar_chart(days, {Comment.Status.APPROVED: [0, 3], Comment.Status.SPAM: [0, 2]}, "status")
    assert chart.height - insights.MARGIN_BOTTOM == 158
    approved, spam = chart.bars
    plot_height = insights.CHART_HEIGHT - insights.MARGIN_TOP - insights.MARGIN_BOTTOM
    assert (approved.height, spam.height) == (round(plot_height * 3 / 5, 1), round(plot_height * 2 / 5, 1))
    assert spam.y + spam.height == pytest.approx(approved.y)
    assert approved.css_class == "status-approved"
    assert chart.totals == {Comment.Status.APPROVED: 3, Comment.Status.SPAM: 2}
    assert chart.rows[1] == (days[1], [3, 2], 5)
    assert chart.y_ticks == [(158, 0), (round(158 - plot_height * 2 / 5, 1), 2), (8, 5)]


@pytest.mark.parametrize(
    ("wait", "shown"),
    [
        (None, "–"),
        (timedelta(seconds=40), "40 s"),
        (timedelta(minutes=45), "45 min"),
        (timedelta(hours=7, minutes=36), "7 h 36 min"),
        (timedelta(days=2, hours=4, minutes=10), "2 d 4 h"),
    ],
)
def test_waits_are_shown_as_staff_say_them(wait, shown):
    assert insights.format_duration(wait) == shown


def make_comment(article, *, status: str, created_at: datetime, moderated_at: datetime | None = None):
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
    response = admin_client.get(reverse("admin-insights"))
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
    for status in [Comment.Status.APPROVED, Comment.Status.APPROVED, Comment.Status.SPAM]:
        make_comment(article, status=status, created_at=local(2))
    for status in [Comment.Status.PENDING, Comment.Status.REMOVED]:
        make_comment(article, status=status, created_at=local(1))
    make_comment(article, status=Comment.Status.APPROVED, created_at=local(90))  # before the window
    html = page(admin_client)
    assert [
        shown(html, f"comments-{s}")
        for s in [
            Comment.Status.APPROVED,
            Comment.Status.PENDING,
            Comment.Status.SPAM,
            Comment.Status.REMOVED,
        ]
    ] == [
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
            article,
            status=Comment.Status.APPROVED,
            created_at=posted,
            moderated_at=posted + timedelta(hours=hours),
        )
    make_comment(article, status=Comment.Status.PENDING, created_at=local(1))  # undecided: not a wait yet
    html = page(admin_client)
    assert shown(html, "median-wait") == "3 h 0 min"
    assert shown(html, "p90-wait") == "7 h 36 min"  # percentile_cont interpolates 4 h → 10 h
    assert shown(html, "decided") == "5"


def test_pending_queue_at_the_end_of_each_day(admin_client, article):
    make_comment(article, status=Comment.Status.APPROVED, created_at=local(5), moderated_at=local(3))
    make_comment(article, status=Comment.Status.PENDING, created_at=local(4))
    make_comment(article, status=Comment.Status.SPAM, created_at=local(4))  # caught on arrival, never queued
    make_comment(article, status=Comment.Status.REMOVED, created_at=local(200), moderated_at=local(2))
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


@pytest.mark.parametrize("rows", [1, 60])
def test_insights_query_count_does_not_grow_with_rows(admin_client, django_assert_max_num_queries, rows):
    """Guards the page against per-row queries: every figure is one aggregate query."""
    articles = ArticleFactory.create_batch(min(rows, 12))
    for i in range(rows):
        article = articles[i % len(articles)]
        make_comment(
            article, status=Comment.Status.APPROVED, created_at=local(i % 90), moderated_at=local(i % 90, 18)
        )
        DonationClickFactory(article=article, clicked_at=local(i % 90))
    with django_assert_max_num_queries(10):  # 8, plus the per-rule precision table and the surge banner
        page(admin_client)


def test_comment_sent_back_to_the_queue_counts_as_waiting(admin_client, article, admin_user):
    comment = make_comment(article, status=Comment.Status.PENDING, created_at=local(3))
    comment_set_status(comment=comment, to=Comment.Status.APPROVED, by=admin_user)
    comment_set_status(comment=comment, to=Comment.Status.PENDING, by=admin_user)
    assert shown(page(admin_client), "queue-now") == "1"
