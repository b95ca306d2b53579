"""RSS and Atom feeds, on Django's syndication framework.

The framework makes every link absolute from the request, escapes all text and writes aware dates with
their offsets; these classes only choose what goes in, always through `Article.objects.published()`.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Author
from comments.forms import without_control_characters
from comments.models import Comment
from tags.models import Tag
from tags.views import moved_tag_redirect

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    """The newest published articles, as RSS 2.0."""

    description = "News and analysis on the long war."

    def title(self, obj=None) -> str:
        return settings.SITE_NAME

    def link(self, obj=None) -> str:
        return reverse("articles:index")

    def articles(self, obj=None):
        return Article.objects.published()

    def items(self, obj=None):
        return self.articles(obj).newest_first().select_related("author").prefetch_related("tags")[:FEED_SIZE]

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        """The whole body: staff-written HTML, which the feed generator escapes into the XML."""
        return item.body

    def item_pubdate(self, item: Article):
        return item.published_at

    def item_updateddate(self, item: Article):
        return max(item.updated_at, item.published_at)

    def item_author_name(self, item: Article) -> str:
        return item.author.name

    def item_categories(self, item: Article) -> list[str]:
        return [tag.name for tag in item.tags.all()]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class TagFeed(LatestArticlesFeed):
    """A topic's published articles; a merged tag's old slug answers 301 to the survivor's feed."""

    def __call__(self, request, *args, **kwargs):
        try:
            return super().__call__(request, *args, **kwargs)
        except Http404:
            return moved_tag_redirect(kwargs["slug"], "tags:feed")

    def get_object(self, request, slug: str) -> Tag:
        return Tag.objects.get(slug=slug)

    def title(self, obj: Tag) -> str:
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj: Tag) -> str:
        return obj.description or f"Articles tagged {obj.name}."

    def link(self, obj: Tag) -> str:
        return obj.get_absolute_url()

    def articles(self, obj: Tag):
        return Article.objects.published().filter(tags=obj)


class AuthorFeed(LatestArticlesFeed):
    def get_object(self, request, slug: str) -> Author:
        return Author.objects.get(slug=slug)

    def title(self, obj: Author) -> str:
        return f"{obj.name} · {settings.SITE_NAME}"

    def description(self, obj: Author) -> str:
        return f"Articles by {obj.name}."

    def link(self, obj: Author) -> str:
        return obj.get_absolute_url()

    def articles(self, obj: Author):
        return Article.objects.published().filter(author=obj)


class ArticleCommentsFeed(Feed):
    """An article's approved comments, newest first: names and words only, never an email address."""

    def get_object(self, request, year: int, month: str, slug: str) -> Article:
        article = get_object_or_404(Article.objects.published(), slug=slug)
        if article.get_absolute_url() != reverse(
            "articles:detail", kwargs={"year": year, "month": month, "slug": slug}
        ):
            raise Http404("No article at this address.")
        return article

    def title(self, obj: Article) -> str:
        return f"Comments on {obj.title}"

    def description(self, obj: Article) -> str:
        return f"Reader comments on {obj.title} · {settings.SITE_NAME}"

    def link(self, obj: Article) -> str:
        return obj.get_absolute_url() + "#comments"

    def items(self, obj: Article):
        return (
            Comment.objects.approved()
            .filter(article=obj)
            .select_related("article")
            .order_by("-created_at", "-id")[:FEED_SIZE]
        )

    def item_title(self, item) -> str:
        return f"Comment by {without_control_characters(item.author_name)}"

    def item_description(self, item) -> str:
        """Readers write plain text: escape it, then keep their paragraphs."""
        return linebreaks_filter(without_control_characters(item.body), autoescape=True)

    def item_link(self, item) -> str:
        return item.get_absolute_url()  # the permalink finds the comment's page in long threads

    def item_pubdate(self, item):
        return item.created_at

    def item_author_name(self, item) -> str:
        return without_control_characters(item.author_name)
