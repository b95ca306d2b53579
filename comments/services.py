"""Writes to comments that carry rules: submitting, moderating, undoing, editing, reporting, commenters'
standing, and readers' email subscriptions."""

import math
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, F, Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.formats import date_format

from articles.models import Article
from articles.page_cache import article_page_changed
from comments import learning, notifications, surge
from comments.addresses import FLOOD_PREFIX, TRUST_PREFIX, in_network, network_of, normalised_ip
from comments.decisions import UNDO_WINDOW, Decision
from comments.models import (
    Comment,
    CommenterNote,
    CommenterRule,
    CommentReport,
    EmailSubscription,
    ModerationEvent,
    ModerationSettings,
)
from comments.moderation import HOLD_ALL_REASON, REPORTED_REASON, Commenter, Submission, assess
from comments.reader import edit_refusal
from comments.tasks import (
    alert_moderators,
    enqueue_after,
    retrain_spam_model_task,
    send_confirmation_task,
    send_decision_notice_task,
    send_reply_notices_task,
    surge_check_task,
)
from comments.text import comment_body_html
from comments.threads import thread_roots


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


class EditRefused(CommentRefused):
    pass


MAX_AUTHOR_EDITS = 10  # per comment: the window is short, but a script could fill the log


class CommenterSuspended(CommentRefused):
    def __init__(self, until: datetime):
        self.until = until
        when = date_format(timezone.localtime(until), "DATETIME_FORMAT")
        super().__init__(
            f"You cannot post comments until {when} ({timezone.get_current_timezone_name()}). "
            "Your text is still below."
        )


def _alert_moderators() -> None:
    """After commit, tell the task worker a comment started waiting (it decides between now and a digest)."""
    transaction.on_commit(alert_moderators, robust=True)


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


@transaction.atomic
def comment_threads_rebuild(*article_ids: int) -> None:
    """Recompute these articles' threads and stored counts from their comments, and retire their pages.

    For writes that bypass the services: deletions (replies outlive their parent) and imports.
    """
    rows = list(
        Comment.objects.filter(article_id__in=article_ids).values_list(
            "id", "parent_id", "status", "thread_root"
        )
    )
    stored = {pk: root for pk, _, _, root in rows}
    roots = thread_roots({pk: (parent, status == Comment.Status.APPROVED) for pk, parent, status, _ in rows})
    moved: dict[int | None, list[int]] = {}
    for pk, root in roots.items():
        if stored[pk] != root:
            moved.setdefault(root, []).append(pk)
    for root, pks in moved.items():
        Comment.objects.filter(pk__in=pks).update(thread_root=root)
    _recount(*article_ids)
    for slug in Article.objects.filter(pk__in=article_ids).values_list("slug", flat=True):
        article_page_changed(slug)


_deleting = threading.local()


@contextmanager
def comments_deleted_together():
    """Many comments deleted at once (the admin's bulk delete, an article's cascade): the threads of their
    articles are rebuilt once each at the end, not once per comment."""
    if getattr(_deleting, "article_ids", None) is not None:  # already inside one
        yield
        return
    _deleting.article_ids = set()
    try:
        yield
        article_ids = _deleting.article_ids
    finally:
        _deleting.article_ids = None
    comment_threads_rebuild(*article_ids)


def comment_threads_rebuild_after_delete(article_id: int) -> None:
    if getattr(_deleting, "article_ids", None) is None:
        comment_threads_rebuild(article_id)
    else:
        _deleting.article_ids.add(article_id)


def _recount(*article_ids: int) -> None:
    """Store the articles' counts afresh. The articles are locked first, so the counting sees every comment
    whose `_count` went before, and any that comes after adds to the fresh count instead of being lost."""
    list(Article.objects.select_for_update().filter(pk__in=article_ids).order_by("pk").values_list("pk"))
    approved = Q(comments__status=Comment.Status.APPROVED)
    for article in Article.objects.filter(pk__in=article_ids).annotate(
        approved=Count("comments", filter=approved),
        threads=Count("comments", filter=approved & Q(comments__thread_root__isnull=True)),
    ):
        Article.objects.filter(pk=article.pk).update(
            comment_count=article.approved, comment_thread_count=article.threads
        )


