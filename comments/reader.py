"""The reader's own state, in one place: who is posting, from where, and what their browser remembers.

Readers have no accounts and no sessions. Their comments are remembered in a signed cookie (so they see their
held ones while they wait for a moderator, and may edit them for a while), their name, email and website in
another when they ask for it, and their address comes from the request. Logged-in staff post as themselves.
"""

import json
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.utils import timezone
from django.utils.formats import date_format

from comments.addresses import REPORT_PREFIX, host_of, network_of, normalised_ip
from comments.models import Comment, ModerationSettings

OWN_COMMENTS_COOKIE = "comments_own"
OWN_COMMENTS_SALT = "longwar.comments.own"
OWN_COMMENTS_KEPT = 50
REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "longwar.comments.remember"
REMEMBER_SECONDS = 365 * 24 * 60 * 60
IDENTITY_FIELDS = ("name", "email", "url")
OWN_STATE_COOKIES = (
    settings.SESSION_COOKIE_NAME,
    CookieStorage.cookie_name,
    REMEMBER_COOKIE,
    OWN_COMMENTS_COOKIE,
)


def has_own_state(request) -> bool:
    """Whether this browser carries anything that makes a page its own: a session (a staff login), its own
    comments, a messages cookie or the remember-me cookie. Without, it may share pages."""
    return any(name in request.COOKIES for name in OWN_STATE_COOKIES)


def staff_poster(request):
    """The logged-in staff member, who posts as themselves; None for readers."""
    return request.user if request.user.is_authenticated and request.user.is_staff else None


def staff_display_name(user) -> str:
    """The name a staff member's comments carry: their full name, never their username (a login name),
    cut to what a comment's name holds."""
    name = user.get_full_name() or settings.SITE_NAME
    return name[: Comment._meta.get_field("author_name").max_length]


def own_comment_ids(request) -> list[int]:
    """Comments this browser posted and may see while they await moderation."""
    raw = request.get_signed_cookie(
        OWN_COMMENTS_COOKIE, default="", salt=OWN_COMMENTS_SALT, max_age=settings.SESSION_COOKIE_AGE
    )
    return [int(pk) for pk in raw.split(".") if pk.isdecimal()]


def remember_own_comment(request, response, comment: Comment) -> None:
    """Add the comment to those this browser may see and edit, for as long as a session would have lasted.
    A cookie rather than a session: posting writes nothing for the reader to the database."""
    response.set_signed_cookie(
        OWN_COMMENTS_COOKIE,
        ".".join(map(str, [*own_comment_ids(request), comment.pk][-OWN_COMMENTS_KEPT:])),
        salt=OWN_COMMENTS_SALT,
        max_age=settings.SESSION_COOKIE_AGE,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure(),
    )


EDITABLE_STATUSES = (Comment.Status.PENDING, Comment.Status.APPROVED)


def edit_closes_at(comment: Comment, config: ModerationSettings) -> datetime:
    return comment.created_at + timedelta(minutes=config.edit_window_minutes)


def edit_refusal(
    comment: Comment, *, own_ids: list[int], config: ModerationSettings, now: datetime | None = None
) -> str | None:
    """Why this reader may not edit this comment now, or None: only from the browser that posted it,
    within the edit window, while it is shown or awaiting review."""
    if comment.pk not in own_ids:
        return "A comment can only be edited from the browser it was posted from."
    if comment.status not in EDITABLE_STATUSES:
        return "This comment can no longer be edited."
    if not config.edit_window_minutes:
        return "Comments cannot be edited on this site."
    closes = edit_closes_at(comment, config)
    if (now or timezone.now()) >= closes:
        return (
            f"Comments can be edited for {config.edit_window_minutes} minutes after posting; "
            f"the time to edit this one ended at {date_format(timezone.localtime(closes), 'g:i a')}."
        )
    return None


def client_ip(request) -> str | None:
    """The reader's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies, the hop they saw.

    Only the proxies' own entries of X-Forwarded-For are trusted; anything further left is the client's word.
    Proxies that add the port (`203.0.113.7:51234`, `[2001:db8::1]:443`) are understood.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = host_of(hops[-proxies])
    try:
        return normalised_ip(address)
    except ValueError:
        return None


def client_network(request) -> str:
    """The reader's network, IPv4 /24 or IPv6 /64: what reports are counted and limited by ("" if unknown).

    Counting networks rather than addresses or browsers means one person with many addresses in one
    network, or many cleared cookies, still counts once.
    """
    address = client_ip(request)
    return str(network_of(address, REPORT_PREFIX)) if address else ""


def remembered_identity(request) -> dict:
    """The name, email and website the reader asked this browser to remember, or {}."""
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: str(data.get(key, "")) for key in IDENTITY_FIELDS} | {"remember": True}


def remember_identity(request, response, cleaned_data: dict) -> None:
    """Keep (or forget) the reader's identity for the next comment, as they chose on the form."""
    if "remember" not in cleaned_data:  # staff post as themselves
        return
    if cleaned_data["remember"]:
        response.set_signed_cookie(
            REMEMBER_COOKIE,
            json.dumps({key: cleaned_data[key] for key in IDENTITY_FIELDS}),
            salt=REMEMBER_SALT,
            max_age=REMEMBER_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
