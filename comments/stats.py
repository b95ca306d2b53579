"""Aggregate figures about comments for the staff insights page; each is one query, whatever the row count."""

from datetime import date, datetime, time

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F
from django.db.models.functions import TruncDate
from django.utils import timezone

from comments.models import Comment


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile, e.g. the median of an interval column."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("fraction must be between 0 and 1")
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


def comments_by_day_and_status(since: datetime) -> dict[tuple[date, str], int]:
    """Comments posted each newsroom day since `since`, by the status they have now (days with none left out)."""
    return {
        (day, status): n
        for day, status, n in Comment.objects.filter(created_at__gte=since)
        .annotate(day=TruncDate("created_at"))
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


def pending_queue_per_day(first: date, last: date) -> list[int]:
    """Comments waiting for a moderator at the end of each day from `first` to `last`, by running sums in SQL.

    A comment joins the queue the day it is posted and leaves it the day a moderator decides
    (`moderated_at`). Comments never decided by a moderator but no longer pending (e.g. spam caught on
    arrival) never joined it.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    # One pass: changes before the window count on its first day, then a running sum over the days. A comment
    # posted and decided before the window adds nothing, so only those decided since, or still waiting, are read
    # (by index: comment_moderated_cover_idx, comment_queue_idx).
    sql = f"""
        WITH changes AS (
            SELECT (created_at AT TIME ZONE %(tz)s)::date AS day, 1 AS change
              FROM {table} WHERE moderated_at >= %(since)s
            UNION ALL
            SELECT (created_at AT TIME ZONE %(tz)s)::date, 1
              FROM {table} WHERE moderated_at IS NULL AND status = %(pending)s
            UNION ALL
            SELECT (moderated_at AT TIME ZONE %(tz)s)::date, -1
              FROM {table} WHERE moderated_at >= %(since)s
        ),
        per_day AS (
            SELECT greatest(day, %(first)s::date) AS day, sum(change) AS change
              FROM changes WHERE day <= %(last)s::date
             GROUP BY 1
        )
        SELECT coalesce(sum(per_day.change) OVER (ORDER BY days.day), 0)
          FROM generate_series(%(first)s::date, %(last)s::date, interval '1 day') AS days(day)
          LEFT JOIN per_day ON per_day.day = days.day::date
         ORDER BY days.day
    """
    params = {
        "tz": timezone.get_current_timezone_name(),
        "pending": Comment.Status.PENDING.value,
        "first": first,
        "last": last,
        "since": timezone.make_aware(datetime.combine(first, time.min)),
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
         WHERE created_at >= %(since)s
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
