from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, pre_delete


class TagsConfig(AppConfig):
    name = "tags"
    verbose_name = "Tags and topics"

    def ready(self):
        from articles.search import refresh_after_tag_change
        from tags.models import Tag, TaggedArticle
        from tags.services import note_articles_of_deleted_tag, refresh_articles_of_deleted_tag

        m2m_changed.connect(refresh_after_tag_change, sender=TaggedArticle, dispatch_uid="tags-search-vector")
        # Deleting a tag deletes its taggings without m2m_changed; its articles' vectors still name it.
        pre_delete.connect(note_articles_of_deleted_tag, sender=Tag, dispatch_uid="tags-deleted-note")
        post_delete.connect(refresh_articles_of_deleted_tag, sender=Tag, dispatch_uid="tags-deleted-refresh")
