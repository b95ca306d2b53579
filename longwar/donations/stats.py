"""Aggregate figures about donation clicks for the staff insights page."""

from datetime import date, datetime

from django.db.models import Count
from django.db.models.functions import TruncDate

from longwar.donations.models import DonationClick

TOP_ARTICLES_LIMIT = 10


def clicks_by_day(since: datetime) -> dict[date, int]:
    """Counted clicks each newsroom day since `since` (days with none left out)."""
    return dict(
        DonationClick.objects.filter(clicked_at__gte=since)
        .annotate(day=TruncDate("clicked_at"))
        .values_list("day")
        .annotate(clicks=Count("*"))
        .values_list("day", "clicks")
        .order_by()
    )


def top_donation_articles(since: datetime, limit: int = TOP_ARTICLES_LIMIT) -> list[dict]:
    """Articles whose readers followed the donation link most since `since`; ties go to the older id."""
    return list(
        DonationClick.objects.filter(clicked_at__gte=since, article__isnull=False)
        .values("article_id", "article__title")
        .annotate(clicks=Count("*"))
        .order_by("-clicks", "article_id")[:limit]
    )
