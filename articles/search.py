"""Full-text search over published articles, with PostgreSQL's text search.

The search vector is stored in `Article.search_vector` (GIN-indexed), never computed per row at
query time. It mixes the article's own columns with the names of its tags, which a generated column
cannot hold and a row trigger cannot see cheaply, so it is refreshed by one UPDATE,
`article_update_search_vector()`, called from the places that change either: the article admin's
`save_related` (after the body and the tags are both saved), `load_seeds`, `tag_merge`, a tag rename in
the tag admin, taggit's `m2m_changed` for tag edits made anywhere else, and a tag's deletion (`tags.apps`).
"""

import html
import re

from django import forms
from django.contrib.postgres.aggregates import StringAgg
from django.contrib.postgres.search import (
    CombinedSearchVector,
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVector,
)
from django.db.models import F, Func, OuterRef, QuerySet, Subquery, TextField
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article

SEARCH_CONFIG = "english"
QUERY_MAX_LENGTH = 200
# Private-use characters that cannot come from a reader: the headline marks its matches with them, and only
# they become <mark> tags after everything else has been escaped.
MARK_START, MARK_END = "\ue000", "\ue001"
MARKED = re.compile(f"{MARK_START}(.*?){MARK_END}", re.DOTALL)


class StripTags(Func):
    """HTML to plain text inside PostgreSQL, so bodies are indexed and quoted as words, not markup."""

    function = "regexp_replace"
    template = "%(function)s(%(expressions)s, '<[^>]*>', ' ', 'g')"
    output_field = TextField()


def search_vector() -> CombinedSearchVector:
    """Title weighs most (A), then dek and tag names (B), then the body (C)."""
    tag_names = Subquery(
        Article.tags.through.objects.filter(content_object=OuterRef("pk"))
        .values("content_object")
        .annotate(names=StringAgg("tag__name", " "))
        .values("names")
    )
    return (
        SearchVector("title", weight="A", config=SEARCH_CONFIG)
        + SearchVector("dek", tag_names, weight="B", config=SEARCH_CONFIG)
        + SearchVector(StripTags("body"), weight="C", config=SEARCH_CONFIG)
    )


def article_update_search_vector(*article_ids: int) -> None:
    """Recompute the stored vectors in one UPDATE; call it wherever an article's text or tags change."""
    if article_ids:
        Article.objects.filter(pk__in=article_ids).update(search_vector=search_vector())


def search_articles(terms: str) -> QuerySet[Article]:
    """Published articles matching a web-style query (quotes, OR, -word), best first, with a headline."""
    query = SearchQuery(terms, search_type="websearch", config=SEARCH_CONFIG)
    return (
        Article.objects.published()
        .filter(search_vector=query)
        .annotate(
            rank=SearchRank(F("search_vector"), query),
            headline=SearchHeadline(
                StripTags("body"),
                query,
                config=SEARCH_CONFIG,
                start_sel=MARK_START,
                stop_sel=MARK_END,
                max_words=40,
                min_words=20,
            ),
        )
        .select_related("author")
        .order_by("-rank", "-published_at", "-id")
    )


def highlighted_snippet(headline: str) -> SafeString:
    """Escape the whole headline, then turn only our own markers into <mark>: no body markup survives."""
    text = escape(" ".join(html.unescape(headline).split()))
    marked = MARKED.sub(r"<mark>\1</mark>", text)
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_END, ""))  # escaped above


class SearchForm(forms.Form):
    q = forms.CharField(
        label="Search",
        max_length=QUERY_MAX_LENGTH,
        error_messages={
            "required": "Type a word to search for.",
            "max_length": f"That search is too long; keep it under {QUERY_MAX_LENGTH} characters.",
        },
    )

    def clean_q(self) -> str:
        terms = self.cleaned_data["q"]
        if not re.search(r"\w", terms):
            raise forms.ValidationError("Type at least one word or number to search for.")
        return terms


def refresh_after_tag_change(*, instance: Article, action: str, pk_set: set[int] | None, **kwargs) -> None:
    """taggit's m2m_changed: `article.tags.add/remove/set/clear` anywhere refreshes that article's vector."""
    if (action in {"post_add", "post_remove"} and pk_set) or action == "post_clear":
        article_update_search_vector(instance.pk)
