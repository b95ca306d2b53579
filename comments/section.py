"""What the comment section under an article shows this reader: a page of threads and the form."""

import re

from articles.models import Article
from comments.forms import CommentForm, make_form_token
from comments.models import CommentReport, ModerationSettings
from comments.reader import own_comment_ids, remembered_identity, staff_display_name, staff_poster
from comments.selectors import editable_comment_ids, thread_page
from comments.services import comments_closed

COMMENT_ID = re.compile(r"[0-9]{1,18}")


def comment_section(request, article: Article, form: CommentForm | None = None) -> dict:
    """The template context of comments/section.html; `form` is a re-shown form with the reader's text."""
    config = ModerationSettings.for_request(request)
    threads = thread_page(
        article,
        own_ids=own_comment_ids(request),
        depth=config.thread_depth,
        per_page=config.comments_per_page,
        number=request.GET.get("cpage"),
    )
    staff_user = staff_poster(request)
    reply_id = str((form["parent"].value() if form is not None else request.GET.get("replyto")) or "")
    replying_to = threads.approved.get(int(reply_id)) if COMMENT_ID.fullmatch(reply_id) else None
    if form is None:
        initial = {"token": make_form_token(article.pk), "parent": replying_to.pk if replying_to else None}
        if staff_user is None:
            initial |= remembered_identity(request)
        form = CommentForm(article=article, staff_user=staff_user, initial=initial)
    return {
        "article": article,
        "page": threads.page,
        "approved_count": len(threads.approved),
        "closed": comments_closed(article=article, config=config),
        "preview": not article.is_public,
        "form": form,
        "replying_to": replying_to,
        "staff_user": staff_user,
        "staff_name": staff_display_name(staff_user) if staff_user else "",
        # Per reader: only ever on pages of readers with comments in their session, never a shared page.
        "editable_ids": editable_comment_ids(article, own_ids=own_comment_ids(request), config=config),
        "report_reasons": CommentReport.Reason.choices,
    }
