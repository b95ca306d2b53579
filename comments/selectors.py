"""Reads that decide what a reader or a moderator is shown: threads, where a comment lives, histories.

Each takes what it needs explicitly (the reader's own held comments, the settings), so the same read
serves the article page, the permalink, the admin and the emails.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404
from django.utils.http import urlencode

from articles.models import Article
from comments.models import Comment
from comments.threads import Node, build_threads

THREAD_FIELDS = (
    "id",
    "parent_id",
    "thread_root_id",
    "thread",
    "author_name",
    "author_url",
    "user_id",
    "body_html",
    "status",
    "created_at",
    "edited_at",
    "featured",
    "article_id",
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


def visible_comment(pk: int, *, own_ids: list[int], staff: bool) -> Comment:
    """A comment on a published article that this reader may be sent to (staff: any), or 404."""
    comments = Comment.objects.select_related("article").filter(article__in=Article.objects.published())
    if not staff:
        comments = comments.visible_to(own_ids)
    return get_object_or_404(comments, pk=pk)


def comment_location(
    comment: Comment, *, own_ids: list[int], per_page: int, sort: CommentSort = CommentSort.OLDEST
) -> str:
    """The article page that shows this comment to this reader in this order, anchored on it."""
    article_id = comment.article_id
    root = Comment.objects.only("created_at").get(pk=comment.thread)
    own_roots = [c.pk for c in _own_held(article_id, [*own_ids, comment.pk]) if c.thread_root_id is None]
    roots = Comment.objects.filter(article_id=article_id, thread_root=None).filter(
        Q(status=Comment.Status.APPROVED) | Q(pk__in=own_roots)
    )
    if sort == CommentSort.NEWEST:
        before = Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, pk__gt=root.pk)
    else:
        before = Q(created_at__lt=root.created_at) | Q(created_at=root.created_at, pk__lt=root.pk)
    if sort == CommentSort.PICKS:
        pick_threads = [pk for _, pk in _pick_threads(editors_picks(article_id))]
        if root.pk in pick_threads:
            position = pick_threads.index(root.pk)
        else:
            position = len(pick_threads) + roots.filter(before).exclude(pk__in=pick_threads).count()
    else:
        position = roots.filter(before).count()
    query = {"csort": sort.value} if sort != CommentSort.OLDEST else {}
    if position >= per_page:
        query["cpage"] = position // per_page + 1
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
