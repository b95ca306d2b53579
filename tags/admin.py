from django.contrib import admin
from django.db.models import Count
from taggit.models import Tag as TaggitTag

from tags.models import Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "featured", "order", "article_count"]
    list_editable = ["featured", "order"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("tagged_articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, tag):
        return tag.article_count


# The project uses tags.Tag; taggit's own model stays empty, so hide it.
admin.site.unregister(TaggitTag)
