"""Writes to comments that carry rules: submitting, moderating, reporting, trusting and blocking."""

import math
from datetime import datetime, timedelta
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from articles.models import Article
from comments.decisions import Decision
from comments.models import Comment, CommenterRule, CommentReport, ModerationEvent, ModerationSettings
from comments.moderation import REPORTED_REASON, Commenter, Submission, assess
from comments.tasks import notify_moderators_task


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


def _lock_commenter(*keys: str) -> None:
    """Serialise submissions per IP and email across processes, so the flood limit is exact."""
    with connection.cursor() as cursor:
        for key in sorted(k for k in keys if k):
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"longwar.comment:{key}"])


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
        user=user,
        author_name=submission.name,
        author_email=submission.email,
        author_url=submission.url,
        body=submission.body,
        status=status,
        reasons=reasons,
        ip_address=submission.ip_address,
        user_agent=submission.user_agent[:500],
        created_at=now,
    )
    comment.full_clean()
    comment.save()
    _log(comment=comment, from_status="", by=user, reason=note)
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
        defaults={"created_at": created_at, "author_email": email, "status": Comment.Status.APPROVED},
    )
    if created:
        _log(comment=comment, from_status="", reason="Imported as approved.")
        return comment, True
    if comment.created_at != created_at:
        comment.created_at = created_at
        comment.save(update_fields=["created_at"])
        return comment, True
    return comment, False


@transaction.atomic
def comments_import(*, comments: list[Comment], notes: list[str], batch: UUID | None = None) -> list[Comment]:
    """Store comments moderated on another site, in bulk, each logged as imported with its original status.

    The IMPORT event counts as a moderator's decision for whatever learns from decisions; approved imports
    also count for the trust ladder, which looks at approved comments. `notes` say, per comment, where it came
    from and what its status was called there. Ids set on the comments are kept.
    """
    created = Comment.objects.bulk_create(comments)
    ModerationEvent.objects.bulk_create(
        ModerationEvent(
            comment=comment,
            kind=ModerationEvent.Kind.IMPORT,
            from_status="",
            to_status=comment.status,
            reason=note,
            batch=batch,
        )
        for comment, note in zip(created, notes, strict=True)
    )
    return created


@transaction.atomic
def comment_import_update(*, comment: Comment, values: dict, note: str, batch: UUID | None = None) -> None:
    """Bring an imported comment up to a newer export (text, author, status), logged as an import.

    The caller decides what may change: never a status a moderator set here, nor a text edited here.
    The log keeps the previous status and text.
    """
    from_status, previous_body = comment.status, comment.body
    for name, value in values.items():
        setattr(comment, name, value)
    comment.save(update_fields=list(values))
    _log(
        comment=comment,
        from_status=from_status,
        reason=note,
        kind=ModerationEvent.Kind.IMPORT,
        previous_body=previous_body if comment.body != previous_body else "",
        batch=batch,
    )


@transaction.atomic
def comment_set_status(*, comment: Comment, to: str, by, reason: str = "", batch: UUID | None = None) -> bool:
    """Move a comment to another status and log who did it; returns False when it was there already.

    `batch` ties together the events of one decision taken on many comments (so it can be undone as one).
    """
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
    return True


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, by, reason: str = "") -> bool:
    """Change a comment's text, mark it edited for readers and keep the old text in the log."""
    if body == comment.body:
        return False
    previous = comment.body
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
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
