"""Aggregate figures about donation clicks for the staff insights page."""

from datetime import date, datetime

from django.db.models import Count

from articles.days import DayNumber, day_starts
from longwar.donations.models import DonationClick

TOP_ARTICLES_LIMIT = 10


def clicks_by_day(days: list[date]) -> dict[date, int]:
    """Counted clicks on each of these newsroom days (days with none left out)."""
    starts = day_starts(days)
    return {
        days[number - 1]: clicks
        for number, clicks in DonationClick.objects.filter(
            clicked_at__gte=starts[0], clicked_at__lt=starts[-1]
        )
        .annotate(day=DayNumber("clicked_at", days))
        .values_list("day")
        .annotate(clicks=Count("*"))
        .values_list("day", "clicks")
        .order_by()
    }


def top_donation_articles(since: datetime, limit: int = TOP_ARTICLES_LIMIT) -> list[dict]:
    """Articles whose readers followed the donation link most since `since`; ties go to the older id."""
    return list(
        DonationClick.objects.filter(clicked_at__gte=since, article__isnull=False)
        .values("article_id", "article__title")
        .annotate(clicks=Count("*"))
        .order_by("-clicks", "article_id")[:limit]
    )
