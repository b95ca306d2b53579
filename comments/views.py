"""Readers' writes: posting a comment, following a permalink, reporting and editing a comment, and the
links in the emails readers asked for (confirming, unsubscribing)."""

from http import HTTPStatus

from django.contrib import messages
from django.db import InterfaceError, OperationalError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from articles.models import Article
from comments.forms import CommentEditForm, CommentForm, ReportForm
from comments.models import Comment, CommentReport, EmailSubscription, ModerationSettings
from comments.notifications import (
    CONFIRM_LINK_AGE,
    UNSUBSCRIBE_LINK_AGE,
    confirm_token,
    subscription_to_confirm,
    subscription_to_unsubscribe,
)
from comments.reader import (
    client_ip,
    client_network,
    edit_closes_at,
    edit_refusal,
    own_comment_ids,
    remember_identity,
    remember_own_comment,
    staff_poster,
)
from comments.selectors import comment_location, comment_sort, visible_comment
from comments.services import (
    CommenterSuspended,
    CommentRefused,
    CommentsClosed,
    DuplicateComment,
    EditRefused,
    FloodLimited,
    ReportRefused,
    comment_author_edit,
    comment_report,
    comment_submit,
    comments_closed,
    subscription_confirm,
    subscription_unsubscribe,
)

# What a post needs of its article; the rest (body, author, tags) only when the article is shown again.
POSTED_TO_FIELDS = ("slug", "title", "published_at", "comments_open", "comment_thread_count")


def _article_page(request, article: Article, form: CommentForm, status: int, message: str = ""):
    """Show the article again with the reader's comment form as they sent it, and what to fix."""
    if message:
        messages.error(request, message)
    form.refresh_token()
    article = get_object_or_404(Article.objects.with_visibility().select_related("author"), pk=article.pk)
    return render(
        request, "articles/article_detail.html", {"article": article, "comment_form": form}, status=status
    )


def _closed_page(request, article: Article, body: str):
    """403 for a closed article, showing the reader's text so that it is not lost."""
    return render(
        request, "comments/closed.html", {"article": article, "body": body}, status=HTTPStatus.FORBIDDEN
    )


def _unavailable_page(request, article_id: int):
    """503 while the database cannot be reached: the form as the reader sent it, to send again in a moment."""
    form = CommentForm(request.POST, article=Article(pk=article_id))  # the token needs only the article's id
    form.refresh_token()
    response = render(
        request, "comments/unavailable.html", {"form": form}, status=HTTPStatus.SERVICE_UNAVAILABLE
    )
    response["Retry-After"] = "10"
    return response


@require_POST
def post_comment(request, article_id: int):
    try:
        return _post_comment(request, article_id)
    except (OperationalError, InterfaceError):
        return _unavailable_page(request, article_id)


def _post_comment(request, article_id: int):
    article = get_object_or_404(Article.objects.published().only(*POSTED_TO_FIELDS), pk=article_id)
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
            notify_replies=form.cleaned_data["notify_replies"],
            notify_decision=form.cleaned_data.get("notify_decision", False),
        )
    except FloodLimited as refusal:
        response = _article_page(request, article, form, HTTPStatus.TOO_MANY_REQUESTS, str(refusal))
        response["Retry-After"] = str(refusal.retry_after)
        return response
    except CommentsClosed:  # closed between the check above and the write
        return _closed_page(request, article, form.cleaned_data["body"])
    except CommentRefused as refusal:
        status = {DuplicateComment: HTTPStatus.CONFLICT, CommenterSuspended: HTTPStatus.FORBIDDEN}.get(
            type(refusal), HTTPStatus.BAD_REQUEST
        )
        return _article_page(request, article, form, status, str(refusal))

    if comment.status == Comment.Status.APPROVED:
        messages.success(request, "Your comment is published.")
    else:
        messages.info(
            request,
            "Thank you. Your comment is awaiting moderation: it appears here for you now, "
            "and for everyone once a moderator approves it.",
        )
        if comment.notify_decision:
            messages.info(request, "We will email you once a moderator has decided on it.")
    if comment.notify_replies:
        messages.info(
            request,
            "You asked to be emailed about replies. Unless this address has confirmed that already, look for "
            f"our email with a link to confirm it (the link works for {CONFIRM_LINK_AGE.days} days).",
        )
    response = HttpResponseRedirect(_location(request, comment, just_posted=True))
    remember_own_comment(request, response, comment)
    remember_identity(request, response, form.cleaned_data)
    return response


def _location(request, comment: Comment, *, just_posted: bool = False) -> str:
    per_page = ModerationSettings.for_request(request).comments_per_page
    sort = comment_sort(request.GET.get("csort"))
    own_ids = own_comment_ids(request)
    return comment_location(comment, own_ids=own_ids, per_page=per_page, sort=sort, just_posted=just_posted)


