"""A topic's feed: the site feed narrowed to one tag."""

from django.conf import settings
from django.http import Http404

from articles.feeds import LatestArticlesFeed
from articles.models import Article
from tags.models import Tag
from tags.views import moved_tag_redirect


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
