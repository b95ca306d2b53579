"""The reader's own state, in one place: who is posting, from where, and what their browser remembers.

Readers have no accounts. Their held comments are remembered in their session (so they see them while they
wait for a moderator), their name, email and website in a signed cookie when they ask for it, and their
address comes from the request. Logged-in staff post as themselves.
"""

import ipaddress
import json

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage

from comments.models import Comment

OWN_COMMENTS_KEY = "comments.own"
OWN_COMMENTS_KEPT = 50
REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "longwar.comments.remember"
REMEMBER_SECONDS = 365 * 24 * 60 * 60
IDENTITY_FIELDS = ("name", "email", "url")
OWN_STATE_COOKIES = (settings.SESSION_COOKIE_NAME, CookieStorage.cookie_name, REMEMBER_COOKIE)


def has_own_state(request) -> bool:
    """Whether this browser carries anything that makes a page its own: a session (a staff login, held
    comments, messages), a messages cookie or the remember-me cookie. Without, it may share pages."""
    return any(name in request.COOKIES for name in OWN_STATE_COOKIES)


def staff_poster(request):
    """The logged-in staff member, who posts as themselves; None for readers."""
    return request.user if request.user.is_authenticated and request.user.is_staff else None


def own_comment_ids(request) -> list[int]:
    """Comments this browser posted and may see while they await moderation."""
    return request.session.get(OWN_COMMENTS_KEY, [])


def remember_own_comment(request, comment: Comment) -> None:
    request.session[OWN_COMMENTS_KEY] = [*own_comment_ids(request), comment.pk][-OWN_COMMENTS_KEPT:]


def client_ip(request) -> str | None:
    """The reader's address: REMOTE_ADDR, or behind TRUSTED_PROXY_COUNT proxies, the hop they saw.

    Only the proxies' own entries of X-Forwarded-For are trusted; anything further left is the client's word.
    """
    address = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
        if len(hops) >= proxies:
            address = hops[-proxies]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


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
