"""Work done outside the request by the task worker (django-tasks, database backend): email, above all.

No request waits on a mail server. A send that fails (server down, timeout) is tried again later with a
growing delay; after the last attempt the failure stays in the task results for staff to see.
"""

import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_tasks import default_task_backend, task

from comments import learning, surge
from comments.classifier import TrainingError
from comments.models import Comment, ModerationSettings
from comments.selectors import moderator_emails

RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)  # seconds before each further attempt
MAIL_ERRORS = (OSError, smtplib.SMTPException)  # refused, timed out, or refused by the server


def retry_later(a_task, attempt: int, *args) -> bool:
    """Enqueue `a_task` again after the next delay; False when attempts are used up (or cannot be deferred)."""
    if attempt >= len(RETRY_DELAYS) or not default_task_backend.supports_defer:
        return False
    run_after = timezone.now() + timedelta(seconds=RETRY_DELAYS[attempt])
    a_task.using(run_after=run_after).enqueue(*args, attempt=attempt + 1)
    return True


def notify_moderators(comment: Comment) -> None:
    recipients = moderator_emails()
    if not recipients:
        return
    admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
    context = {
        "comment": comment,
        "admin_url": admin_url,
        "reasons": comment.reasons,
        "site_name": settings.SITE_NAME,
    }
    send_mail(
        subject=f"[{settings.SITE_NAME}] Comment held for review on “{comment.article.title}”",
        message=render_to_string("comments/email/held.txt", context),
        from_email=None,
        recipient_list=recipients,
    )


@task()
def notify_moderators_task(comment_id: int, attempt: int = 0) -> None:
    """Tell moderators a comment is waiting, unless a moderator has decided on it meanwhile."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or comment.status != Comment.Status.PENDING:
        return
    try:
        notify_moderators(comment)
    except MAIL_ERRORS:
        if not retry_later(notify_moderators_task, attempt, comment_id):
            raise


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
