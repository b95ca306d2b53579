"""RSS and Atom feeds, on Django's syndication framework.

The framework makes every link absolute from the request, escapes all text and writes aware dates with
their offsets; these classes only choose what goes in, always through `Article.objects.published()`.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from articles.models import Article, Author

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