def _commenter_locks(*keys: str) -> tuple[str, dict]:
    """The statement taking the locks that serialise work on one commenter across processes: submissions per
    IP and email (so the flood limit is exact), and a decision's writes of their standing. Always in the same
    order; an empty statement when there are no keys."""
    keys = sorted(f"longwar.comment:{key}" for key in keys if key)
    if not keys:
        return "", {}
    locks = ", ".join(f"pg_advisory_xact_lock(hashtext(%(lock{n})s))" for n in range(len(keys)))
    return f"SELECT {locks};", {f"lock{n}": key for n, key in enumerate(keys)}


def _lock_commenter(*keys: str) -> None:
    sql, params = _commenter_locks(*keys)
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@dataclass(frozen=True)
class _Sender:
    """What the database holds on whoever sent a submission, read once their lock is held."""

    recent: tuple[list[datetime], list[datetime]]  # in the flood window, newest first: by network, by email
    duplicate: bool  # the same text from them on this article already
    standing: set[tuple[str, str]]  # (action, kind) of each commenter rule in force for them
    suspended_until: datetime | None


def _sender(
    *, submission: Submission, article: Article, user, config: ModerationSettings, now: datetime, lock: bool
) -> _Sender:
    """Their comments in the flood window (none counted for staff), whether this text is a repeat, and
    their standing, in one statement; with `lock`, after taking the locks on the sender (their IP network
    and email) in the same round trip. Each statement of a string reads the rows committed when it starts,
    so the reads see every comment of whoever held those locks before. (psycopg2 sends the string as one
    simple query and returns the last statement's row; psycopg 3 would not.)

    Written out: built by the ORM, these three reads took five times what the database spends on them, on
    the path every comment takes. Each uses an index: (ip_address, created_at), (author_email, created_at),
    (article, author_email) and the rules' unique (kind, value). Rules in force as
    `CommenterRuleQuerySet.active` has them.
    """
    comments, rules = (connection.ops.quote_name(model._meta.db_table) for model in (Comment, CommenterRule))
    network = network_of(submission.ip_address, FLOOD_PREFIX) if submission.ip_address else None

    def recent(sender: str) -> str:
        return f"""ARRAY(SELECT created_at FROM {comments} WHERE {sender} AND created_at >= %(since)s
            ORDER BY created_at DESC LIMIT %(limit)s)"""

    same_author = """(%(email)s <> '' AND author_email = %(email)s
        OR %(email)s = '' AND user_id IS NOT DISTINCT FROM %(user)s)"""
    in_force = f"""FROM {rules} WHERE (kind = 'email' AND value = %(email_key)s OR kind = 'ip' AND value = %(ip)s)
        AND (expires_at IS NULL OR expires_at > %(now)s)"""
    sql = f"""SELECT {recent("ip_address BETWEEN %(low)s::inet AND %(high)s::inet")},
        {recent("%(email)s <> '' AND author_email = %(email)s")},
        EXISTS(SELECT 1 FROM {comments} WHERE article_id = %(article)s AND body = %(body)s AND {same_author}),
        ARRAY(SELECT action || ' ' || kind {in_force}),
        (SELECT max(expires_at) {in_force} AND action = '{CommenterRule.Action.SUSPEND.value}')"""
    params = {
        "since": now - timedelta(seconds=config.flood_window_seconds) if user is None else None,
        "limit": config.flood_max_comments,
        "low": str(network.network_address) if network else None,
        "high": str(network.broadcast_address) if network else None,
        "email": submission.email,
        "email_key": submission.email.lower(),
        "ip": submission.ip_address or "",
        "now": now,
        "article": article.pk,
        "body": submission.body,
        "user": user.pk if user is not None else None,
    }
    locks, keys = _commenter_locks(submission.email, str(network or "")) if lock else ("", {})
    with connection.cursor() as cursor:
        cursor.execute(locks + sql, params | keys)
        by_network, by_email, duplicate, standing, suspended_until = cursor.fetchone()
    return _Sender(
        recent=(by_network, by_email),
        duplicate=duplicate,
        standing={tuple(rule.split(" ")) for rule in standing},
        suspended_until=suspended_until,
    )


