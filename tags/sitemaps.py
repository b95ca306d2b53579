from django.contrib.sitemaps import Sitemap

from articles.models import Article
from tags.models import Tag


class TagSitemap(Sitemap):
    """Tag pages that have published articles; a topic with none yet is not worth a crawl."""

    changefreq = "daily"

    def items(self):
        return Tag.objects.filter(tagged_articles__content_object__in=Article.objects.published()).distinct()
