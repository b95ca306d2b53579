"""Writes to comments that carry rules: submitting, moderating, reporting, trusting and blocking."""

import math
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from articles.models import Article
from articles.page_cache import article_page_changed
from comments.decisions import Decision
from comments.models import Comment, CommenterRule, CommentReport, ModerationEvent, ModerationSettings
from comments.moderation import REPORTED_REASON, Commenter, Submission, assess
from comments.tasks import notify_moderators_task
from comments.text import comment_body_html


class CommentRefused(Exception):
    """The comment cannot be accepted; the message is for the reader."""


class CommentsClosed(CommentRefused):
    pass


class FloodLimited(CommentRefused):
    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(
            f"You are posting comments too quickly. Please wait {retry_after} seconds and send it again."
        )


class DuplicateComment(CommentRefused):
    pass


class InvalidParent(CommentRefused):
    pass


def comments_closed(*, article: Article, config: ModerationSettings, now: datetime | None = None) -> bool:
    if not article.comments_open:
        return True
    if config.close_after_days and article.published_at:
        return (now or timezone.now()) > article.published_at + timedelta(days=config.close_after_days)
    return False


def _attach_point(*, article: Article, parent_id: int | None, max_depth: int) -> Comment | None:
    """The approved comment a reply hangs from; replies deeper than `max_depth` go to the deepest level."""
    if parent_id is None:
        return None
    parent = Comment.objects.approved().filter(article=article, pk=parent_id).first()
    if parent is None:
        raise InvalidParent("The comment you replied to is no longer available. Your text is still below.")
    # chain[i] sits at depth len(chain) - i. As on the page, a comment whose parent is hidden counts as top-level.
    chain = [parent]
    while chain[-1].parent_id is not None:
        ancestor = Comment.objects.only("id", "parent_id", "status").get(pk=chain[-1].parent_id)
        if ancestor.status != Comment.Status.APPROVED:
            break
        chain.append(ancestor)
    depth = len(chain)
    if depth < max_depth:
        return parent
    target_depth = max_depth - 1
    return chain[depth - target_depth] if target_depth else None