def _check_flood(sender: _Sender, *, config: ModerationSettings, now: datetime) -> None:
    """Refuse when this IP address (an IPv6 /64), or this email, already posted the maximum within the window.

    The wait counts from the comment whose leaving the window brings the sender below the maximum."""
    window = timedelta(seconds=config.flood_window_seconds)
    for times in sender.recent:
        if len(times) >= config.flood_max_comments:
            frees_at = times[config.flood_max_comments - 1] + window
            raise FloodLimited(retry_after=max(1, math.ceil((frees_at - now).total_seconds())))


def _commenter_facts(
    submission: Submission,
    config: ModerationSettings,
    standing: set[tuple[str, str]],
    suspended_until: datetime | None,
) -> Commenter:
    """The sender as the rules see them, from their standing; a suspension refuses the comment outright.

    Trust needs more than the email, which anyone can type: the submission must also come from a network
    seen on that email's approved comments (TRUST_PREFIX). That history is read only when something asks
    for it: a trust rule, or the policy of approving commenters already approved.
    """
    if suspended_until is not None:
        raise CommenterSuspended(suspended_until)
    trusted_email = (CommenterRule.Action.TRUST, CommenterRule.Kind.EMAIL) in standing
    asked = trusted_email or config.policy == ModerationSettings.Policy.APPROVE_KNOWN
    known_names = set()
    if asked and submission.ip_address and submission.email:
        known_names = set(
            Comment.objects.approved()
            .filter(
                in_network(network_of(submission.ip_address, TRUST_PREFIX)), author_email=submission.email
            )
            .values_list("author_name", flat=True)
            .distinct()
        )
    return Commenter(
        blocked_email=(CommenterRule.Action.BLOCK, CommenterRule.Kind.EMAIL) in standing,
        blocked_ip=(CommenterRule.Action.BLOCK, CommenterRule.Kind.IP) in standing,
        trusted=trusted_email and bool(known_names),
        always_held=any(action == CommenterRule.Action.HOLD for action, _ in standing),
        has_approved_comment=submission.name in known_names,
    )


def _lock(comment: Comment, *fields: str) -> None:
    """Lock the comment's row until the transaction ends and read `fields` afresh from it.

    Two moderators deciding on one comment at once are taken in turn, and each logs what it really changed.
    """
    current = Comment.objects.select_for_update().values(*fields).get(pk=comment.pk)
    for name, value in current.items():
        setattr(comment, name, value)


def _log(*, comment: Comment, from_status: str, by=None, reason: str = "", **extra) -> None:
    ModerationEvent.objects.create(
        comment=comment, actor=by, from_status=from_status, to_status=comment.status, reason=reason, **extra
    )


def _tell_readers(comment: Comment, from_status: str) -> None:
    """After a comment's status is set: note it for the author it replies to, and tell its own author, who
    asked, what a moderator decided. The emails go from the task worker once the change is committed."""
    if comment.status == Comment.Status.APPROVED and comment.parent_id:
        subscription = notifications.record_reply_notice(comment)
        if subscription is not None:  # one email for the burst of replies approved in the next minutes
            transaction.on_commit(
                lambda: enqueue_after(send_reply_notices_task, notifications.REPLY_BURST, subscription.pk),
                robust=True,
            )
    kind = notifications.decision_notice_kind(comment, from_status)
    if kind is not None:
        comment.notify_decision = False  # told once
        comment.save(update_fields=["notify_decision"])
        transaction.on_commit(lambda: send_decision_notice_task.enqueue(comment.pk, kind), robust=True)


