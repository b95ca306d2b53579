"""Work done outside the request by the task worker (django-tasks, database backend): email, above all.

Moderators get at most one email per `ModerationSettings.digest_minutes`, never with a reader's text, email
or address (they read those in the admin). No request waits on a mail server. A send that fails (server down, timeout) is tried again later with a
growing delay; after the last attempt the failure stays in the task results for staff to see.
"""

import smtplib
from collections import Counter
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Count
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext
from django_tasks import default_task_backend, task

from comments import learning, notifications, surge
from comments.classifier import TrainingError
from comments.models import Comment, ModerationSettings, ModeratorMail
from comments.moderation import REASON_LABELS
from comments.selectors import moderator_emails

RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)  # seconds before each further attempt
ALERT_STARTS_WITHIN = timedelta(seconds=30)  # else (worker down) the next held comment queues another
MAIL_ERRORS = (OSError, smtplib.SMTPException)  # refused, timed out, or refused by the server


def retry_later(a_task, attempt: int, *args) -> bool:
    """Enqueue `a_task` again after the next delay; False when attempts are used up (or cannot be deferred)."""
    if attempt >= len(RETRY_DELAYS) or not default_task_backend.supports_defer:
        return False
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt])
    a_task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    return True


def enqueue_after(a_task, delay: timedelta, *args) -> None:
    """Enqueue `a_task` to run `delay` from now; at once on a backend that cannot defer (tests)."""
    if a_task.get_backend().supports_defer:
        a_task = a_task.using(run_after=timezone.now() + delay)
    a_task.enqueue(*args)


def _waiting_summary() -> dict:
    """What waits for moderators, without a word any reader wrote: counts, reason labels, article titles."""
    pending = Comment.objects.filter(status=Comment.Status.PENDING)
    by_reason = Counter(
        code for reasons in pending.values_list("reasons", flat=True) for code in _codes(reasons)
    )
    return {
        "pending": pending.count(),
        "reported": Comment.objects.reported().count(),
        "reasons": [(REASON_LABELS.get(code, code), n) for code, n in by_reason.most_common()],
        "articles": list(
            pending.values_list("article__title")
            .annotate(n=Count("id"))
            .order_by("-n", "article__title")[:10]
        ),
    }


def _codes(reasons) -> set[str]:
    return {reason.get("code", "") for reason in reasons if isinstance(reason, dict)}


def _send(template: str, subject: str, context: dict) -> bool:
    recipients = moderator_emails()
    if not recipients:
        return False
    context = {**context, "site_name": settings.SITE_NAME}
    send_mail(
        subject=f"[{settings.SITE_NAME}] {subject}",
        message=render_to_string(template, context),
        from_email=None,
        recipient_list=recipients,
    )
    return True


def _queue_url(status: str = Comment.Status.PENDING) -> str:
    return f"{settings.SITE_URL}{reverse('admin:comments_comment_changelist')}?status={status}"


