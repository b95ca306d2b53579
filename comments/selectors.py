"""Reads that decide what a reader or a moderator is shown: threads, where a comment lives, histories.

Each takes what it needs explicitly (the reader's own held comments, the settings), so the same read
serves the article page, the permalink, the admin and the emails.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import connection, connections, models, router
from django.db.models import Count, Max, Min, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.http import urlencode

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
from comments.threads import Node, build_threads

THREAD_FIELDS = (
    "id",
    "parent_id",
    "thread_root_id",
    "thread",
    "author_name",
    "author_url",
    "user_id",  # staff badge
    "body_html",
    "status",
    "created_at",
    "edited_at",
    "featured",
    "article_id",
    "legacy_id",  # an imported comment's old anchor
)


class CommentSort(models.TextChoices):
    """How a reader orders the threads (`?csort=`); replies always read oldest first inside a thread."""

    OLDEST = "oldest", "Oldest first"
    NEWEST = "newest", "Newest first"
    PICKS = "picks", "Editors' picks first"


def comment_sort(value: str | None) -> CommentSort:
    return CommentSort(value) if value in CommentSort.values else CommentSort.OLDEST


def _public_roots(article_id: int):
    """Top-level comments everyone sees, in an index (comment_thread_roots_idx)."""
    return Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED, thread_root=None)


def _own_held(article_id: int, own_ids: list[int]) -> list[Comment]:
    """The reader's own comments on this article that await a moderator (or were turned away)."""
    if not own_ids:
        return []
    return list(
        Comment.objects.filter(article_id=article_id, pk__in=own_ids)
        .exclude(status=Comment.Status.APPROVED)
        .only(*THREAD_FIELDS)
    )


def editors_picks(article_id: int) -> list[Comment]:
    """The article's editors' picks, oldest first, each with the top-level comment of its thread."""
    return list(
        Comment.objects.filter(article_id=article_id, status=Comment.Status.APPROVED, featured=True)
        .select_related("thread_root")
        .only(*THREAD_FIELDS, "thread_root__created_at")
        .order_by("created_at", "id")
    )


def _pick_threads(picks: list[Comment]) -> list[tuple]:
    """The (created_at, id) of each thread holding a pick, in thread order."""
    threads = {(p.thread_root or p).pk: (p.thread_root or p).created_at for p in picks}
    return sorted((created, pk) for pk, created in threads.items())


class ThreadSequence:
    """An article's top-level threads as one reader sees them, for Django's Paginator.

    Slicing fetches only that page's threads, in one query (plus one for the rest after the picks): the
    page's top-level comments by an index and OFFSET, and their replies by `thread`. The length is the
    stored count of threads (`Article.comment_thread_count`) plus the reader's own held top-level comments.
    """

    def __init__(self, article: Article, *, own_held, picks, sort: CommentSort, depth: int):
        self.article, self.sort, self.depth = article, sort, depth
        self.own_held = {comment.pk for comment in own_held}
        self.own_roots = {comment.pk for comment in own_held if comment.thread_root_id is None}
        self.pick_threads = [pk for _, pk in _pick_threads(picks)] if sort == CommentSort.PICKS else []

    def count(self) -> int:
        return self.article.comment_thread_count + len(self.own_roots)

    def _roots(self):
        roots = Comment.objects.filter(article_id=self.article.pk, thread_root=None)
        if self.own_roots:
            roots = roots.filter(Q(status=Comment.Status.APPROVED) | Q(pk__in=self.own_roots))
        else:
            roots = roots.filter(status=Comment.Status.APPROVED)
        if self.sort == CommentSort.NEWEST:
            return roots.order_by("-created_at", "-id")
        return roots.exclude(pk__in=self.pick_threads).order_by("created_at", "id")

    def __getitem__(self, window: slice) -> list[Node]:
        start, stop = window.start or 0, window.stop
        picked, skipped = self.pick_threads[start:stop], len(self.pick_threads)
        visible = Q(status=Comment.Status.APPROVED)
        if self.own_held:
            visible |= Q(pk__in=self.own_held)
        members = Comment.objects.filter(visible, thread__in=picked).only(*THREAD_FIELDS)
        if stop > skipped:
            rest = self._roots()[max(0, start - skipped) : stop - skipped].values("id")
            in_rest = Comment.objects.filter(visible, thread__in=rest).only(*THREAD_FIELDS)
            members = members.union(in_rest, all=True) if picked else in_rest
        comments = sorted(members, key=lambda comment: (comment.created_at, comment.pk))
        ids = {comment.pk for comment in comments}
        for comment in comments:
            if comment.legacy_id in ids:
                comment.legacy_id = None  # its old anchor is another comment's id here: one id per page
        threads = build_threads(comments, self.depth)
        first = {pk: position for position, pk in enumerate(picked)}
        newest = self.sort == CommentSort.NEWEST
        threads.sort(
            key=lambda node: (
                first.get(node.comment.pk, len(first)),
                node.comment.created_at,
                node.comment.pk,
            ),
            reverse=newest,
        )
        return threads


@dataclass(frozen=True)
class ThreadPage:
    page: Page  # of top-level threads (comments.threads.Node)
    sort: CommentSort
    picks: list[Comment]


