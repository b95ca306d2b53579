"""What the comment section under an article shows this reader: the picks, a page of threads and the form.

On a page rendered for the shared cache (`request.page_cache`, set by longwar.page_cache) the values that
belong to one reader, the CSRF token and the form's signed timestamp, are left as slots that the cache
fills for every reader who is served the page, so the form works however old the cached copy is.
"""

import re
from datetime import timedelta

from django.utils.http import urlencode

from articles.models import Article
from comments.forms import CommentForm, make_form_token
from comments.models import Comment, ModerationSettings
from comments.reader import own_comment_ids, remembered_identity, staff_display_name, staff_poster
from comments.selectors import CommentSort, comment_sort, editable_comment_ids, thread_page
from comments.services import comments_closed

COMMENT_ID = re.compile(r"[0-9]{1,18}")


def _replying_to(article: Article, reply_id: str, shown: dict[int, Comment]) -> Comment | None:
    if not COMMENT_ID.fullmatch(reply_id):
        return None
    if int(reply_id) in shown:
        return shown[int(reply_id)]
    return Comment.objects.approved().filter(article=article, pk=reply_id).only("author_name").first()


def _page_query(sort: CommentSort, number: int | None = None, **extra) -> str:
    """The query string of a page of comments in this order (the defaults left out)."""
    query = {"csort": sort.value} if sort != CommentSort.OLDEST else {}
    if number and number > 1:
        query["cpage"] = number
    return urlencode(query | extra)


def comment_section(request, article: Article, form: CommentForm | None = None) -> dict:
    """The template context of comments/section.html; `form` is a re-shown form with the reader's text."""
    config = ModerationSettings.for_request(request)
    sort = comment_sort(request.GET.get("csort"))
    threads = thread_page(
        article,
        own_ids=own_comment_ids(request),
        depth=config.thread_depth,
        per_page=config.comments_per_page,
        number=request.GET.get("cpage"),
        sort=sort,
    )
    page = threads.page
    shown = {
        node.comment.pk: node.comment
        for thread in page.object_list
        for node in _walk(thread)
        if node.comment.status == Comment.Status.APPROVED
    }
    staff_user = staff_poster(request)
    reply_id = str((form["parent"].value() if form is not None else request.GET.get("replyto")) or "")
    replying_to = _replying_to(article, reply_id, shown)
    shared = getattr(request, "page_cache", None)
    if form is None:
        initial = {"parent": replying_to.pk if replying_to else None}
        if staff_user is None:
            initial |= remembered_identity(request)
        form = CommentForm(article=article, staff_user=staff_user, initial=initial)
        form_token = shared.form_token_slot(article.pk) if shared else make_form_token(article.pk)
    else:
        form_token = form["token"].value()
    closed = comments_closed(article=article, config=config)
    if shared and request.GET.get("cpage", "1") != str(page.number):
        shared.keep_out()  # a page number past the end shows the last page, which is stored under its own
    if shared and not closed and config.close_after_days and article.published_at:
        shared.expires_at(article.published_at + timedelta(days=config.close_after_days))
    context = {
        "article": article,
        "page": page,
        "sort": sort,
        "sorts": [(choice, _page_query(choice)) for choice in CommentSort],
        "page_query": _page_query(sort, page.number),
        "previous_query": _page_query(sort, page.previous_page_number()) if page.has_previous() else "",
        "next_query": _page_query(sort, page.next_page_number()) if page.has_next() else "",
        "picks": threads.picks,
        "approved_count": article.comment_count,
        "closed": closed,
        "preview": not article.is_public,
        "form": form,
        "form_token": form_token,
        "replying_to": replying_to,
        "staff_user": staff_user,
        "staff_name": staff_display_name(staff_user) if staff_user else "",
        # Per reader: only ever on pages of readers with their own comments, never a shared page.
        "editable_ids": editable_comment_ids(article, own_ids=own_comment_ids(request), config=config),
    }
    if shared:
        context["csrf_value"] = shared.csrf_slot
    return context


def _walk(node):
    yield node
    for reply in node.replies:
        yield from _walk(reply)
