"""An article's comment feed: approved comments only, never an email address."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.defaultfilters import linebreaks_filter
from django.urls import reverse

from articles.feeds import FEED_SIZE
from articles.models import Article
from comments.forms import without_control_characters
from comments.models import Comment


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
