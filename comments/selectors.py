"""Reads that decide what a reader or a moderator is shown: threads, where a comment lives, histories.

Each takes what it needs explicitly (the reader's own held comments, the settings), so the same read
serves the article page, the permalink, the admin and the emails.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Min, Q
from django.shortcuts import get_object_or_404

from articles.models import Article
from comments.models import Comment
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
