"""A commenter's personal data: exported or erased on request, and client data kept only so long.

As WordPress's personal-data tools do: staff holding `comments.manage_personal_data` find every comment
posted with an email address, export them as JSON, or erase the commenter from them (name, email,
website, IP address and browser; the text stays or goes by `ModerationSettings.erasure_keeps_text`).
Both are logged in ModerationEvent, one event per comment, tied by a batch id. Apart from requests, IP
addresses and browser names older than `ModerationSettings.personal_data_days` are erased by
`manage.py erase_old_personal_data` (run daily).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from comments.models import Comment, CommenterRule, EmailSubscription, ModerationEvent, ReaderEmail
from comments.services import comment_threads_rebuild
from comments.text import comment_body_html

ERASED_NAME = "Anonymous"
ERASED_TEXT = "[Removed at the commenter's request.]"
ERASED_MARK = "[erased]"


def commenter_comments(email: str) -> QuerySet[Comment]:
    """Every comment posted with this email address, whatever its case, oldest first."""
    return Comment.objects.filter(author_email__iexact=email.strip()).order_by("created_at", "id")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


@transaction.atomic
def personal_data_export(*, email: str, by) -> dict:
    """Everything stored about the commenter with this email, as JSON-ready data; logged per comment."""
    comments = list(commenter_comments(email).select_related("article"))
    ModerationEvent.objects.bulk_create(  # bulk: the names the log keeps (ModerationEvent.save) are given here
        ModerationEvent(
            comment=comment,
            kind=ModerationEvent.Kind.EXPORT,
            actor=by,
            actor_name=by.get_username() if by else "",
            comment_author=comment.author_name,
            article_title=comment.article.title,
            from_status=comment.status,
            to_status=comment.status,
            reason="Personal data exported on request.",
        )
        for comment in comments
    )
    rules = CommenterRule.objects.filter(kind=CommenterRule.Kind.EMAIL, value=email.strip().lower())
    return {
        "email": email.strip(),
        "exported_at": timezone.now().isoformat(),
        "comments": [
            {
                "id": comment.pk,
                "article": comment.article.title,
                "article_url": comment.article.get_absolute_url(),
                "name": comment.author_name,
                "email": comment.author_email,
                "website": comment.author_url,
                "text": comment.body,
                "status": comment.status,
                "posted_at": _iso(comment.created_at),
                "edited_at": _iso(comment.edited_at),
                "ip_address": comment.ip_address,
                "user_agent": comment.user_agent,
            }
            for comment in comments
        ],
        "commenter_rules": [
            {"action": rule.action, "since": _iso(rule.created_at)} for rule in rules.order_by("pk")
        ],
    }


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, ERASED_MARK)
    return text


@transaction.atomic
def personal_data_erase(*, email: str, by, keep_text: bool) -> int:
    """Anonymise every comment posted with this email (and its log); returns how many comments.

    Name, email, website, IP address and browser go; so do the email and address where a reason quotes
    them. With `keep_text` off the text goes too and the comment is removed. A trust rule on the email
    goes (it only served the commenter); a block rule stays (the site's own decision).
    """
    comments = list(commenter_comments(email).select_for_update())
    for comment in comments:
        secrets = [value for value in (comment.author_email, comment.ip_address) if value]
        from_status = comment.status
        comment.author_name, comment.author_email, comment.author_url = ERASED_NAME, "", ""
        comment.ip_address, comment.user_agent = None, ""
        comment.reasons = [{**reason, "text": _scrub(reason["text"], secrets)} for reason in comment.reasons]
        if not keep_text:
            comment.body, comment.featured = ERASED_TEXT, False
            comment.body_html = comment_body_html(ERASED_TEXT)
            if comment.status != Comment.Status.REMOVED:
                comment.status = Comment.Status.REMOVED
                comment.moderated_at, comment.moderated_by = timezone.now(), by
            comment.events.filter(kind=ModerationEvent.Kind.EDIT).update(previous_body="")
        comment.save()
        comment.events.update(comment_author=ERASED_NAME)
        for event in comment.events.exclude(reason=""):
            scrubbed = _scrub(event.reason, secrets)
            if scrubbed != event.reason:
                ModerationEvent.objects.filter(pk=event.pk).update(reason=scrubbed)
        ModerationEvent.objects.create(
            comment=comment,
            kind=ModerationEvent.Kind.ERASE,
            actor=by,
            from_status=from_status,
            to_status=comment.status,
            reason="Personal data erased on request; "
            + ("the text stays." if keep_text else "the text was removed too."),
        )  # no batch: an erasure is not a decision to undo (what was erased is gone)
    CommenterRule.objects.filter(
        kind=CommenterRule.Kind.EMAIL, action=CommenterRule.Action.TRUST, value=email.strip().lower()
    ).delete()
    EmailSubscription.objects.filter(email=email.strip().lower()).delete()  # and the log of emails sent to it
    # Removed comments leave their threads and the counts, and every page that showed them is retired.
    comment_threads_rebuild(*{comment.article_id for comment in comments})
    return len(comments)


@transaction.atomic
def personal_data_expire(*, days: int, now: datetime | None = None) -> int:
    """Erase IP addresses and browser names stored more than `days` ago; returns how many comments changed."""
    cutoff = (now or timezone.now()) - timedelta(days=days)
    ReaderEmail.objects.filter(created_at__lt=cutoff, ip_address__isnull=False).update(ip_address=None)
    return (
        Comment.objects.filter(created_at__lt=cutoff)
        .filter(Q(ip_address__isnull=False) | ~Q(user_agent=""))
        .update(ip_address=None, user_agent="")
    )
