"""Email to readers who asked for it: confirming their address, replies to their comments, and what became
of a comment they wanted news of.

Readers have no accounts, so each address has one EmailSubscription row saying what it agreed to, and each
link in these emails is signed (django.core.signing) for that row: it cannot be forged or used for another
address. A confirmation link works for CONFIRM_LINK_AGE and only until the address unsubscribes or bounces;
an unsubscribe link works for UNSUBSCRIBE_LINK_AGE. The senders below run in the task worker
(comments.tasks); the emails are plain text, so a reader's words are never read as HTML.
"""

import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, EmailSubscription, ReaderEmail, ReplyNotice

Kind = ReaderEmail.Kind
Status = EmailSubscription.Status

CONFIRM_SALT = "longwar.comments.notifications.confirm"
UNSUBSCRIBE_SALT = "longwar.comments.notifications.unsubscribe"
CONFIRM_LINK_AGE = timedelta(days=3)
UNSUBSCRIBE_LINK_AGE = timedelta(days=365)
REPLY_BURST = timedelta(minutes=5)  # replies approved within this time of the first go out as one email

DAY, HOUR = timedelta(days=1), timedelta(hours=1)
# The most emails of a kind one address receives in each window ...
ADDRESS_LIMITS = {
    Kind.CONFIRM: ((1, HOUR), (3, DAY)),
    Kind.REPLIES: ((24, DAY),),
    Kind.PUBLISHED: ((10, DAY),),
    Kind.NOT_PUBLISHED: ((10, DAY),),
}
# ... and that the comments from one IP address may ask for (confirmations and decision notices),
# or cause with their replies (reply notices).
IP_LIMIT = (10, HOUR)
REPLY_IP_LIMIT = (20, HOUR)

# What a reader whose comment was not published is told: a general category, never the rule that held it.
NOT_PUBLISHED_BECAUSE = {
    "too_many_links": "it looked like promotion, or carried more links than we publish",
    "moderation_word": "its wording did not fit our discussion guidelines",
}
NOT_PUBLISHED_DEFAULT = "it did not fit our discussion guidelines"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def confirm_token(subscription: EmailSubscription) -> str:
    return signing.dumps([subscription.pk, subscription.link_version], salt=CONFIRM_SALT)


def unsubscribe_token(subscription: EmailSubscription) -> str:
    return signing.dumps(subscription.pk, salt=UNSUBSCRIBE_SALT)


def _signed(token: str, salt: str, max_age: timedelta):
    try:
        return signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # forged, garbled or expired (SignatureExpired is one)
        return None


def subscription_to_confirm(token: str) -> EmailSubscription | None:
    """The address a confirmation link is for; None when forged, expired, or issued before an unsubscribe."""
    data = _signed(token, CONFIRM_SALT, CONFIRM_LINK_AGE)
    if not (isinstance(data, list) and len(data) == 2 and all(isinstance(value, int) for value in data)):
        return None
    return EmailSubscription.objects.filter(pk=data[0], link_version=data[1]).first()


def subscription_to_unsubscribe(token: str) -> EmailSubscription | None:
    data = _signed(token, UNSUBSCRIBE_SALT, UNSUBSCRIBE_LINK_AGE)
    return EmailSubscription.objects.filter(pk=data).first() if isinstance(data, int) else None


def within_limits(subscription: EmailSubscription, kind: str, ip: str | None) -> bool:
    now = timezone.now()
    for most, window in ADDRESS_LIMITS[kind]:
        if subscription.emails.filter(kind=kind, created_at__gte=now - window).count() >= most:
            return False
    if ip:
        most, window = IP_LIMIT
        return ReaderEmail.objects.filter(ip_address=ip, created_at__gte=now - window).count() < most
    return True


def record_reply_notice(reply: Comment) -> EmailSubscription | None:
    """Note an approved reply for its parent's author, if they asked; the address to email once confirmed.

    Nothing for a reply to one's own comment, a parent no longer shown, an address that unsubscribed or
    bounced, a reply already noted (approved again after a report), or a replier's IP over REPLY_IP_LIMIT.
    """
    parent = reply.parent
    if parent is None or not parent.notify_replies or parent.status != Comment.Status.APPROVED:
        return None
    email = normalise_email(parent.author_email)
    own_reply = email == normalise_email(reply.author_email) or (
        parent.user_id is not None and parent.user_id == reply.user_id
    )
    if not email or own_reply:
        return None
    subscription = EmailSubscription.objects.filter(
        email=email, status__in=[Status.UNCONFIRMED, Status.CONFIRMED]
    ).first()
    if subscription is None:
        return None
    if reply.ip_address:
        most, window = REPLY_IP_LIMIT
        recent = ReplyNotice.objects.filter(
            reply__ip_address=reply.ip_address, created_at__gte=timezone.now() - window
        )
        if recent.count() >= most:
            return None
    _, created = ReplyNotice.objects.get_or_create(reply=reply, defaults={"subscription": subscription})
    return subscription if created and subscription.status == Status.CONFIRMED else None


def decision_notice_kind(comment: Comment, from_status: str) -> str | None:
    """The notice a status change owes an author who asked: published, or not; none for spam."""
    if not comment.notify_decision or not comment.author_email:
        return None
    held = (Comment.Status.PENDING, Comment.Status.SPAM)
    if comment.status == Comment.Status.APPROVED and from_status in held:
        return Kind.PUBLISHED
    if comment.status == Comment.Status.REMOVED and from_status == Comment.Status.PENDING:
        return Kind.NOT_PUBLISHED
    return None


