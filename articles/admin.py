from django.contrib import admin, messages
from django.utils.translation import ngettext

from articles.models import Article, Author
from articles.search import article_update_search_vector
from articles.services import article_publish, article_unpublish


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "user"]
    search_fields = ["name", "title"]
    prepopulated_fields = {"slug": ["name"]}
    raw_id_fields = ["user"]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "status",
        "author",
        "published_at",
        "comments_open",
    ]
    list_filter = ["status", "comments_open", "author"]
    list_select_related = ["author"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "dek", "body", "tags"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_open"]}),
    ]

    def save_related(self, request, form, formsets, change):
        """Tags are saved here, after the article itself: refresh the search vector once both are in."""
        super().save_related(request, form, formsets, change)
        article_update_search_vector(form.instance.pk)

    @admin.action(description="Publish selected articles", permissions=["change"])
    def publish(self, request, queryset):
        for article in queryset:
            article_publish(article=article)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%d article published.", "%d articles published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(description="Unpublish selected articles (back to draft)", permissions=["change"])
    def unpublish(self, request, queryset):
        for article in queryset:
            article_unpublish(article=article)
        count = len(queryset)
        self.message_user(
            request,
            ngettext("%d article moved back to draft.", "%d articles moved back to draft.", count) % count,
            messages.SUCCESS,
        )
