"""The staff insights page: figures from comments.stats and donations.stats, laid out on the newsroom's
days (TIME_ZONE) and drawn as server-side SVG.

Every number comes from an aggregate query in the app it is about, so the page costs the same few
queries with a hundred rows or a million.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from articles.days import start_of
from comments.models import STATUS_DISPLAY_ORDER
from comments.moderation import HOLD_ALL_REASON, REASON_LABELS
from comments.stats import comments_by_day_and_status, moderation_times, pending_queue_per_day, rule_outcomes
from longwar.donations.stats import clicks_by_day, top_donation_articles

CHART_DAYS = 90
TOP_ARTICLES_DAYS = 30
RULE_DAYS = 30
RULE_PRECISION_FLOOR = 0.5  # a rule wrong more often than right is flagged
PERMISSION = "donations.view_insights"


def window(days: int) -> list[date]:
    """The last `days` newsroom days, today included, oldest first."""
    today = timezone.localdate()
    return [today - timedelta(days=days - 1 - offset) for offset in range(days)]


def donation_clicks_per_day(days: list[date]) -> list[int]:
    counts = clicks_by_day(days)
    return [counts.get(day, 0) for day in days]


def comments_per_day_by_status(days: list[date]) -> dict[str, list[int]]:
    """Comments posted each day, split by the status they have now, in the charts' stacking order."""
    counts = comments_by_day_and_status(days)
    return {status: [counts.get((day, status), 0) for day in days] for status in STATUS_DISPLAY_ORDER}


def format_duration(value: timedelta | None) -> str:
    """A wait as staff say it: '45 min', '3 h 20 min', '2 d 4 h'."""
    if value is None:
        return "–"
    minutes = int(value.total_seconds() // 60)
    if minutes < 1:
        return f"{int(value.total_seconds())} s"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


# Charts: geometry computed here, so the template only prints numbers into <svg> (nothing to escape).

CHART_WIDTH = 720
CHART_HEIGHT = 180
MARGIN_LEFT = 44
MARGIN_BOTTOM = 22
MARGIN_TOP = 8


class ChartDay(date):
    """A day of a chart's table, with its label ready (the `date` filter costs ~0.1 ms, 270 times a page)."""

    @property
    def label(self) -> str:
        return f"{self:%b %-d}"


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str


@dataclass(frozen=True)
class Chart:
    """A bar chart over days, stacked when it has several series."""

    days: list[date]
    series: dict[str, list[int]]
    width: int = CHART_WIDTH
    height: int = CHART_HEIGHT
    plot_left: int = MARGIN_LEFT
    bars: list[Bar] = field(default_factory=list)
    y_ticks: list[tuple[float, int]] = field(default_factory=list)
    x_labels: list[tuple[float, str]] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[date, list[int], int]]:
        """Per-day figures for the table under the chart: day, each series, total."""
        columns = list(self.series.values())
        return [
            (
                ChartDay(day.year, day.month, day.day),
                [column[i] for column in columns],
                sum(column[i] for column in columns),
            )
            for i, day in enumerate(self.days)
        ]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(values) for name, values in self.series.items()}


def nice_ceiling(value: int) -> int:
    """The axis top: 1, 2 or 5 times a power of ten, at least `value` (and at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def bar_chart(days: list[date], series: dict[str, list[int]], css_prefix: str) -> Chart:
    plot_width = CHART_WIDTH - MARGIN_LEFT
    plot_height = CHART_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    baseline = CHART_HEIGHT - MARGIN_BOTTOM
    top = nice_ceiling(max((sum(values) for values in zip(*series.values(), strict=True)), default=0))
    slot = plot_width / len(days)
    bars = []
    for i, day in enumerate(days):
        stacked = 0
        for name, values in series.items():
            if not values[i]:
                continue
            height = values[i] / top * plot_height
            stacked += height
            bars.append(
                Bar(
                    x=round(MARGIN_LEFT + i * slot + slot * 0.1, 1),
                    y=round(baseline - stacked, 1),
                    width=round(slot * 0.8, 1),
                    height=round(height, 1),
                    css_class=f"{css_prefix}-{name}",
                    label=f"{day:%b %-d}: {values[i]} {name}",
                )
            )
    y_ticks = [
        (round(baseline - value / top * plot_height, 1), value) for value in sorted({0, top // 2, top})
    ]
    x_labels = [
        (round(MARGIN_LEFT + i * slot, 1), f"{day:%b %-d}") for i, day in enumerate(days) if day.day == 1
    ]
    return Chart(days=days, series=series, bars=bars, y_ticks=y_ticks, x_labels=x_labels)


def donation_insights() -> dict:
    days = window(CHART_DAYS)
    clicks = donation_clicks_per_day(days)
    top_since = start_of(days[-TOP_ARTICLES_DAYS])
    return {
        "clicks_chart": bar_chart(days, {"clicks": clicks}, "donations"),
        "clicks_last_30_days": sum(clicks[-TOP_ARTICLES_DAYS:]),
        "top_articles": top_donation_articles(top_since),
        "top_articles_days": TOP_ARTICLES_DAYS,
    }


def comment_insights() -> dict:
    days = window(CHART_DAYS)
    times = moderation_times(start_of(days[0]))
    queue = pending_queue_per_day(days)
    return {
        "comments_chart": bar_chart(days, comments_per_day_by_status(days), "status"),
        "decided": times["decided"],
        "median_wait": format_duration(times["median"]),
        "p90_wait": format_duration(times["p90"]),
        "queue_chart": bar_chart(days, {"pending": queue}, "queue"),
        "queue_now": queue[-1],
    }


@dataclass(frozen=True)
class RulePrecision:
    code: str
    label: str
    false_alarms: int
    confirmed: int
    undecided: int
    held_url: str  # the queue filtered to what this rule held

    @property
    def precision(self) -> float | None:
        decided = self.false_alarms + self.confirmed
        return self.confirmed / decided if decided else None

    @property
    def flagged(self) -> bool:
        """Wrong more often than right; the policy's own "hold everything" is not a filter and never flagged."""
        return (
            self.code != HOLD_ALL_REASON[0]
            and self.precision is not None
            and self.precision < RULE_PRECISION_FLOOR
        )


def rule_precision() -> list[RulePrecision]:
    """Every declared reason, with what moderators later decided about the comments it caught (last 30 days)."""
    outcomes = rule_outcomes(start_of(window(RULE_DAYS)[0]))
    queue = reverse("admin:comments_comment_changelist")
    empty = {"false_alarms": 0, "confirmed": 0, "undecided": 0}
    return [
        RulePrecision(
            code=code,
            label=label,
            held_url=f"{queue}?{urlencode({'reason': code})}",
            **outcomes.get(code, empty),
        )
        for code, label in REASON_LABELS.items()
    ]


def insights() -> dict:
    """Everything the insights page shows, in six aggregate queries."""
    return {
        "chart_days": CHART_DAYS,
        **donation_insights(),
        **comment_insights(),
        "rules": rule_precision(),
        "rule_days": RULE_DAYS,
        "rule_precision_floor": RULE_PRECISION_FLOOR,
    }