@require_safe
def permalink(request, pk: int):
    """Find the page of the thread that holds a comment; held ones only for their author and staff.

    With `?article=`, `pk` is a number from an anchor on that article's page (#comment-<n>): a comment's id or
    the id it had on WordPress, as old links to imported comments carry; a comment this reader may not see
    (removed, deleted, held) sends them back to the article rather than to a 404.
    """
    given = request.GET.get("article", "")
    article_id = int(given) if given.isdecimal() and len(given) <= 18 else None
    try:
        comment = visible_comment(
            pk, own_ids=own_comment_ids(request), staff=request.user.is_staff, article_id=article_id
        )
    except Http404:
        if article_id is None:
            raise
        article = get_object_or_404(Article.objects.published(), pk=article_id)
        return HttpResponseRedirect(f"{article.get_absolute_url()}#comment-{pk}")  # the finder then stops
    return HttpResponseRedirect(_location(request, comment))


@require_http_methods(["GET", "HEAD", "POST"])
def report(request, pk: int):
    """Ask the reader why (GET), then record the report (POST); the comment stays published until a moderator
    decides.

    The article page links here rather than carrying a form per comment: a form needs the reader's own CSRF
    token, and the page shared by every reader holds none in its list of comments. No session is created or
    read for a report: reports are counted per network (see `client_network`).
    """
    comment = get_object_or_404(
        Comment.objects.approved().select_related("article").filter(article__in=Article.objects.published()),
        pk=pk,
    )
    form = ReportForm(request.POST if request.method == "POST" else None)
    if not form.is_valid():
        context = {"comment": comment, "article": comment.article, "form": form}
        context["report_reasons"] = CommentReport.Reason.choices
        status = HTTPStatus.BAD_REQUEST if form.is_bound else HTTPStatus.OK
        return render(request, "comments/report.html", context, status=status)
    try:
        reported = comment_report(
            comment=comment,
            network=client_network(request),
            reason=form.cleaned_data["reason"],
            config=ModerationSettings.for_request(request),
        )
    except ReportRefused as refusal:
        messages.error(request, str(refusal))
        return HttpResponseRedirect(_location(request, comment))
    if reported:
        messages.success(request, "Thank you for the report. A moderator will take a look.")
    else:
        messages.info(
            request, "This comment was already reported from your network. A moderator will take a look."
        )
    return HttpResponseRedirect(_location(request, comment))


@require_http_methods(["GET", "POST"])
def edit(request, pk: int):
    """The author's own comment, editable for a while from the browser that posted it; works without JS."""
    own_ids = own_comment_ids(request)
    comment = visible_comment(pk, own_ids=own_ids, staff=False)
    config = ModerationSettings.for_request(request)
    form = CommentEditForm(request.POST if request.method == "POST" else None, initial={"body": comment.body})
    refusal = edit_refusal(comment, own_ids=own_ids, config=config)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            comment = comment_author_edit(
                comment=comment, body=form.cleaned_data["body"], own_ids=own_ids, config=config
            )
        except (EditRefused, CommenterSuspended) as refused:
            refusal = str(refused)
        else:
            if comment.status == Comment.Status.APPROVED:
                messages.success(request, "Your comment is updated.")
            else:
                messages.info(
                    request,
                    "Your comment is updated. It awaits moderation: it appears here for you now, "
                    "and for everyone once a moderator approves it.",
                )
            return HttpResponseRedirect(_location(request, comment))
    if refusal:
        status = HTTPStatus.FORBIDDEN
    else:
        status = HTTPStatus.BAD_REQUEST if form.errors else HTTPStatus.OK
    context = {
        "comment": comment,
        "article": comment.article,
        "form": form,
        "refusal": refusal,
        "kept": form.data.get("body", "") if refusal else "",
        "closes_at": edit_closes_at(comment, config),
    }
    return render(request, "comments/edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
def confirm(request, token: str):
    """The link in a confirmation email: a button (POST), so that link scanners confirm nothing."""
    subscription = subscription_to_confirm(token)
    if subscription is None:
        context = {"link_days": CONFIRM_LINK_AGE.days}
        return render(request, "comments/confirm.html", context, status=HTTPStatus.BAD_REQUEST)
    if request.method == "POST":
        subscription_confirm(subscription=subscription)
        return HttpResponseRedirect(request.path)
    confirmed = subscription.status == EmailSubscription.Status.CONFIRMED
    return render(request, "comments/confirm.html", {"token": token, "confirmed": confirmed})


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" here, without cookies or token
@require_http_methods(["GET", "POST"])
def unsubscribe(request, token: str):
    """Stop every email to the address; the signed link is the only credential it needs."""
    subscription = subscription_to_unsubscribe(token)
    if subscription is None:
        context = {"link_days": UNSUBSCRIBE_LINK_AGE.days}
        return render(request, "comments/unsubscribe.html", context, status=HTTPStatus.BAD_REQUEST)
    if request.method == "POST":
        subscription_unsubscribe(subscription=subscription)
        subscription.refresh_from_db()
    unsubscribed = subscription.status == EmailSubscription.Status.UNSUBSCRIBED
    context = {
        "token": token,
        "unsubscribed": unsubscribed,
        "confirm_token": confirm_token(subscription) if unsubscribed else "",
    }
    return render(request, "comments/unsubscribe.html", context)
