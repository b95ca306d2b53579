from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from comments import section
from comments.models import Comment

register = template.Library()


@register.filter
def comment_html(comment: Comment) -> str:
    """The comment's text as stored by the services (comments.text escaped it when it was saved)."""
    return mark_safe(comment.body_html)


@register.filter
def safe_http_url(url: str) -> str:
    """The URL if it is http(s), else empty: a stored website never becomes a javascript: link."""
    return escape(url) if url.lower().startswith(("http://", "https://")) else ""


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, article):
    """The comments under an article, for this reader (see comments.section)."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **section.comment_section(request, article, context.get("comment_form")),
    }