def thread_page(
    article: Article, *, own_ids: list[int], depth: int, per_page: int, number, sort: CommentSort
) -> ThreadPage:
    """One page of an article's threads as this reader sees them: approved comments and their own held ones."""
    picks = editors_picks(article.pk)
    threads = ThreadSequence(
        article, own_held=_own_held(article.pk, own_ids), picks=picks, sort=sort, depth=depth
    )
    return ThreadPage(page=Paginator(threads, per_page).get_page(number), sort=sort, picks=picks)


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


def visible_comment(pk: int, *, own_ids: list[int], staff: bool, article_id: int | None = None) -> Comment:
    """A comment on a published article that this reader may be sent to (staff: any), or 404.

    Given the article, `pk` may also be the comment's id on WordPress (`legacy_id`), which wins: old links
    carry those.
    """
    comments = Comment.objects.select_related("article").filter(article__in=Article.objects.published())
    if not staff:
        comments = comments.visible_to(own_ids)
    if article_id is None:
        return get_object_or_404(comments, pk=pk)
    on_article = comments.filter(Q(pk=pk) | Q(legacy_id=pk), article_id=article_id)
    found = sorted(on_article[:2], key=lambda comment: comment.legacy_id != pk)  # a WordPress id first
    if not found:
        raise Http404("No such comment on this article.")
    return found[0]


def comment_location(
    comment: Comment,
    *,
    own_ids: list[int],
    per_page: int,
    sort: CommentSort = CommentSort.OLDEST,
    just_posted: bool = False,
) -> str:
    """The article page that shows this comment to this reader in this order, anchored on it.

    Its thread's place is counted from the newest end: the threads newer than it, taken from the number of
    threads the article stores, so that the page of a comment just posted costs one small query however long
    the thread. The threads this reader sees are the approved ones and their own held ones at the top level.

    The article's stored count, as read with it, is enough alone while every thread fits on the first page,
    and for a thread that `comment` (`just_posted` in this request) starts, from a reader with no other
    comments: every thread they see is older than theirs, so it comes first when newest come first and
    last otherwise (after the picks too: it is none).
    """
    article = comment.article
    if article.comment_thread_count + len(own_ids) < per_page:  # every thread on the first page
        return _anchored(comment, sort, page=1)
    if just_posted and comment.thread_root_id is None and not own_ids:
        position = 0 if sort == CommentSort.NEWEST else article.comment_thread_count
        return _anchored(comment, sort, page=position // per_page + 1)
    root = (
        comment if comment.thread == comment.pk else Comment.objects.only("created_at").get(pk=comment.thread)
    )
    pick_threads = (
        [pk for _, pk in _pick_threads(editors_picks(article.pk))] if sort == CommentSort.PICKS else []
    )
    if root.pk in pick_threads:
        return _anchored(comment, sort, page=pick_threads.index(root.pk) // per_page + 1)
    threads, approved_newer, own, own_newer = _thread_counts(
        article.pk, root=root, own_ids=[*own_ids, comment.pk], pick_threads=pick_threads
    )
    if sort == CommentSort.NEWEST:
        position = approved_newer + own_newer
    else:  # oldest first, after the picks if any: every visible thread not newer than it, less itself
        position = threads + own - 1 - (approved_newer + own_newer)
    return _anchored(comment, sort, page=max(position, 0) // per_page + 1)


def _thread_counts(
    article_id: int, *, root: Comment, own_ids: list[int], pick_threads: list[int]
) -> tuple[int, int, int, int]:
    """The article's stored count of threads; its approved threads newer than `root` (picks aside); the
    reader's own held threads, and how many of those are newer. One statement, written out: built by the
    ORM, its counting subqueries cost twenty times what the database spends on them. Read where the
    comment was read (the replica for an anonymous permalink, the primary after a post)."""
    database = connections[router.db_for_read(Comment)]
    comments, articles = (database.ops.quote_name(model._meta.db_table) for model in (Comment, Article))
    newer = "(c.created_at, c.id) > (%(created)s, %(root)s)"
    own = f"""SELECT c.created_at, c.id FROM {comments} c WHERE c.id = ANY(%(own)s) AND c.article_id = a.id
        AND c.thread_root_id IS NULL AND c.status <> %(approved)s"""
    sql = f"""SELECT a.comment_thread_count,
        (SELECT count(*) FROM {comments} c WHERE c.article_id = a.id AND c.status = %(approved)s
            AND c.thread_root_id IS NULL AND {newer} AND NOT c.id = ANY(%(picks)s)),
        (SELECT count(*) FROM ({own}) c),
        (SELECT count(*) FROM ({own}) c WHERE {newer})
        FROM {articles} a WHERE a.id = %(article)s"""
    params = {"article": article_id, "created": root.created_at, "root": root.pk, "own": own_ids}
    params |= {"picks": pick_threads, "approved": Comment.Status.APPROVED.value}
    with database.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def _anchored(comment: Comment, sort: CommentSort, *, page: int) -> str:
    query = {"csort": sort.value} if sort != CommentSort.OLDEST else {}
    if page > 1:
        query["cpage"] = page
    suffix = f"?{urlencode(query)}" if query else ""
    return f"{comment.article.get_absolute_url()}{suffix}#comment-{comment.pk}"


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
        .exclude(kind=ModerationEvent.Kind.IMPORT)  # an import is no moderator's decision to take back
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
