from django.apps import AppConfig
from django.db.models.signals import post_delete


def recount_after_delete(*, instance, **kwargs) -> None:
    """Deleting comments (the admin's delete, a cascade) bypasses the services: recount and retire the page."""
    from articles.models import Article
    from articles.page_cache import article_page_changed
    from comments.services import comment_counts_rebuild

    comment_counts_rebuild(instance.article_id)
    slug = Article.objects.filter(pk=instance.article_id).values_list("slug", flat=True).first()
    if slug:
        article_page_changed(slug)


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        post_delete.connect(recount_after_delete, sender="comments.Comment", dispatch_uid="comments-recount")