def _thread_of_reply(parent: Comment | None) -> int | None:
    """The thread a new reply joins: its parent's, read under a share lock so that a moderator's decision
    on the parent (which rethreads its replies) waits for this one to be stored, or goes first."""
    if parent is None:
        return None
    table = connection.ops.quote_name(Comment._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT status, thread FROM {table} WHERE id = %s FOR SHARE", [parent.pk])
        status, thread = cursor.fetchone()
    if status != Comment.Status.APPROVED:
        raise InvalidParent("The comment you replied to is no longer available. Your text is still below.")
    return thread


def _count(article_id: int, *, comments: int, threads: int) -> None:
    """Move the article's stored counts (shown on lists and pages) by what just changed."""
    if comments or threads:
        Article.objects.filter(pk=article_id).update(
            comment_count=F("comment_count") + comments,
            comment_thread_count=F("comment_thread_count") + threads,
        )


def _rethread_replies(comment: Comment) -> int:
    """After `comment` became approved or stopped being so, move its replies' threads to match.

    Its replies join its thread while it is approved and start threads of their own while it is not; their
    own replies follow them, level by level. Returns the change in the number of threads readers see.
    """
    threads = 0
    approved = comment.status == Comment.Status.APPROVED
    frontier = {comment.pk: (comment.thread_root_id or comment.pk) if approved else None}
    while frontier:
        replies = list(Comment.objects.filter(parent__in=frontier).values_list("id", "parent_id", "status"))
        moved: dict[int | None, list[int]] = {}
        for pk, parent_id, status in replies:
            root = frontier[parent_id]
            moved.setdefault(root, []).append(pk)
            if status == Comment.Status.APPROVED and parent_id == comment.pk:
                threads += 1 if root is None else -1  # starts a thread, or joins one
        for root, pks in moved.items():
            Comment.objects.filter(pk__in=pks).update(thread_root=root)
        frontier = {
            pk: frontier[parent_id] or pk
            for pk, parent_id, status in replies
            if status == Comment.Status.APPROVED
        }
    return threads


def comment_counts_rebuild(*article_ids: int) -> None:
    """Recount the stored counts from the comments (after bulk writes that bypass the services)."""
    approved = Q(comments__status=Comment.Status.APPROVED)
    for article in Article.objects.filter(pk__in=article_ids).annotate(
        approved=Count("comments", filter=approved),
        threads=Count("comments", filter=approved & Q(comments__thread_root__isnull=True)),
    ):
        Article.objects.filter(pk=article.pk).update(
            comment_count=article.approved, comment_thread_count=article.threads
        )


def _lock_commenter(*keys: str) -> None:
    """Serialise submissions per IP and email across processes, so the flood limit is exact."""
    keys = sorted(f"longwar.comment:{key}" for key in keys if key)
    if keys:
        locks = ", ".join(["pg_advisory_xact_lock(hashtext(%s))"] * len(keys))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {locks}", keys)  # one round trip, always in the same order


def _check_flood(*, submission: Submission, config: ModerationSettings, now: datetime) -> None:
    """Refuse when this IP, or this email, already posted the maximum within the window."""
    window_start = now - timedelta(seconds=config.flood_window_seconds)
    for field, value in (("ip_address", submission.ip_address), ("author_email", submission.email)):
        if not value:
            continue
        recent = list(
            Comment.objects.filter(**{field: value}, created_at__gte=window_start)
            .order_by("-created_at")
            .values_list("created_at", flat=True)[: config.flood_max_comments]
        )
        if len(recent) >= config.flood_max_comments:
            frees_at = recent[-1] + timedelta(seconds=config.flood_window_seconds)
            raise FloodLimited(retry_after=max(1, math.ceil((frees_at - now).total_seconds())))


def _commenter_facts(submission: Submission) -> Commenter:
    rules = CommenterRule.objects.filter(
        Q(kind=CommenterRule.Kind.EMAIL, value=submission.email)
        | Q(kind=CommenterRule.Kind.IP, value=submission.ip_address or "")
    ).values_list("action", "kind")
    rules = set(rules)
    return Commenter(
        blocked_email=(CommenterRule.Action.BLOCK, CommenterRule.Kind.EMAIL) in rules,
        blocked_ip=(CommenterRule.Action.BLOCK, CommenterRule.Kind.IP) in rules,
        trusted=(CommenterRule.Action.TRUST, CommenterRule.Kind.EMAIL) in rules,
        has_approved_comment=Comment.objects.approved()
        .filter(author_email=submission.email, author_name=submission.name)
        .exists(),
    )


def _log(*, comment: Comment, from_status: str, by=None, reason: str = "", **extra) -> None:
    ModerationEvent.objects.create(
        comment=comment, actor=by, from_status=from_status, to_status=comment.status, reason=reason, **extra
    )


@transaction.atomic
def comment_submit(
    *,
    article: Article,
    submission: Submission,
    parent_id: int | None = None,
    user=None,
    config: ModerationSettings | None = None,
    now: datetime | None = None,
) -> Comment:
    """Accept a comment from the site: run the flood, duplicate and moderation rules, store and log it.

    `user` is a logged-in staff member, who posts as themselves and is approved at once.
    """
    now = now or timezone.now()
    config = config or ModerationSettings.load()
    if comments_closed(article=article, config=config, now=now):
        raise CommentsClosed("Comments are closed on this article.")
    parent = _attach_point(article=article, parent_id=parent_id, max_depth=config.thread_depth)
    if user is None:
        _lock_commenter(submission.email, submission.ip_address or "")
        _check_flood(submission=submission, config=config, now=now)
    same_author = Q(author_email=submission.email) if submission.email else Q(user=user)
    if Comment.objects.filter(same_author, article=article, body=submission.body).exists():
        raise DuplicateComment("You have already posted this comment on this article.")

    if user is not None:
        status, reasons, note = Comment.Status.APPROVED, [], "Posted by staff."
    else:
        verdict = assess(submission, config, _commenter_facts(submission))
        status, reasons = verdict.status, [{"code": code, "text": text} for code, text in verdict.reasons]
        note = verdict.note or "; ".join(reason["text"] for reason in reasons)
    comment = Comment(
        article=article,
        parent=parent,
        thread_root_id=_thread_of_reply(parent),
        user=user,
        author_name=submission.name,
        author_email=submission.email,
        author_url=submission.url,
        body=submission.body,
        body_html=comment_body_html(submission.body),
        status=status,
        reasons=reasons,
        ip_address=submission.ip_address,
        user_agent=submission.user_agent[:500],
        created_at=now,
    )
    # The fields as the form and the rules left them; the database itself checks the keys and constraints.
    comment.full_clean(exclude=["article", "parent", "thread_root", "user"], validate_constraints=False)
    comment.save()
    _log(comment=comment, from_status="", by=user, reason=note)
    if comment.status == Comment.Status.APPROVED:
        _count(article.pk, comments=1, threads=1 if parent is None else 0)
        article_page_changed(article.slug)
    if comment.status == Comment.Status.PENDING and config.notify_moderators:
        transaction.on_commit(lambda: notify_moderators_task.enqueue(comment.pk), robust=True)
    return comment


@transaction.atomic
def comment_import(
    *, article: Article, name: str, body: str, created_at: datetime, email: str = ""
) -> tuple[Comment, bool]:
    """Store an already-moderated comment (seeds, imports) as approved; idempotent on article, name and text.

    Returns the comment and whether anything was written.
    """
    comment, created = Comment.objects.get_or_create(
        article=article,
        author_name=name,
        body=body,
        defaults={
            "created_at": created_at,
            "author_email": email,
            "status": Comment.Status.APPROVED,
            "body_html": comment_body_html(body),
        },
    )
    if created:
        _log(comment=comment, from_status="", reason="Imported as approved.")
        _count(article.pk, comments=1, threads=1)
        article_page_changed(article.slug)
        return comment, True
    if comment.created_at != created_at:
        comment.created_at = created_at
        comment.save(update_fields=["created_at"])
        article_page_changed(article.slug)
        return comment, True
    return comment, False


@transaction.atomic
def comment_set_status(*, comment: Comment, to: str, by, reason: str = "", batch: UUID | None = None) -> bool:
    """Move a comment to another status and log who did it; returns False when it was there already.

    `batch` ties together the events of one decision taken on many comments (so it can be undone as one).
    """
    # Read the status under a lock: two moderators deciding at once are logged and counted once each.
    current = Comment.objects.select_for_update().only("status", "thread_root").get(pk=comment.pk)
    comment.status, comment.thread_root_id = current.status, current.thread_root_id
    if comment.status == to:
        return False
    from_status = comment.status
    comment.status = to
    # Back in the queue means awaiting a decision again; the log keeps the history.
    back_in_queue = to == Comment.Status.PENDING
    comment.moderated_at = None if back_in_queue else timezone.now()
    comment.moderated_by = None if back_in_queue else by
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    _log(comment=comment, from_status=from_status, by=by, reason=reason, batch=batch)
    approved = Comment.Status.APPROVED
    if approved in (from_status, to):
        sign = 1 if to == approved else -1
        starts_thread = comment.thread_root_id is None
        _count(comment.article_id, comments=sign, threads=sign * starts_thread + _rethread_replies(comment))
        article_page_changed(comment.article.slug)
    return True


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, by, reason: str = "") -> bool:
    """Change a comment's text, mark it edited for readers and keep the old text in the log."""
    if body == comment.body:
        return False
    previous = comment.body
    comment.body = body
    comment.body_html = comment_body_html(body)
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "body_html", "edited_at"])
    if comment.status == Comment.Status.APPROVED:
        article_page_changed(comment.article.slug)
    _log(
        comment=comment,
        from_status=comment.status,
        by=by,
        reason=reason,
        kind=ModerationEvent.Kind.EDIT,
        previous_body=previous,
    )
    return True