def alert_moderators() -> None:
    """Comments started waiting (and are committed): queue the alert task, unless one is queued already and
    has not started. It reads what waits when it starts, so a burst of comments costs one task, not one each.

    The queued task is marked on the state row (`alert_queued_at`), claimed by one statement: a comment that
    finds the mark was committed before the task clears it, and so before the task reads what waits.
    """
    now = timezone.now()
    table = connection.ops.quote_name(ModeratorMail._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH claimed AS (
                    UPDATE {table} SET alert_queued_at = %(now)s
                     WHERE id = 1 AND (alert_queued_at IS NULL OR alert_queued_at < %(stale)s) RETURNING id)
                SELECT EXISTS(SELECT 1 FROM claimed), EXISTS(SELECT 1 FROM {table} WHERE id = 1)""",
            {"now": now, "stale": now - ALERT_STARTS_WITHIN},
        )
        claimed, state_exists = cursor.fetchone()
    if not state_exists:
        ModeratorMail.objects.get_or_create(pk=1, defaults={"alert_queued_at": now})
    elif not claimed:
        return
    try:
        moderators_alert_task.enqueue()
    except Exception:
        # Unclaimed again, so the next held comment tries (a burst is not left silent for ALERT_STARTS_WITHIN).
        ModeratorMail.objects.filter(pk=1, alert_queued_at=now).update(alert_queued_at=None)
        raise


@task()
def moderators_alert_task(attempt: int = 0) -> None:
    """A comment started waiting: email at once after a quiet spell, otherwise make sure a digest is due.

    At most one email goes to moderators per `digest_minutes`: the first waiting comment after a quiet
    spell is sent at once (urgent), the ones that follow wait for the digest at the end of the spell.
    """
    # Cleared (and committed) before what waits is read: a comment committed later queues a task again.
    ModeratorMail.objects.filter(pk=1).update(alert_queued_at=None)
    config = ModerationSettings.load()
    now = timezone.now()
    spell = timedelta(minutes=config.digest_minutes)
    try:
        with transaction.atomic():
            state = _mail_state()
            if state.digest_due_at is not None and now < state.digest_due_at + spell:
                return  # a digest is already on its way
            state.digest_due_at = None
            if state.last_sent_at is None or now >= state.last_sent_at + spell:
                summary = _waiting_summary()
                if summary["pending"] or summary["reported"]:
                    _send(
                        "comments/email/waiting.txt",
                        "A comment is waiting for review",
                        {**summary, "queue_url": _queue_url()},
                    )
                    state.last_sent_at = now
            else:
                state.digest_due_at = state.last_sent_at + spell
                if default_task_backend.supports_defer:
                    moderator_digest_task.using(run_after=state.digest_due_at).enqueue()
            state.save()
    except MAIL_ERRORS:
        if not retry_later(moderators_alert_task, attempt):
            raise


@task()
def send_confirmation_task(comment_id: int, attempt: int = 0) -> None:
    """Ask a commenter's address to confirm reply notifications (see comments.notifications)."""
    try:
        notifications.send_confirmation(comment_id)
    except MAIL_ERRORS:
        if not retry_later(send_confirmation_task, attempt, comment_id):
            raise


@task()
def send_reply_notices_task(subscription_id: int, attempt: int = 0) -> None:
    """Email an address the replies noted for it since its last email; a no-op when there are none."""
    try:
        notifications.send_reply_notices(subscription_id)
    except MAIL_ERRORS:
        if not retry_later(send_reply_notices_task, attempt, subscription_id):
            raise


@task()
def send_decision_notice_task(comment_id: int, kind: str, attempt: int = 0) -> None:
    """Tell an author who asked that their comment was published, or not."""
    try:
        notifications.send_decision_notice(comment_id, kind)
    except MAIL_ERRORS:
        if not retry_later(send_decision_notice_task, attempt, comment_id, kind):
            raise


@task()
def moderator_digest_task(attempt: int = 0) -> None:
    """The end of a spell: one email listing everything that waits, if anything still does."""
    now = timezone.now()
    try:
        with transaction.atomic():
            state = _mail_state()
            if state.digest_due_at is None or now < state.digest_due_at:
                return  # sent already, or not yet due
            state.digest_due_at = None
            summary = _waiting_summary()
            if summary["pending"] or summary["reported"]:
                waiting = summary["pending"] + summary["reported"]
                subject = ngettext("%d comment waits for review", "%d comments wait for review", waiting)
                _send("comments/email/digest.txt", subject % waiting, {**summary, "queue_url": _queue_url()})
                state.last_sent_at = now
            state.save()
    except MAIL_ERRORS:
        if not retry_later(moderator_digest_task, attempt):
            raise


def _mail_state() -> ModeratorMail:
    """The one state row, locked for this transaction (several workers may run alerts at once)."""
    ModeratorMail.objects.get_or_create(pk=1)
    return ModeratorMail.objects.select_for_update().get(pk=1)


@task()
def retrain_spam_model_task() -> int | None:
    """Train a fresh spam model from the decisions so far, if still due; returns the new model's id."""
    if not learning.retrain_due(ModerationSettings.load()):
        return None
    try:
        return learning.spam_model_train().pk
    except TrainingError:
        return None  # too few spam or ham decisions yet; the next decisions will ask again


@task()
def surge_check_task() -> bool:
    """Switch surge mode on or off as the held-comment rate and the staffed hours say; True while on."""
    return surge.surge_check() is not None
