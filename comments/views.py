"""Readers' writes: posting a comment, following a permalink, reporting a comment."""

from http import HTTPStatus

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles.models import Article
from comments.forms import CommentForm
from comments.models import Comment, ModerationSettings
from comments.reader import client_ip, own_comment_ids, remember_identity, remember_own_comment, staff_poster
from comments.selectors import comment_location, comment_sort, visible_comment
from comments.services import (
    CommentRefused,
    CommentsClosed,
    DuplicateComment,
    FloodLimited,
    comment_report,
    comment_submit,
    comments_closed,
)


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


@require_POST
def post_comment(request, article_id: int):
    article = get_object_or_404(
        Article.objects.published().with_visibility().select_related("author"),  # tags only if re-shown
        pk=article_id,
    )
    config = ModerationSettings.for_request(request)
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
            config=config,
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

    remember_own_comment(request, comment)
    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Your comment is published.")
    else:
        messages.info(
            request,
            "Thank you. Your comment is awaiting moderation: it appears here for you now, "
            "and for everyone once a moderator approves it.",
        )
    response = HttpResponseRedirect(_location(request, comment))
    remember_identity(request, response, form.cleaned_data)
    return response


def _location(request, comment: Comment) -> str:
    per_page = ModerationSettings.for_request(request).comments_per_page
    sort = comment_sort(request.GET.get("csort"))
    return comment_location(comment, own_ids=own_comment_ids(request), per_page=per_page, sort=sort)


@require_safe
def permalink(request, pk: int):
    """Find the page of the thread that holds a comment; held ones only for their author and staff."""
    comment = visible_comment(pk, own_ids=own_comment_ids(request), staff=request.user.is_staff)
    return HttpResponseRedirect(_location(request, comment))


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, pk: int):
    """Ask the reader to confirm (GET), then record the report (POST).

    The article page links here rather than carrying a form per comment: a form needs the reader's own CSRF
    token, and the page shared by every reader holds none in its list of comments.
    """
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article").filter(article__in=Article.objects.published()),
        pk=pk,
    )
    if request.method != "POST":
        return render(request, "comments/report.html", {"comment": comment, "article": comment.article})
    if not request.session.session_key:
        request.session.save()
    if comment_report(
        comment=comment, session_key=request.session.session_key, ip_address=client_ip(request)
    ):
        messages.success(request, "Thank you for the report. A moderator will take a look.")
    else:
        messages.info(request, "You have already reported this comment.")
    return HttpResponseRedirect(_location(request, comment))