def permanent_failure(error: smtplib.SMTPException) -> str | None:
    """What the mail server said when it refused the address for good (5xx); None for a passing failure."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        answers = list(error.recipients.values())
    elif isinstance(error, smtplib.SMTPDataError):
        answers = [(error.smtp_code, error.smtp_error)]
    else:
        return None
    if not answers or any(code < 500 for code, _ in answers):
        return None
    code, text = answers[0]
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def _send(
    subscription: EmailSubscription, kind: str, subject: str, context: dict, ip: str | None = None
) -> bool:
    """Send one email to the address, with one-click unsubscribe (RFC 8058); log it, or mark a bounce.

    Passing failures (server down, 4xx) are raised for the task to try again later.
    """
    unsubscribe_url = absolute_url(reverse("comments:unsubscribe", args=[unsubscribe_token(subscription)]))
    context = {**context, "site_name": settings.SITE_NAME, "unsubscribe_url": unsubscribe_url}
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=render_to_string(f"comments/email/{kind}.txt", context),
        to=[subscription.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError) as error:
        reason = permanent_failure(error)
        if reason is None:
            raise
        EmailSubscription.objects.filter(pk=subscription.pk).update(
            status=Status.BOUNCED,
            note=reason[:300],
            link_version=F("link_version") + 1,
            changed_at=timezone.now(),
        )
        return False
    ReaderEmail.objects.create(subscription=subscription, kind=kind, ip_address=ip)
    return True


def _subscription_for(email: str) -> EmailSubscription:
    return EmailSubscription.objects.get_or_create(email=normalise_email(email))[0]


def send_confirmation(comment_id: int) -> None:
    """Ask the address of a comment that wants reply notifications to confirm, unless it has already."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or not comment.notify_replies or comment.status == Comment.Status.SPAM:
        return
    subscription = _subscription_for(comment.author_email)
    if subscription.status != Status.UNCONFIRMED:
        return  # confirmed already; or unsubscribed or bounced: never written to again
    if not within_limits(subscription, Kind.CONFIRM, comment.ip_address):
        return
    context = {
        "article": comment.article,
        "confirm_url": absolute_url(reverse("comments:confirm", args=[confirm_token(subscription)])),
        "expires": timezone.localtime() + CONFIRM_LINK_AGE,
    }
    _send(subscription, Kind.CONFIRM, "Please confirm: email me about replies", context, comment.ip_address)


@dataclass(frozen=True)
class Reply:
    comment: Comment
    url: str
    quoted: str  # the text as typed, each line marked as quoted


def _quoted(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def send_reply_notices(subscription_id: int) -> None:
    """One email with every approved reply noted for a confirmed address and not yet sent."""
    with transaction.atomic():
        subscription = (
            EmailSubscription.objects.select_for_update()  # one sender at a time per address
            .filter(pk=subscription_id, status=Status.CONFIRMED)
            .first()
        )
        if subscription is None:
            return
        notices = list(
            subscription.reply_notices.filter(sent_at=None)
            .select_related("reply__article")
            .order_by("reply__created_at", "reply_id")
        )
        withdrawn = [notice.pk for notice in notices if notice.reply.status != Comment.Status.APPROVED]
        ReplyNotice.objects.filter(pk__in=withdrawn).delete()  # approved again later, it is noted afresh
        notices = [notice for notice in notices if notice.pk not in withdrawn]
        if not notices or not within_limits(subscription, Kind.REPLIES, ip=None):
            return  # over the limit: they go with the next email
        replies = [
            Reply(notice.reply, absolute_url(notice.reply.get_absolute_url()), _quoted(notice.reply.body))
            for notice in notices
        ]
        ReplyNotice.objects.filter(pk__in=[notice.pk for notice in notices]).update(sent_at=timezone.now())
        if len(replies) == 1:
            subject = f"{replies[0].comment.author_name} replied to your comment"
        else:
            subject = f"{len(replies)} new replies to your comments"
        _send(subscription, Kind.REPLIES, f"{subject} on {settings.SITE_NAME}", {"replies": replies})


def send_decision_notice(comment_id: int, kind: str) -> None:
    """Tell a comment's author, who asked, that a moderator published it or did not."""
    comment = Comment.objects.select_related("article").filter(pk=comment_id).first()
    if comment is None or not comment.author_email:
        return
    subscription = _subscription_for(comment.author_email)
    if subscription.status in (Status.UNSUBSCRIBED, Status.BOUNCED):
        return
    if not within_limits(subscription, kind, comment.ip_address):
        return
    codes = [reason["code"] for reason in comment.reasons]
    because = next((NOT_PUBLISHED_BECAUSE[code] for code in codes if code in NOT_PUBLISHED_BECAUSE), None)
    context = {
        "comment": comment,
        "url": absolute_url(comment.get_absolute_url()),
        "quoted": _quoted(comment.body),
        "because": because or NOT_PUBLISHED_DEFAULT,
    }
    title = comment.article.title
    subject = (
        f"Your comment on “{title}” is published"
        if kind == Kind.PUBLISHED
        else f"About your comment on “{title}”"
    )
    _send(subscription, kind, subject, context, comment.ip_address)
