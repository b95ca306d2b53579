import re

from django import template
from django.utils.html import Urlizer, escape
from django.utils.safestring import mark_safe

from comments import section

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


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, article):
    """The comments under an article, for this reader (see comments.section)."""
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        **section.comment_section(request, article, context.get("comment_form")),
    }
