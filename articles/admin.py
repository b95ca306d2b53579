from django.contrib import admin, messages
from django.db.models import Count, Q
from django.utils.translation import ngettext

from articles.models import Article, Author
from articles.search import article_update_search_vector
from articles.services import article_publish, article_unpublish
from comments.admin import CommentInline
from comments.models import Comment


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
        "approved_comments",
        "pending_comments",
    ]
    list_filter = ["status", "comments_open", "author"]
    list_select_related = ["author"]
    search_fields = ["title", "dek", "body"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["author"]
    actions = ["publish", "unpublish"]
    inlines = [CommentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "author", "dek", "body", "tags"]}),
        ("Publishing", {"fields": ["status", "published_at", "comments_open"]}),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                approved_count=Count("comments", filter=Q(comments__status=Comment.Status.APPROVED)),
                pending_count=Count("comments", filter=Q(comments__status=Comment.Status.PENDING)),
            )
        )

    @admin.display(description="approved", ordering="approved_count")
    def approved_comments(self, article):
        return article.approved_count

    @admin.display(description="pending", ordering="pending_count")
    def pending_comments(self, article):
        return article.pending_count

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
