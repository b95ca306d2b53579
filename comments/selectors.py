"""Reads that decide what a reader or a moderator is shown: threads, where a comment lives, histories.

Each takes what it needs explicitly (the reader's own held comments, the settings), so the same read
serves the article page, the permalink, the admin and the emails.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Count, Max, Min, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from articles.models import Article
from comments.decisions import UNDO_WINDOW
from comments.models import (
    Comment,
    CommenterKind,
    CommenterNote,
    CommenterRule,
    ModerationEvent,
    ModerationSettings,
)
from comments.reader import edit_refusal
from comments.threads import build_threads, page_of

THREAD_FIELDS = (
    "id",
    "parent_id",
    "author_name",
    "author_url",
    "body",
    "status",
    "created_at",
    "edited_at",
    "featured",
    "article_id",
    "user_id",  # staff badge
    "legacy_id",
)


@dataclass(frozen=True)
class ThreadPage:
    page: Page  # of top-level threads (comments.threads.Node)
    approved: dict[int, Comment]  # every approved comment of the article, by id


def thread_page(article: Article, *, own_ids: list[int], depth: int, per_page: int, number) -> ThreadPage:
    """One page of an article's threads as this reader sees them: approved comments and their own held ones."""
    comments = list(
        Comment.objects.for_article(article)
        .visible_to(own_ids)
        .only(*THREAD_FIELDS)
        .order_by("created_at", "id")
    )
    ids = {comment.pk for comment in comments}
    for comment in comments:
        if comment.legacy_id in ids:
            comment.legacy_id = None  # its old anchor is another comment's id here: one id per page
    page = Paginator(build_threads(comments, depth), per_page).get_page(number)
    approved = {comment.pk: comment for comment in comments if comment.status == Comment.Status.APPROVED}
    return ThreadPage(page=page, approved=approved)


def editable_comment_ids(article: Article, *, own_ids: list[int], config: ModerationSettings) -> set[int]:
    """This reader's comments on the article they may still edit; no query for readers with none."""
    if not own_ids or not config.edit_window_minutes:
        return set()
    now = timezone.now()
    own = (
        Comment.objects.for_article(article)
        .filter(pk__in=own_ids, created_at__gt=now - timedelta(minutes=config.edit_window_minutes))
        .only("id", "status", "created_at")
    )
    return {c.pk for c in own if edit_refusal(c, own_ids=own_ids, config=config, now=now) is None}


def visible_comment(pk: int, *, own_ids: list[int], staff: bool) -> Comment:
    """A comment on a published article that this reader may be sent to (staff: any), or 404."""
    comments = Comment.objects.select_related("article").filter(article__in=Article.objects.published())
    if not staff:
        comments = comments.visible_to(own_ids)
    return get_object_or_404(comments, pk=pk)


def comment_location(comment: Comment, *, own_ids: list[int], per_page: int) -> str:
    """The article page that shows this comment to this reader, anchored on it."""
    parents = dict(
        Comment.objects.for_article(comment.article_id)
        .visible_to([comment.pk, *own_ids])
        .order_by("created_at", "id")
        .values_list("id", "parent_id")
    )
    page = page_of(comment.pk, parents, per_page)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


@dataclass(frozen=True)
class CommenterHistory:
    counts: dict[str, int]  # by status
    first_seen: datetime | None
    other_names: list[str]  # with this email
    ips: list[str]  # used with this email
    other_emails: list[str]  # from this comment's IP address


def commenter_history(comment: Comment) -> CommenterHistory:
    """What the site knows of whoever wrote this comment, by its email and IP address, in two queries."""
    email = comment.author_email
    rows = (
        Comment.objects.filter(author_email=email).exclude(author_email="")
        if email
        else Comment.objects.none()
    )
    by_status: dict[str, int] = {}
    first_seen = None
    names, ips = set(), set()
    for status, name, ip, count, first in rows.values_list("status", "author_name", "ip_address").annotate(
        n=Count("id"), first=Min("created_at")
    ):
        by_status[status] = by_status.get(status, 0) + count
        first_seen = first if first_seen is None else min(first_seen, first)
        names.add(name)
        if ip:
            ips.add(str(ip))
    other_emails = []
    if comment.ip_address:
        other_emails = sorted(
            set(
                Comment.objects.filter(ip_address=comment.ip_address)
                .exclude(author_email=email)
                .values_list("author_email", flat=True)
            )
        )
    return CommenterHistory(
        counts={status: by_status.get(status, 0) for status in Comment.Status.values},
        first_seen=first_seen,
        other_names=sorted(names - {comment.author_name}),
        ips=sorted(ips),
        other_emails=other_emails,
    )


def moderator_emails() -> list[str]:
    """Active staff in the Moderators group, and superusers, who have an email address."""
    users = get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")
    users = users.filter(Q(groups__name="Moderators") | Q(is_superuser=True)).distinct()
    return sorted(users.values_list("email", flat=True))


