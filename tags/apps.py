from django.apps import AppConfig
from django.db.models.signals import m2m_changed


class TagsConfig(AppConfig):
    name = "tags"
    verbose_name = "Tags and topics"

    def ready(self):
        from articles.search import refresh_after_tag_change
        from tags.models import TaggedArticle

        m2m_changed.connect(refresh_after_tag_change, sender=TaggedArticle, dispatch_uid="tags-search-vector")
