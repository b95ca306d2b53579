from datetime import datetime

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from comments import section
from comments.models import Comment
from comments.selectors import CommentSort
from comments.threads import Node

register = template.Library()

# One comment of a thread. Written out here rather than as a template included once per comment: a page
# shows a few hundred comments, and an include cost ~0.2 ms each, most of the page's render time. Only the
# reader's own words need escaping here (name, website); the text was escaped when it was stored.
COMMENT = """
<li class="comment depth-{depth}{held_class}"><article id="comment-{pk}">{legacy}
<header class="comment-meta"><strong class="comment-author">{author}</strong>{staff}
<a class="comment-date" href="#comment-{pk}"><time datetime="{iso}">{date}</time></a>{edited}{pick}</header>
{awaiting}<div class="comment-body">{body}</div>{edit}{actions}
</article>{replies}</li>"""
STAFF = ' <span class="comment-staff" title="Posted by a member of staff">Staff</span>'
AUTHOR_LINK = '<a href="{}" rel="nofollow ugc noopener">{}</a>'
EDITED = ' <span class="comment-edited" title="Edited {}">edited</span>'
PICK = ' <span class="comment-pick">Editors’ pick</span>'
# An imported comment that could not keep its old id keeps an anchor under it (old links say #comment-<id>).
LEGACY_ANCHOR = '<span id="comment-{}" class="comment-anchor"></span>'
# Only on a reader's own page (their comments in their cookie), never on a page rendered for the shared cache.
EDIT = '\n<p class="comment-edit"><a href="{}" rel="nofollow">Edit</a></p>'
AWAITING = '<p class="awaiting">Your comment is awaiting moderation. Only you can see it.</p>\n'
ACTIONS = """
<footer class="comment-actions"><a class="reply-link" href="{reply}replyto={pk}#respond" rel="nofollow">Reply</a>
<a class="report-link" href="{report}" rel="nofollow">Report</a></footer>"""


def date_formatter():
    """`|date:"F j, Y \\a\\t g:i a"` in the newsroom's time zone, at a tenth of the filter's cost."""
    months = {number: str(name) for number, name in MONTHS.items()}
    am, pm = gettext("a.m."), gettext("p.m.")

    def display(local: datetime) -> str:
        hour = local.hour % 12 or 12
        return f"{months[local.month]} {local.day}, {local.year} at {hour}:{local.minute:02d} {pm if local.hour >= 12 else am}"

    return display


@register.filter
def comment_html(comment: Comment) -> str:
    """The comment's text as stored by the services (comments.text escaped it when it was saved)."""
    return mark_safe(comment.body_html)


@register.filter
def safe_http_url(url: str) -> str:
    """The URL if it is http(s), else empty: a stored website never becomes a javascript: link."""
    return escape(url) if url.lower().startswith(("http://", "https://")) else ""


@register.simple_tag(takes_context=True)
def comment_threads(context, nodes: list[Node]) -> SafeString:
    """The page's threads, nested as `comments.threads` built them."""
    in_order = (
        f"?csort={context['sort']}" if context["sort"] != CommentSort.OLDEST else ""
    )  # comes back after
    report = reverse("comments:report", args=[0]).replace("/0/", "/{}/") + in_order
    edit = reverse("comments:edit", args=[0]).replace("/0/", "/{}/") + in_order
    editable = context.get("editable_ids") or set()
    query = context["page_query"]
    reply = escape(f"{context['article'].get_absolute_url()}?{query + '&' if query else ''}")
    display = date_formatter()

    def render(node: Node) -> str:
        comment = node.comment
        approved = comment.status == Comment.Status.APPROVED
        url = safe_http_url(comment.author_url)
        created = timezone.localtime(comment.created_at)
        replies = "".join(render(child) for child in node.replies)
        return COMMENT.format(
            depth=node.depth,
            held_class="" if approved else " comment-held",
            pk=comment.pk,
            legacy=LEGACY_ANCHOR.format(comment.legacy_id) if comment.legacy_id else "",
            author=AUTHOR_LINK.format(url, escape(comment.author_name))
            if url
            else escape(comment.author_name),
            iso=created.strftime("%Y-%m-%dT%H:%M:%S%z"),  # valid HTML: no fractions of a second
            staff=STAFF if comment.user_id else "",
            date=display(created),
            edited=EDITED.format(display(timezone.localtime(comment.edited_at))) if comment.edited_at else "",
            pick=PICK if comment.featured else "",
            awaiting="" if approved else AWAITING,
            body=comment.body_html,
            edit=EDIT.format(edit.format(comment.pk)) if comment.pk in editable else "",
            actions=ACTIONS.format(reply=reply, pk=comment.pk, report=report.format(comment.pk))
            if approved
            else "",
            replies=f'<ol class="children">{replies}</ol>' if replies else "",
        )

    return mark_safe("".join(render(node) for node in nodes))  # escaped field by field above


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, article):
    """The comments under an article, for this reader (see comments.section).

    The forms take their CSRF token from `csrf_value`: Django hands every inclusion tag the page's own
    `csrf_token`, which a page rendered for the shared cache must not contain (it gets a slot instead).
    """
    request = context["request"]
    section_context = section.comment_section(request, article, context.get("comment_form"))
    section_context.setdefault("csrf_value", context.get("csrf_token"))
    return {"request": request, **section_context}
