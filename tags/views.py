from django.db.models import Count, Q
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.http import urlencode
from django.views.generic import ListView

from articles.models import Article
from articles.views import PublishedArticleMixin
from tags.models import Tag, TagRedirect


def moved_tag_redirect(slug: str, view_name: str, page: str | None = None) -> HttpResponsePermanentRedirect:
    """A merged tag's old slug answers 301 to the same page of the surviving tag; any other slug is a 404."""
    moved = get_object_or_404(TagRedirect.objects.select_related("tag"), old_slug=slug)
    url = reverse(view_name, kwargs={"slug": moved.tag.slug})
    return HttpResponsePermanentRedirect(f"{url}?{urlencode({'page': page})}" if page else url)


class TagIndexView(ListView):
    """Featured topics (even before their first article), then every tag with published articles."""

    template_name = "tags/tag_index.html"
    context_object_name = "tags"

    def get_queryset(self):
        published = Q(tagged_articles__content_object__in=Article.objects.published())
        return (
            Tag.objects.annotate(article_count=Count("tagged_articles", filter=published))
            .filter(Q(article_count__gt=0) | Q(featured=True))
            .order_by("-featured", "order", "name")
        )


class TagDetailView(PublishedArticleMixin, ListView):
    """A topic's description and its published articles; a merged tag's old slug answers 301."""

    template_name = "tags/tag_detail.html"

    def get(self, request, *args, **kwargs):
        try:
            self.tag = Tag.objects.get(slug=kwargs["slug"])
        except Tag.DoesNotExist:
            return moved_tag_redirect(kwargs["slug"], "tags:detail", page=request.GET.get("page"))
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