@transaction.atomic
def comment_set_featured(*, comment: Comment, featured: bool, by) -> bool:
    """Make an approved comment an editors' pick, or no longer one; logged. False when nothing changed."""
    if comment.featured == featured or (featured and comment.status != Comment.Status.APPROVED):
        return False
    comment.featured = featured
    comment.save(update_fields=["featured"])
    article_page_changed(comment.article.slug)
    kind = ModerationEvent.Kind.FEATURE if featured else ModerationEvent.Kind.UNFEATURE
    _log(comment=comment, from_status=comment.status, by=by, kind=kind)
    return True


def _set_commenter_rules(*, comment: Comment, decision: Decision, by) -> None:
    """Trust or block the commenter by the decision's kinds of value; comments without one (imports) get no rule."""
    values = {
        CommenterRule.Kind.EMAIL: comment.author_email.lower(),
        CommenterRule.Kind.IP: comment.ip_address,
    }
    for kind in decision.rule_kinds:
        if values[kind]:
            CommenterRule.objects.update_or_create(
                kind=kind,
                value=values[kind],
                defaults={
                    "action": decision.commenter_rule,
                    "created_by": by,
                    "note": f"{decision.done} from comment {comment.pk}",
                },
            )


@transaction.atomic
def comment_decide(*, comment: Comment, decision: Decision, by, batch: UUID | None = None) -> bool:
    """Apply a moderator's decision: the commenter rule it carries, if any, then the status, logged.

    Returns False when the comment already had that status (nothing is logged then).
    """
    if decision.commenter_rule:
        _set_commenter_rules(comment=comment, decision=decision, by=by)
    return comment_set_status(
        comment=comment, to=decision.status, by=by, reason=decision.log_reason, batch=batch
    )


@transaction.atomic
def comment_report(*, comment: Comment, session_key: str, ip_address: str | None = None) -> bool:
    """Record one reader's report; enough reports send an approved comment back to review.

    A session or an IP address reports a comment once, and only reports made since the last moderator
    decision count, so a comment a moderator re-approved needs as many fresh reports to be held again.
    Returns False when this reader had already reported the comment.
    """
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    same_reader = Q(session_key=session_key) | (Q(ip_address=ip_address) if ip_address else Q(pk__in=[]))
    if comment.reports.filter(same_reader).exists():
        return False
    CommentReport.objects.create(comment=comment, session_key=session_key, ip_address=ip_address)
    recent = comment.reports.all()
    if comment.moderated_at:
        recent = recent.filter(created_at__gt=comment.moderated_at)
    config = ModerationSettings.load()
    if comment.status == Comment.Status.APPROVED and recent.count() >= config.report_threshold:
        code, text = REPORTED_REASON
        if {"code": code, "text": text} not in comment.reasons:
            comment.reasons = [*comment.reasons, {"code": code, "text": text}]
            comment.save(update_fields=["reasons"])
        comment_set_status(comment=comment, to=Comment.Status.PENDING, by=None, reason=text)
        if config.notify_moderators:
            transaction.on_commit(lambda: notify_moderators_task.enqueue(comment.pk), robust=True)
    return True
