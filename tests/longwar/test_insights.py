"""The donation figures and the chart geometry of the insights page, without rendering it."""

from datetime import datetime, time, timedelta

import pytest
from django.utils import timezone

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
    chart = insights.bar_chart(insights.window(3), {"pending": [0, 1, 0]}, "queue")
    assert [value for _, value in chart.y_ticks] == [0, 1]


def test_stacked_bars_are_scaled_to_the_axis_and_stacked_upwards():
    days = insights.window(2)
    chart = insights.bar_chart(days, {"approved": [0, 3], "spam": [0, 2]}, "status")
    assert chart.height - insights.MARGIN_BOTTOM == 158
    approved, spam = chart.bars
    plot_height = insights.CHART_HEIGHT - insights.MARGIN_TOP - insights.MARGIN_BOTTOM
    assert (approved.height, spam.height) == (round(plot_height * 3 / 5, 1), round(plot_height * 2 / 5, 1))
    assert spam.y + spam.height == pytest.approx(approved.y)
    assert approved.css_class == "status-approved"
    assert chart.totals == {"approved": 3, "spam": 2}
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
