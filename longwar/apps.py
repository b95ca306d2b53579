from django.apps import AppConfig


class LongwarConfig(AppConfig):
    name = "longwar"

    def ready(self):
        from articles.models import Article, Author
        from comments.models import ModerationSettings
        from longwar import proxies  # noqa: F401  (registers its system check)
        from longwar.donations.models import SiteSettings
        from longwar.page_cache import retire_pages_on, retire_pages_on_tagging
        from tags.models import Tag, TaggedArticle

        retire_pages_on(Article, Author, Tag, SiteSettings, ModerationSettings)
        retire_pages_on_tagging(TaggedArticle)
