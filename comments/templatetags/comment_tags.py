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
    """The comments under an article, for this reader (see comments.section).

    The forms take their CSRF token from `csrf_value`: Django hands every inclusion tag the page's own
    `csrf_token`, which a page rendered for the shared cache must not contain (it gets a slot instead).
    """
    request = context["request"]
    section_context = section.comment_section(request, article, context.get("comment_form"))
    section_context.setdefault("csrf_value", context.get("csrf_token"))
    return {"request": request, **section_context}
