"""Sitemap sections for articles and authors; each lists only what readers can see."""

from django.contrib.sitemaps import Sitemap

from articles.models import Article, Author


class ArticleSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Article.objects.published().newest_first().only("slug", "published_at", "updated_at")

    def lastmod(self, article: Article):
        return max(article.updated_at, article.published_at)


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()
