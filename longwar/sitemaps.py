"""The site's /sitemap.xml: one section per app that has pages worth a crawl."""

from articles.sitemaps import ArticleSitemap, AuthorSitemap
from tags.sitemaps import TagSitemap

SITEMAPS = {"articles": ArticleSitemap, "tags": TagSitemap, "authors": AuthorSitemap}
