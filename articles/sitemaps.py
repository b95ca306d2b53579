"""Sitemap sections for /sitemap.xml; each lists only what readers can see."""

from django.contrib.sitemaps import Sitemap

from articles.models import Article, Author
from tags.models import Tag


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().newest_first().only("slug", "published_at", "updated_at")

    def lastmod(self, article: Article):
        return max(article.updated_at, article.published_at)


class TagSitemap(Sitemap):
    """Tag pages that have published articles; a topic with none yet is not worth a crawl."""

    changefreq = "daily"

    def items(self):
        return Tag.objects.filter(tagged_articles__content_object__in=Article.objects.published()).distinct()


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()


SITEMAPS = {"articles": ArticleSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
