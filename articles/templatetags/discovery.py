"""Tags for what machines read in a page's head: canonical and feed links, sharing metadata, search snippets."""

import json

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article
from articles.search import highlighted_snippet

register = template.Library()

# The escapes of Django's json_script, so that no title can close the <script> element early.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def absolute_url(context, path: str) -> str:
    """Absolute from the request's own scheme and host (the sites framework is not installed)."""
    request = context.get("request")
    return request.build_absolute_uri(path) if request else path


@register.simple_tag(takes_context=True)
def canonical_url(context) -> str:
    """This page without query-string noise, keeping only the page number of a paginated list."""
    request = context.get("request")
    if request is None:
        return ""
    url = request.build_absolute_uri(request.path)
    page_obj = context.get("page_obj")
    if page_obj is not None and page_obj.number > 1:
        url += f"?page={page_obj.number}"
    return url


@register.simple_tag(takes_context=True)
def article_json_ld(context, article: Article) -> SafeString:
    """schema.org NewsArticle for search engines, encoded so that a title cannot inject markup."""
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "description": article.dek,
        "url": absolute_url(context, article.get_absolute_url()),
        "mainEntityOfPage": absolute_url(context, article.get_absolute_url()),
        "author": {
            "@type": "Person",
            "name": article.author.name,
            "url": absolute_url(context, article.author.get_absolute_url()),
        },
        "publisher": {"@type": "Organization", "name": settings.SITE_NAME},
        "datePublished": article.published_at,
        "dateModified": max(article.updated_at, article.published_at or article.updated_at),
        "keywords": [tag.name for tag in article.tags.all()],
    }
    encoded = json.dumps(data, cls=DjangoJSONEncoder).translate(JSON_SCRIPT_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.filter
def search_snippet(headline: str) -> SafeString:
    return highlighted_snippet(headline)
