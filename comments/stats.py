"""Aggregate figures about comments for the staff insights page; each is one query, whatever the row count."""

from datetime import date, datetime

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F

from articles.days import DayNumber, day_starts
from comments.models import Comment


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile, e.g. the median of an interval column."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def comments_by_day_and_status(days: list[date]) -> dict[tuple[date, str], int]:
    """Comments posted on each of these newsroom days, by the status they have now (days with none left out)."""
    starts = day_starts(days)
    return {
        (days[number - 1], status): n
        for number, status, n in Comment.objects.filter(created_at__gte=starts[0], created_at__lt=starts[-1])
        .annotate(day=DayNumber("created_at", days))
        .values_list("day", "status")
        .annotate(n=Count("*"))
        .values_list("day", "status", "n")
        .order_by()
    }


def moderation_times(since: datetime) -> dict:
    """Median and 90th percentile of posting-to-decision time, over decisions made since `since`."""
    waited = F("moderated_at") - F("created_at")
    return Comment.objects.filter(moderated_at__gte=since).aggregate(
        decided=Count("*"), median=PercentileCont(waited, 0.5), p90=PercentileCont(waited, 0.9)
    )


def pending_queue_per_day(days: list[date]) -> list[int]:
    """Comments waiting for a moderator at the end of each of these days (consecutive), by running sums in SQL.

    A comment joins the queue the day it is posted and leaves it the day a moderator decides
    (`moderated_at`). Comments never decided by a moderator but no longer pending (e.g. spam caught on
    arrival) never joined it.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    # One pass: changes before the window count on its first day, then a running sum over the days. A comment
    # posted and decided before the window adds nothing, so only those decided since (counted once per day
    # posted and day decided), or still waiting, are read (by index: comment_moderated_cover_idx,
    # comment_queue_idx).
    sql = f"""
        WITH decided AS (
            SELECT width_bucket(created_at, %(starts)s::timestamptz[]) AS posted,
                   width_bucket(moderated_at, %(starts)s::timestamptz[]) AS decided,
                   count(*) AS n
              FROM {table} WHERE moderated_at >= %(since)s
             GROUP BY 1, 2
        ),
        changes AS (
            SELECT posted AS day, n AS change FROM decided
            UNION ALL
            SELECT decided, -n FROM decided
            UNION ALL
            SELECT width_bucket(created_at, %(starts)s::timestamptz[]), count(*)
              FROM {table} WHERE moderated_at IS NULL AND status = %(pending)s
             GROUP BY 1
        ),
        per_day AS (
            SELECT greatest(day, 1) AS day, sum(change) AS change
              FROM changes WHERE day <= %(days)s
             GROUP BY 1
        )
        SELECT coalesce(sum(per_day.change) OVER (ORDER BY days.day), 0)
          FROM generate_series(1, %(days)s) AS days(day)
          LEFT JOIN per_day ON per_day.day = days.day
         ORDER BY days.day
    """
    starts = day_starts(days)  # day numbers as in articles.days.DayNumber
    params = {
        "pending": Comment.Status.PENDING.value,
        "starts": starts,
        "since": starts[0],
        "days": len(days),
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [int(row[0]) for row in cursor.fetchall()]


def rule_outcomes(since: datetime) -> dict[str, dict[str, int]]:
    """For each reason code, of the comments posted since `since` that it held or marked spam: how many a
    moderator then approved (false alarms), confirmed (marked spam or removed), or has not decided yet."""
    table = connection.ops.quote_name(Comment._meta.db_table)
    sql = f"""
        SELECT reason->>'code',
               count(*) FILTER (WHERE moderated_by_id IS NOT NULL AND status = %(approved)s),
               count(*) FILTER (WHERE moderated_by_id IS NOT NULL AND status IN (%(spam)s, %(removed)s)),
               count(*)
          FROM {table}, jsonb_array_elements(reasons) AS reason
         WHERE created_at >= %(since)s AND reasons <> '[]'::jsonb  -- comment_flagged_idx
         GROUP BY 1
    """
    params = {
        "approved": Comment.Status.APPROVED.value,
        "spam": Comment.Status.SPAM.value,
        "removed": Comment.Status.REMOVED.value,
        "since": since,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            code: {"false_alarms": wrong, "confirmed": right, "undecided": total - wrong - right}
            for code, wrong, right, total in cursor.fetchall()
        }
