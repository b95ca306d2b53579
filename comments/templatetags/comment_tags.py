import json
import re

from django import template
from django.core.paginator import Paginator
from django.utils.html import Urlizer, escape
from django.utils.safestring import mark_safe

from comments.forms import CommentForm, make_form_token
from comments.models import Comment, ModerationSettings
from comments.services import comments_closed
from comments.threads import build_threads
from comments.views import REMEMBER_COOKIE, REMEMBER_SALT, own_comment_ids, staff_poster

register = template.Library()


class ReaderUrlizer(Urlizer):
    """Django's urlize, with the rel values search engines ask for on user-generated links."""

    url_template = '<a href="{href}" rel="nofollow ugc noopener"{attrs}>{url}</a>'


urlize_reader_text = ReaderUrlizer()


@register.filter
def comment_html(text: str) -> str:
    """A comment as typed, made safe: escaped, bare URLs linked, paragraphs and line breaks kept."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    html = []
    for paragraph in paragraphs:
        linked = urlize_reader_text(paragraph, trim_url_limit=60, nofollow=False, autoescape=True)
        html.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return mark_safe("\n".join(html))


@register.filter
def safe_http_url(url: str) -> str:
    """The URL if it is http(s), else empty: a stored website never becomes a javascript: link."""
    return escape(url) if url.lower().startswith(("http://", "https://")) else ""


def _remembered_identity(request) -> dict:
    raw = request.get_signed_cookie(REMEMBER_COOKIE, default=None, salt=REMEMBER_SALT)
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return {key: data.get(key, "") for key in ("name", "email", "url")} | {"remember": True}


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, article):
    """The comments under an article: threads for this page, the reader's own held comments, and the form."""
    request = context["request"]
    config = ModerationSettings.load()
    own_ids = own_comment_ids(request)
    comments = list(
        Comment.objects.for_article(article)
        .visible_to(own_ids)
        .only("id", "parent_id", "author_name", "author_url", "body", "status", "created_at", "article_id")
        .order_by("created_at", "id")
    )
    threads = build_threads(comments, config.thread_depth)
    page = Paginator(threads, config.comments_per_page).get_page(request.GET.get("cpage"))
    approved = {comment.pk: comment for comment in comments if comment.status == Comment.Status.APPROVED}

    staff_user = staff_poster(request)
    form = context.get("comment_form")
    replying_to = None
    reply_id = form["parent"].value() if form is not None else request.GET.get("replyto")
    if re.fullmatch(r"[0-9]{1,18}", str(reply_id or "")) and int(reply_id) in approved:
        replying_to = approved[int(reply_id)]
    if form is None:
        initial = {"token": make_form_token(article.pk), "parent": replying_to.pk if replying_to else None}
        if staff_user is None:
            initial |= _remembered_identity(request)
        form = CommentForm(article=article, staff_user=staff_user, initial=initial)
    return {
        "request": request,
        "article": article,
        "page": page,
        "approved_count": len(approved),
        "closed": comments_closed(article=article, config=config),
        "preview": not article.is_public,
        "form": form,
        "replying_to": replying_to,
        "staff_user": staff_user,
        "csrf_token": context.get("csrf_token"),
    }