@transaction.atomic
def comment_submit(
    *,
    article: Article,
    submission: Submission,
    parent_id: int | None = None,
    user=None,
    config: ModerationSettings | None = None,
    now: datetime | None = None,
    notify_replies: bool = False,
    notify_decision: bool = False,
) -> Comment:
    """Accept a comment from the site: run the flood, duplicate and moderation rules, store and log it.

    `user` is a logged-in staff member, who posts as themselves and is approved at once. `notify_replies`
    and `notify_decision` are the author's wishes to hear of replies and of the moderator's decision.
    """
    now = now or timezone.now()
    config = config or ModerationSettings.load()
    if comments_closed(article=article, config=config, now=now):
        raise CommentsClosed("Comments are closed on this article.")
    parent = _attach_point(article=article, parent_id=parent_id, max_depth=config.thread_depth)
    in_surge = surge.surge_in_force() if user is None else None
    if in_surge:
        config = surge.strict(config)
        submission = replace(submission, surge=in_surge.reason)
    sender = _sender(
        submission=submission, article=article, user=user, config=config, now=now, lock=user is None
    )
    _check_flood(sender, config=config, now=now)
    if sender.duplicate:
        raise DuplicateComment("You have already posted this comment on this article.")

    scored = (
        learning.score_text(submission.body, config, article.get_absolute_url()) if user is None else None
    )
    if scored:
        submission = replace(submission, spam=scored[0])
    if user is not None:
        status, reasons, note = Comment.Status.APPROVED, [], "Posted by staff."
    else:
        commenter = _commenter_facts(submission, config, sender.standing, sender.suspended_until)
        verdict = assess(submission, config, commenter)
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
        notify_replies=notify_replies and bool(submission.email),
        notify_decision=notify_decision and bool(submission.email),
        spam_score=scored[0].probability if scored else None,
        spam_model_id=scored[1] if scored else None,
    )
    # The fields as the form and the rules left them; the database itself checks the keys and constraints.
    comment.full_clean(
        exclude=["article", "parent", "thread_root", "user", "spam_model"], validate_constraints=False
    )
    comment.save()
    _log(comment=comment, from_status="", by=user, reason=note)
    if comment.status == Comment.Status.APPROVED:
        _count(article.pk, comments=1, threads=1 if parent is None else 0)
        article_page_changed(article.slug)
    if comment.status == Comment.Status.PENDING and config.notify_moderators:
        _alert_moderators()
    if comment.notify_replies and comment.status != Comment.Status.SPAM:
        transaction.on_commit(lambda: send_confirmation_task.enqueue(comment.pk), robust=True)
    _tell_readers(comment, from_status="")
    if user is None and surge.check_due():
        surge_check_task.enqueue()  # queued with the comment, checked by the worker
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