@dataclass(frozen=True)
class CommenterProfile:
    counts: dict[str, int]  # their comments by status
    comments: list[Comment]  # newest first, at most PROFILE_ROWS
    names: list[str]  # names they used
    others: list[str]  # the IP addresses of an email, or the emails of an IP address
    events: list[ModerationEvent]  # decisions on their comments (who, when), newest first
    notes: list[CommenterNote]
    standing: CommenterRule | None  # in force now


PROFILE_ROWS = 100


def commenter_profile(kind: str, value: str) -> CommenterProfile:
    """What the site knows of one commenter, by email or by IP address, in a fixed number of queries."""
    value = value.lower() if kind == CommenterKind.EMAIL else value
    theirs = Comment.objects.by_commenter(kind, value)
    counts = dict(theirs.values_list("status").annotate(n=Count("id")).order_by())
    if kind == CommenterKind.EMAIL:
        other_field, others = "ip_address", theirs.exclude(ip_address__isnull=True)
    else:
        other_field, others = "author_email", theirs.exclude(author_email="")
    return CommenterProfile(
        counts={status: counts.get(status, 0) for status in Comment.Status.values},
        comments=list(
            theirs.select_related("article", "moderated_by").order_by("-created_at", "-id")[:PROFILE_ROWS]
        ),
        names=list(theirs.values_list("author_name", flat=True).distinct().order_by("author_name")[:50]),
        others=[
            str(v) for v in others.values_list(other_field, flat=True).distinct().order_by(other_field)[:50]
        ],
        events=list(
            ModerationEvent.objects.filter(comment__in=theirs, actor__isnull=False)
            .select_related("actor", "comment")
            .order_by("-created_at", "-id")[:PROFILE_ROWS]
        ),
        notes=list(CommenterNote.objects.filter(kind=kind, value=value).select_related("created_by")),
        standing=CommenterRule.objects.active().filter(kind=kind, value=value).first(),
    )


@dataclass(frozen=True)
class RecentBatch:
    batch: str
    actor: object
    at: datetime
    size: int  # comments in the decision
    summary: str


def recent_batches(comment: Comment) -> list[RecentBatch]:
    """Decisions on this comment that can still be undone (newest first), each with its size."""
    since = timezone.now() - UNDO_WINDOW
    mine = (
        ModerationEvent.objects.filter(
            comment=comment, batch__isnull=False, undoes__isnull=True, created_at__gte=since
        )
        .exclude(batch__in=ModerationEvent.objects.filter(undoes__isnull=False).values("undoes"))
        .values_list("batch", flat=True)
        .distinct()
    )
    rows = (
        ModerationEvent.objects.filter(batch__in=mine)
        .values("batch")
        .annotate(size=Count("comment", distinct=True), at=Min("created_at"), actor=Max("actor__username"))
        .order_by("-at")
    )
    kinds = {
        event.batch: event
        for event in ModerationEvent.objects.filter(comment=comment, batch__in=mine).order_by("id")
    }
    return [
        RecentBatch(
            batch=str(row["batch"]),
            actor=row["actor"] or "site",
            at=row["at"],
            size=row["size"],
            summary=_event_text(kinds[row["batch"]]),
        )
        for row in rows
    ]


def _event_text(event: ModerationEvent) -> str:
    if event.kind == ModerationEvent.Kind.STATUS:
        return f"{event.from_status} → {event.to_status}"
    return event.get_kind_display()


DUPLICATE_SIMILARITY = 0.6  # pg_trgm similarity from which two texts count as the same with small changes
DUPLICATE_MIN_LENGTH = 20  # shorter texts ("Great article!") are alike without being a campaign


def near_duplicate_groups(*, similarity: float = DUPLICATE_SIMILARITY) -> list[list[Comment]]:
    """Pending comments whose texts are nearly the same, from different commenters, biggest group first.

    One query: pairs by trigram similarity (PostgreSQL's pg_trgm, through the queue's trigram index),
    joined into groups here; then one query for the comments.
    """
    table = connection.ops.quote_name(Comment._meta.db_table)
    sql = f"""
        SELECT a.id, b.id
          FROM {table} a JOIN {table} b
            ON a.id < b.id AND a.body %% b.body AND similarity(a.body, b.body) >= %(similarity)s
         WHERE a.status = %(pending)s AND b.status = %(pending)s
           AND length(a.body) >= %(min_length)s AND length(b.body) >= %(min_length)s
           AND (a.author_email, a.author_name) <> (b.author_email, b.author_name)
    """
    params = {
        "similarity": similarity,
        "pending": Comment.Status.PENDING.value,
        "min_length": DUPLICATE_MIN_LENGTH,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        pairs = cursor.fetchall()
    leader: dict[int, int] = {}

    def find(pk: int) -> int:
        while leader.setdefault(pk, pk) != pk:
            leader[pk] = leader[leader[pk]]
            pk = leader[pk]
        return pk

    for a, b in pairs:
        leader[find(a)] = find(b)
    members: dict[int, list[int]] = {}
    for pk in leader:
        members.setdefault(find(pk), []).append(pk)
    comments = Comment.objects.select_related("article").in_bulk(list(leader))
    groups = [sorted((comments[pk] for pk in ids), key=lambda c: c.created_at) for ids in members.values()]
    return sorted(groups, key=lambda group: (-len(group), group[0].created_at))
