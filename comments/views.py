"""Readers' writes: posting a comment, following a permalink, reporting a comment."""

import ipaddress
import json
from http import HTTPStatus

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_POST, require_safe

from articles.models import Article
from comments.forms import CommentForm
from comments.models import Comment, ModerationSettings
from comments.services import (
    CommentRefused,
    CommentsClosed,
    DuplicateComment,
    FloodLimited,
    comment_report,
    comment_submit,
    comments_closed,
)
from comments.threads import page_of

OWN_COMMENTS_KEY = "comments.own"
OWN_COMMENTS_KEPT = 50
REMEMBER_COOKIE = "comment_author"
REMEMBER_SALT = "longwar.comments.remember"
REMEMBER_SECONDS = 365 * 24 * 60 * 60


def staff_poster(request):
    """The logged-in staff member, who posts as themselves; None for readers."""
    return request.user if request.user.is_authenticated and request.user.is_staff else None


def own_comment_ids(request) -> list[int]:
    """Comments this browser posted and may see while they await moderation."""
    return request.session.get(OWN_COMMENTS_KEY, [])


def _remember_own_comment(request, comment: Comment) -> None:
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


def comment_url(request, comment: Comment, per_page: int) -> str:
    """The article page that shows this comment to this reader (approved ones and their own), anchored on it."""
    parents = dict(
        Comment.objects.for_article(comment.article_id)
        .visible_to([comment.pk, *own_comment_ids(request)])
        .order_by("created_at", "id")
        .values_list("id", "parent_id")
    )
    page = page_of(comment.pk, parents, per_page)
    query = f"?cpage={page}" if page > 1 else ""
    return f"{comment.article.get_absolute_url()}{query}#comment-{comment.pk}"


def _article_page(request, article: Article, form: CommentForm, status: int, message: str = ""):
    """Show the article again with the reader's comment form as they sent it, and what to fix."""
    if message:
        messages.error(request, message)
    form.refresh_token()
    return render(
        request, "articles/article_detail.html", {"article": article, "comment_form": form}, status=status
    )


def _closed_page(request, article: Article, body: str):
    """403 for a closed article, showing the reader's text so that it is not lost."""
    return render(
        request, "comments/closed.html", {"article": article, "body": body}, status=HTTPStatus.FORBIDDEN
    )


def _set_remember_cookie(request, response, form: CommentForm) -> None:
    if "remember" not in form.cleaned_data:  # staff post as themselves
        return
    if form.cleaned_data["remember"]:
        identity = {key: form.cleaned_data[key] for key in ("name", "email", "url")}
        response.set_signed_cookie(
            REMEMBER_COOKIE,
            json.dumps(identity),
            salt=REMEMBER_SALT,
            max_age=REMEMBER_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    else:
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")


@require_POST
def post_comment(request, article_id: int):
    article = get_object_or_404(
        Article.objects.published().select_related("author").prefetch_related("tags"), pk=article_id
    )
    config = ModerationSettings.load()
    staff_user = staff_poster(request)
    form = CommentForm(request.POST, article=article, staff_user=staff_user)
    if comments_closed(article=article, config=config):  # 403 whether or not the form is valid
        return _closed_page(request, article, request.POST.get("body", ""))
    if not form.is_valid():
        return _article_page(
            request,
            article,
            form,
            HTTPStatus.BAD_REQUEST,
            "Your comment was not posted. Please correct the errors below.",
        )
    try:
        comment = comment_submit(
            article=article,
            submission=form.submission(
                ip_address=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", "")
            ),
            parent_id=form.cleaned_data["parent"],
            user=staff_user,
        )
    except FloodLimited as refusal:
        response = _article_page(request, article, form, HTTPStatus.TOO_MANY_REQUESTS, str(refusal))
        response["Retry-After"] = str(refusal.retry_after)
        return response
    except CommentsClosed:  # closed between the check above and the write
        return _closed_page(request, article, form.cleaned_data["body"])
    except CommentRefused as refusal:
        status = HTTPStatus.CONFLICT if isinstance(refusal, DuplicateComment) else HTTPStatus.BAD_REQUEST
        return _article_page(request, article, form, status, str(refusal))

    _remember_own_comment(request, comment)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Your comment is published.")
    else:
        messages.info(
            request,
            "Thank you. Your comment is awaiting moderation: it appears here for you now, "
            "and for everyone once a moderator approves it.",
        )
    response = HttpResponseRedirect(comment_url(request, comment, config.comments_per_page))
    _set_remember_cookie(request, response, form)
    return response


@require_safe
def permalink(request, pk: int):
    """Find the page of the thread that holds a comment; held ones only for their author and staff."""
    comment = get_object_or_404(
        Comment.objects.select_related("article").filter(article__in=Article.objects.published()),
        pk=pk,
        **(
            {}
            if request.user.is_staff or pk in own_comment_ids(request)
            else {"status": Comment.Status.APPROVED}
        ),
    )
    return HttpResponseRedirect(comment_url(request, comment, ModerationSettings.load().comments_per_page))


@require_POST
def report(request, pk: int):
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article").filter(article__in=Article.objects.published()),
        pk=pk,
    )
    if not request.session.session_key:
        request.session.save()
    if comment_report(
        comment=comment, session_key=request.session.session_key, ip_address=client_ip(request)
    ):
        messages.success(request, "Thank you for the report. A moderator will take a look.")
    else:
        messages.info(request, "You have already reported this comment.")
    return HttpResponseRedirect(comment_url(request, comment, ModerationSettings.load().comments_per_page))
