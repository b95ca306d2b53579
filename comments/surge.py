"""Surge mode: stricter moderation while held comments pour in faster than usual, or nobody is on duty.

The site switches it on when comments are held N times faster than usual for that hour of the day
(`surge_factor`, against the same hour of the last 28 days) or outside the staffed hours, and off again
when that has passed. Moderators can switch it on and off by hand; a surge started by hand ends only by
hand, and one switched off by hand is not restarted by the site for an hour. Each period is logged with
when and why (`SurgeLog`). While it lasts every comment is held and the flood limit is tighter.
The posting path reads only whether a surge is on; the check itself runs in the task worker.
"""

import copy
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.utils import timezone

from comments import state
from comments.models import CommentStatus, ModerationEvent, ModerationSettings, SurgeLog

USUAL_DAYS = 28
RESPECT_MANUAL_OFF = timedelta(hours=1)
CHECK_EVERY = 60  # seconds between checks of the held-comment rate, per cache
CHECKED = f"{state.PREFIX}surge-checked"  # an announced key (comments.state)


def active_surge() -> SurgeLog | None:
    """The surge in force, read from the primary database."""
    return SurgeLog.objects.using(DEFAULT_DB_ALIAS).filter(ended_at__isnull=True).first()


def surge_in_force() -> SurgeLog | None:
    """The active surge as posting sees it, without a query (comments.state); a copy."""
    return copy.copy(state.remembered(state.SURGE, active_surge))


def check_due() -> bool:
    """Whether this post is the one to queue the worker's check of the held-comment rate: the first in
    CHECK_EVERY seconds across processes (the cache's `add` decides). While the mark is set, a post reads
    this process's copy of it (the key is announced) instead of asking Redis."""
    return cache.get(CHECKED) is None and cache.add(CHECKED, True, timeout=CHECK_EVERY)


def strict(config: ModerationSettings) -> ModerationSettings:
    """The settings in force during a surge (never saved): a tighter flood limit."""
    stricter = copy.copy(config)
    stricter.flood_max_comments = min(config.flood_max_comments, config.surge_flood_max_comments)
    return stricter


def held_per_hour(now: datetime) -> tuple[int, float]:
    """Comments held on arrival in the last hour, and the average for the same hour of the newsroom's clock
    over the last 28 days."""
    table = connection.ops.quote_name(ModerationEvent._meta.db_table)
    # The age on the wall clock, so that "this hour yesterday" stays right across a DST change.
    clock_age = "(%(now)s AT TIME ZONE %(tz)s) - (created_at AT TIME ZONE %(tz)s)"
    sql = f"""
        SELECT count(*) FILTER (WHERE created_at > %(now)s - interval '1 hour'),
               count(*) FILTER (WHERE {clock_age} >= interval '1 day'
                                  AND mod(floor(extract(epoch FROM {clock_age}) / 3600)::int, 24) = 0)
          FROM {table}
         WHERE kind = %(status)s AND from_status = '' AND to_status = %(pending)s
           AND created_at > %(now)s - interval '{USUAL_DAYS} days 2 hours' AND created_at <= %(now)s
           AND {clock_age} < interval '{USUAL_DAYS} days 1 hour'
    """
    params = {
        "now": now,
        "tz": timezone.get_current_timezone_name(),
        "status": ModerationEvent.Kind.STATUS.value,
        "pending": CommentStatus.PENDING.value,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        last_hour, same_hours = cursor.fetchone()
    return last_hour, same_hours / USUAL_DAYS


def staffed(config: ModerationSettings, moment: time) -> bool:
    start, end = config.staffed_from, config.staffed_until
    if start is None or end is None or start == end:
        return True
    return start <= moment < end if start < end else (moment >= start or moment < end)


def surge_reason(config: ModerationSettings, now: datetime) -> str:
    """Why the site should be in surge mode now, or "" when it should not."""
    local = timezone.localtime(now)
    if not staffed(config, local.time()):
        return f"Outside staffed hours ({config.staffed_from:%H:%M}–{config.staffed_until:%H:%M})."
    if config.surge_factor:
        last_hour, usual = held_per_hour(now)
        if last_hour >= max(config.surge_min_held, config.surge_factor * usual):
            return (
                f"{last_hour} comments held in the last hour; usually {usual:.1f} at this hour "
                f"(surge from {config.surge_factor:g} times that)."
            )
    return ""


@transaction.atomic
def surge_check(now: datetime | None = None) -> SurgeLog | None:
    """Switch surge mode on or off as the rate and the staffed hours say; returns the surge in force."""
    now = now or timezone.now()
    config = ModerationSettings.objects.select_for_update().filter(pk=1).first() or ModerationSettings.load()
    current = active_surge()
    if current and current.manual:
        return current
    reason = surge_reason(config, now)
    if current and not reason:
        current.ended_at, current.end_reason = now, "The surge passed."
        current.save(update_fields=["ended_at", "end_reason"])
        return None
    if reason and not current:
        recently_off = SurgeLog.objects.filter(
            ended_by__isnull=False, ended_at__gt=now - RESPECT_MANUAL_OFF
        ).exists()
        if not recently_off:
            return SurgeLog.objects.create(started_at=now, reason=reason)
    return current


@transaction.atomic
def surge_switch(*, on: bool, by, reason: str = "") -> SurgeLog | None:
    """A moderator switches surge mode on or off by hand."""
    ModerationSettings.objects.select_for_update().filter(pk=1).first()
    current = active_surge()
    if on:
        if current:
            return current
        return SurgeLog.objects.create(reason=reason or "Switched on by hand.", started_by=by)
    if current:
        current.ended_at, current.ended_by = timezone.now(), by
        current.end_reason = reason or "Switched off by hand."
        current.save(update_fields=["ended_at", "ended_by", "end_reason"])
    return None
