from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from articles.models import Article
from articles.views import PublishedArticleMixin
from tags.models import Tag


class TagIndexView(ListView):
    """Every tag with published articles, featured topics first."""

    template_name = "tags/tag_index.html"
    context_object_name = "tags"

    def get_queryset(self):
        published = Q(tagged_articles__content_object__in=Article.objects.published())
        return (
            Tag.objects.annotate(article_count=Count("tagged_articles", filter=published))
            .filter(article_count__gt=0)
            .order_by("-featured", "order", "name")
        )


class TagDetailView(PublishedArticleMixin, ListView):
    template_name = "tags/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)