def comments_import(*, comments: list[Comment], notes: list[str], batch: UUID | None = None) -> list[Comment]:
    """Store comments moderated on another site, in bulk, each logged as imported with its original status.

    The IMPORT event counts as a moderator's decision for whatever learns from decisions; approved imports
    also count for the trust ladder, which looks at approved comments. `notes` say, per comment, where it came
    from and what its status was called there. Ids set on the comments are kept.
    """
    for comment in comments:
        comment.body_html = comment_body_html(comment.body)
    created = Comment.objects.bulk_create(comments)
    titles = dict(Article.objects.filter(pk__in={c.article_id for c in created}).values_list("pk", "title"))
    ModerationEvent.objects.bulk_create(  # bulk: the names the log keeps (ModerationEvent.save) are given here
        ModerationEvent(
            comment=comment,
            kind=ModerationEvent.Kind.IMPORT,
            from_status="",
            to_status=comment.status,
            reason=note,
            batch=batch,
            comment_author=comment.author_name,
            article_title=titles[comment.article_id],
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
    if "body" in values:
        values = {**values, "body_html": comment_body_html(values["body"])}
    for name, value in values.items():
        setattr(comment, name, value)
    comment.save(update_fields=list(values))  # threads, counts and pages: rebuilt once the import is in
    _log(
        comment=comment,
        from_status=from_status,
        reason=note,
        kind=ModerationEvent.Kind.IMPORT,
        previous_body=previous_body if comment.body != previous_body else "",
        batch=batch,
    )


@transaction.atomic
def comment_set_status(
    *, comment: Comment, to: str, by, reason: str = "", batch: UUID | None = None, undoes: UUID | None = None
) -> bool:
    """Move a comment to another status and log who did it; returns False when it was there already.

    `batch` ties together the events of one decision taken on many comments (so it can be undone as one);
    `undoes` names the batch an undo reverses.
    """
    _lock(comment, "status", "thread_root_id")
    if comment.status == to:
        return False
    from_status = comment.status
    comment.status = to
    # Back in the queue means awaiting a decision again; the log keeps the history.
    back_in_queue = to == Comment.Status.PENDING
    comment.moderated_at = None if back_in_queue else timezone.now()
    comment.moderated_by = None if back_in_queue else by
    comment.save(update_fields=["status", "moderated_at", "moderated_by"])
    _log(comment=comment, from_status=from_status, by=by, reason=reason, batch=batch, undoes=undoes)
    _tell_readers(comment, from_status)
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
    _lock(comment, "body", "status")
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
def comment_author_edit(
    *,
    comment: Comment,
    body: str,
    own_ids: list[int],
    config: ModerationSettings,
    now: datetime | None = None,
) -> Comment:
    """The author's own change to their text within the edit window (see comments.reader.edit_refusal).

    The spam and hold rules run again on the new text: an edit that trips one sends the comment to spam
    or back to the queue. An edit never publishes a held comment, and the site's policy ("hold every
    comment") does not hold an approved comment again for a typo fixed.
    """
    now = now or timezone.now()
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    refusal = edit_refusal(comment, own_ids=own_ids, config=config, now=now)
    if refusal is None and comment.events.filter(kind=ModerationEvent.Kind.EDIT).count() >= MAX_AUTHOR_EDITS:
        refusal = "This comment has been edited as many times as it can be."
    if refusal:
        raise EditRefused(refusal)
    if not comment_edit(comment=comment, body=body, by=comment.user, reason="Edited by its author."):
        return comment
    if comment.user_id is not None:  # staff post without moderation, and edit so too
        return comment
    submission = Submission(
        name=comment.author_name,
        email=comment.author_email,
        url=comment.author_url,
        body=body,
        ip_address=comment.ip_address,
        user_agent=comment.user_agent,
    )
    scored = learning.score_text(body, config, comment.article.get_absolute_url())
    if scored:  # the classifier reads the new text as it reads a new comment
        submission = replace(submission, spam=scored[0])
    sender = _sender(
        submission=submission, article=comment.article, user=None, config=config, now=now, lock=False
    )
    commenter = _commenter_facts(submission, config, sender.standing, sender.suspended_until)
    verdict = assess(submission, config, commenter)
    reasons = [
        {"code": code, "text": text} for code, text in verdict.reasons if (code, text) != HOLD_ALL_REASON
    ]
    if not reasons:
        return comment
    comment.reasons = [*comment.reasons, *(reason for reason in reasons if reason not in comment.reasons)]
    comment.save(update_fields=["reasons"])
    if verdict.status == Comment.Status.SPAM or comment.status == Comment.Status.APPROVED:
        note = "After an edit by its author: " + "; ".join(reason["text"] for reason in reasons)
        comment_set_status(comment=comment, to=verdict.status, by=None, reason=note)
        if comment.status == Comment.Status.PENDING and config.notify_moderators:
            _alert_moderators()
    return comment


@transaction.atomic
def subscription_confirm(*, subscription: EmailSubscription) -> None:
    """The address asked for reply notifications, by a link sent to it; replies noted meanwhile go out now."""
    subscription = EmailSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status == EmailSubscription.Status.CONFIRMED:
        return
    subscription.status = EmailSubscription.Status.CONFIRMED
    subscription.changed_at = timezone.now()
    subscription.save(update_fields=["status", "changed_at"])
    if subscription.reply_notices.filter(sent_at=None).exists():
        transaction.on_commit(lambda: send_reply_notices_task.enqueue(subscription.pk), robust=True)


@transaction.atomic
def subscription_unsubscribe(*, subscription: EmailSubscription) -> None:
    """No more email of any kind to this address until it confirms afresh; earlier confirmation links die."""
    subscription = EmailSubscription.objects.select_for_update().get(pk=subscription.pk)
    if subscription.status == EmailSubscription.Status.UNSUBSCRIBED:
        return
    subscription.status = EmailSubscription.Status.UNSUBSCRIBED
    subscription.link_version += 1
    subscription.changed_at = timezone.now()
    subscription.save(update_fields=["status", "link_version", "changed_at"])
    subscription.reply_notices.filter(sent_at=None).delete()


@transaction.atomic
def comment_set_featured(
    *, comment: Comment, featured: bool, by, batch: UUID | None = None, undoes: UUID | None = None
) -> bool:
    """Make an approved comment an editors' pick, or no longer one; logged. False when nothing changed."""
    _lock(comment, "featured", "status")
    if comment.featured == featured or (featured and comment.status != Comment.Status.APPROVED):
        return False
    comment.featured = featured
    comment.save(update_fields=["featured"])
    article_page_changed(comment.article.slug)
    kind = ModerationEvent.Kind.FEATURE if featured else ModerationEvent.Kind.UNFEATURE
    _log(comment=comment, from_status=comment.status, by=by, kind=kind, batch=batch, undoes=undoes)
    return True


DECIDING_EVENTS = (ModerationEvent.Kind.STATUS, ModerationEvent.Kind.IMPORT)  # events that set a status
STANDING_FIELDS = ("action", "note", "expires_at", "batch", "created_by_id", "created_at", "replaced")


def _set_commenter_rules(*, comment: Comment, decision: Decision, by, batch: UUID | None) -> bool:
    """Trust or block the commenter by the decision's kinds of value (comments without one, imports, get no
    rule); the standing each replaces is kept on it for an undo. Logged; False when the commenter already
    stood so."""
    values = {
        CommenterRule.Kind.EMAIL: comment.author_email.lower(),
        CommenterRule.Kind.IP: normalised_ip(comment.ip_address) if comment.ip_address else "",
    }
    changed = False
    _lock_commenter(*(f"standing:{kind}:{values[kind]}" for kind in decision.rule_kinds if values[kind]))
    for kind in decision.rule_kinds:
        if not values[kind]:
            continue
        rule = CommenterRule.objects.select_for_update().filter(kind=kind, value=values[kind]).first()
        if rule is not None and rule.action == decision.commenter_rule and rule.expires_at is None:
            continue
        replaced = {name: getattr(rule, name) for name in STANDING_FIELDS} if rule else None
        rule = rule or CommenterRule(kind=kind, value=values[kind])
        rule.action, rule.expires_at, rule.batch, rule.created_by = decision.commenter_rule, None, batch, by
        rule.note, rule.replaced = f"{decision.done} from comment {comment.pk}", replaced
        rule.save()
        changed = True
    if changed:
        _log(
            comment=comment,
            from_status=comment.status,
            by=by,
            kind=ModerationEvent.Kind.STANDING,
            batch=batch,
        )
    return changed


def _put_back_standings(batch: UUID) -> None:
    """Undo the commenter rules a decision wrote: each goes back to the standing it replaced, or away; where a
    later decision has replaced this one's standing, that decision will not bring it back."""
    rules = CommenterRule.objects.annotate(written=Cast("replaced", TextField())).select_for_update()
    for rule in rules.filter(Q(batch=batch) | Q(written__contains=str(batch))):
        replaced = _without(rule.replaced, batch)
        if rule.batch != batch:
            rule.replaced = replaced
        elif replaced is None:
            rule.delete()
            continue
        else:
            for name, value in replaced.items():
                field = CommenterRule._meta.get_field(name.removesuffix("_id"))
                setattr(
                    rule, name, field.to_python(value) if value is not None and name != "replaced" else value
                )
        rule.save()


def _without(standing: dict | None, batch: UUID) -> dict | None:
    """A rule's chain of replaced standings without the one `batch` wrote."""
    if standing is None:
        return None
    if standing["batch"] == str(batch):
        return _without(standing["replaced"], batch)
    return {**standing, "replaced": _without(standing["replaced"], batch)}


@transaction.atomic
def comment_decide(*, comment: Comment, decision: Decision, by, batch: UUID | None = None) -> bool:
    """Apply a moderator's decision: the commenter rule it carries, the status, the pick; each logged.

    A decision also closes the comment's open reports (a moderator has looked at it). Returns False when
    nothing changed (nothing is logged then).
    """
    changed = bool(decision.commenter_rule) and _set_commenter_rules(
        comment=comment, decision=decision, by=by, batch=batch
    )
    changed |= bool(decision.status) and comment_set_status(
        comment=comment, to=decision.status, by=by, reason=decision.log_reason, batch=batch
    )
    if changed and decision.status in learning.LABELS:
        transaction.on_commit(retrain_spam_model_if_due, robust=True)
    if decision.featured is not None:
        changed |= comment_set_featured(comment=comment, featured=decision.featured, by=by, batch=batch)
    changed |= _close_reports(comment=comment, by=by, batch=batch)
    return changed


def _close_reports(*, comment: Comment, by, batch: UUID | None) -> bool:
    """Mark the comment's open reports reviewed, logged; False when it had none."""
    if not comment.reports.open().update(reviewed_at=timezone.now(), reviewed_by=by, review_batch=batch):
        return False
    _log(comment=comment, from_status=comment.status, by=by, kind=ModerationEvent.Kind.REVIEWED, batch=batch)
    return True


def retrain_spam_model_if_due() -> bool:
    """Queue a fresh model when enough decisions came in since the last one; never trains in the request.

    One queued training per newest model is enough (the task checks again before it trains).
    """
    config = ModerationSettings.load()
    if not learning.retrain_due(config):
        return False
    newest = learning.newest_model()
    if not cache.add(f"comments:retrain-queued:{newest.pk if newest else 0}", True, timeout=15 * 60):
        return False
    retrain_spam_model_task.enqueue()
    return True


@transaction.atomic
def reports_mark_reviewed(*, comments, by, batch: UUID | None = None) -> int:
    """Clear readers' reports without changing the comments; returns how many comments had open reports."""
    return sum(_close_reports(comment=comment, by=by, batch=batch) for comment in comments)


class UndoUnavailable(Exception):
    """The decision cannot be undone; the message says why."""


@dataclass(frozen=True)
class Undone:
    batch: UUID  # the undo's own batch in the log
    restored: list[int]  # comments put back as they were
    skipped: int  # comments changed again since, left alone


@transaction.atomic
def batch_undo(*, batch: UUID, by, now: datetime | None = None) -> Undone:
    """Reverse one decision (single, bulk, commenter-wide or a group's): every comment of the batch goes back.

    Each comment returns to its status (and pick) before the decision, unless it changed again since; commenter
    rules the decision wrote are dropped and reports it closed reopen. The undo is logged as its own batch,
    which is not itself undoable (decide again instead). Only within UNDO_WINDOW of the decision.
    """
    now = now or timezone.now()
    events = list(ModerationEvent.objects.filter(batch=batch).order_by("id"))
    if not events:
        raise UndoUnavailable("There is no such decision to undo.")
    if any(event.undoes for event in events):
        raise UndoUnavailable("An undo cannot be undone; decide again instead.")
    if ModerationEvent.objects.filter(undoes=batch).exists():
        raise UndoUnavailable("This decision was already undone.")
    if now - events[0].created_at > UNDO_WINDOW:
        minutes = int(UNDO_WINDOW.total_seconds() // 60)
        raise UndoUnavailable(f"Decisions can be undone for {minutes} minutes; this one is older.")
    undo_batch = uuid.uuid4()
    comments = Comment.objects.select_for_update().in_bulk({event.comment_id for event in events})
    restored, skipped = [], 0
    for event in reversed(events):  # latest first, so one comment's events unwind in order
        comment = comments.get(event.comment_id)
        if comment is not None and _revert(event, comment, by=by, undo_batch=undo_batch):
            restored.append(comment.pk)
        else:
            skipped += 1
    _put_back_standings(batch)
    return Undone(batch=undo_batch, restored=list(dict.fromkeys(restored)), skipped=skipped)


def _revert(event: ModerationEvent, comment: Comment, *, by, undo_batch: UUID) -> bool:
    """Put back what one logged event changed, unless the comment changed again since; logged."""
    Kind = ModerationEvent.Kind
    log = {"by": by, "batch": undo_batch, "undoes": event.batch}
    if event.kind == Kind.STATUS:
        if comment.status != event.to_status or not event.from_status:
            return False
        comment_set_status(comment=comment, to=event.from_status, reason="Undone.", **log)
        _restore_moderation(comment, before=event)
        return True
    if event.kind in (Kind.FEATURE, Kind.UNFEATURE):
        was_featured = event.kind == Kind.UNFEATURE
        if comment.featured == was_featured:
            return False
        return comment_set_featured(comment=comment, featured=was_featured, **log)
    if event.kind == Kind.REVIEWED:
        if not comment.reports.filter(review_batch=event.batch).update(
            reviewed_at=None, reviewed_by=None, review_batch=None
        ):
            return False
        _log(comment=comment, from_status=comment.status, kind=Kind.REOPENED, **log)
        return True
    if event.kind == Kind.STANDING:  # the rules themselves are put back by batch_undo
        if not CommenterRule.objects.filter(batch=event.batch).exists():
            return False  # another decision has set the commenter's standing since
        _log(comment=comment, from_status=comment.status, kind=Kind.STANDING, reason="Undone.", **log)
        return True
    return False


def _restore_moderation(comment: Comment, *, before: ModerationEvent) -> None:
    """Who decided the comment, and when, as they were before the undone event: the decision (not an undo)
    that last put it in its status, by the log; none when the site decided, or while it waits in the queue."""
    earlier = (
        ModerationEvent.objects.filter(
            comment=comment, id__lt=before.id, to_status=comment.status, kind__in=DECIDING_EVENTS, undoes=None
        )
        .order_by("-id")
        .first()
    )
    decided = (
        earlier is not None and earlier.actor_id is not None and comment.status != Comment.Status.PENDING
    )
    comment.moderated_by_id = earlier.actor_id if decided else None
    comment.moderated_at = earlier.created_at if decided else None
    comment.save(update_fields=["moderated_by", "moderated_at"])


class ReportRefused(Exception):
    """Too many reports from the reader's network; the message is for the reader."""


@transaction.atomic
def comment_report(
    *,
    comment: Comment,
    network: str,
    reason: str,
    config: ModerationSettings | None = None,
    now: datetime | None = None,
) -> bool:
    """Record a reader's report, one per comment and network; False when that network already reported it.

    The comment stays published for a moderator to decide (the Reported queue), unless the settings allow
    hiding it and reports come from `report_threshold` distinct networks since the last review. Moderators
    hear of a reported comment once, with its first open report.
    """
    now = now or timezone.now()
    config = config or ModerationSettings.load()
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.reports.filter(network=network).exists():
        return False
    _lock_commenter(f"report:{network}")
    recent = CommentReport.objects.filter(network=network, created_at__gte=now - timedelta(hours=1))
    if recent.count() >= config.reports_per_network_per_hour:
        raise ReportRefused("Too many reports from your network in the last hour. Please try again later.")
    first_open = not comment.reports.open().exists()
    CommentReport.objects.create(comment=comment, network=network, reason=reason)
    networks = comment.reports.open().values("network").distinct().count()
    if (
        config.hide_reported
        and comment.status == Comment.Status.APPROVED
        and networks >= config.report_threshold
    ):
        code, text = REPORTED_REASON
        if {"code": code, "text": text} not in comment.reasons:
            comment.reasons = [*comment.reasons, {"code": code, "text": text}]
            comment.save(update_fields=["reasons"])
        comment_set_status(comment=comment, to=Comment.Status.PENDING, by=None, reason=text)
    if first_open and config.notify_moderators:
        _alert_moderators()
    return True


def _standing(kind: str, value: str):
    return CommenterRule.objects.filter(kind=kind, value=value.strip().lower() if kind == "email" else value)


@transaction.atomic
def commenter_set_standing(
    *, kind: str, value: str, action: str, by, until: datetime | None = None
) -> CommenterRule:
    """Trust, always hold, suspend (`until` required) or block (`until` optional) a commenter by email or IP.

    One standing per email or address: it replaces the one before.
    """
    rule = _standing(kind, value).first() or CommenterRule(kind=kind, value=value)
    rule.action, rule.expires_at, rule.created_by, rule.batch = action, until, by, None
    rule.note = f"Set by {by} on the commenter page" if by else "Set on the commenter page"
    rule.full_clean(exclude=["created_by"])
    rule.save()
    return rule


def commenter_clear_standing(*, kind: str, value: str) -> bool:
    """Back to an ordinary commenter; False when they had no standing."""
    deleted, _ = _standing(kind, value).delete()
    return bool(deleted)


def commenter_note_add(*, kind: str, value: str, body: str, by) -> CommenterNote:
    note = CommenterNote(kind=kind, value=value, body=body.strip(), created_by=by)
    note.full_clean(exclude=["created_by"])
    note.save()
    return note


@transaction.atomic
def commenter_remove_all(*, kind: str, value: str, decision: Decision, by) -> tuple[UUID, int]:
    """Apply a decision (remove) to every pending and approved comment of a commenter, as one undoable batch."""
    batch = uuid.uuid4()
    comments = Comment.objects.by_commenter(kind, value).filter(
        status__in=[Comment.Status.PENDING, Comment.Status.APPROVED]
    )
    count = sum(
        comment_decide(comment=comment, decision=decision, by=by, batch=batch)
        for comment in comments.select_for_update()
    )
    return batch, count
