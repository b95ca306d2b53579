"""Newsroom days for per-day figures: counted by the site's time zone, across daylight-saving changes."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db.models import DateTimeField, Value

from articles.days import DayNumber
from articles.models import Article
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

NEW_YORK = ZoneInfo("America/New_York")


def test_day_numbers_are_newsroom_days_across_a_daylight_saving_change(settings):
    settings.TIME_ZONE = "America/New_York"
    days = [date(2026, 3, 7), date(2026, 3, 8), date(2026, 3, 9)]  # clocks go forward early on 8 March
    ArticleFactory()
    moments = {
        datetime(2026, 3, 6, 23, 59, tzinfo=NEW_YORK): 0,  # before the first day
        datetime(2026, 3, 7, 0, 0, tzinfo=NEW_YORK): 1,
        datetime(2026, 3, 8, 23, 30, tzinfo=NEW_YORK): 2,  # 03:30 UTC on the 9th
        datetime(2026, 3, 9, 0, 30, tzinfo=ZoneInfo("UTC")): 2,  # 20:30 on the 8th in New York
        datetime(2026, 3, 9, 23, 59, tzinfo=NEW_YORK): 3,
        datetime(2026, 3, 10, 0, 0, tzinfo=NEW_YORK): 4,  # after the last
    }
    for moment, number in moments.items():
        found = Article.objects.annotate(day=DayNumber(Value(moment, DateTimeField()), days)).get().day
        assert found == number, moment
