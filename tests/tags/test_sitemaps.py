import pytest

from tags.sitemaps import TagSitemap
from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_tag_sitemap_lists_each_tag_of_published_articles_once():
    tag = TagFactory()
    for article in ArticleFactory.create_batch(2):
        article.tags.add(tag)
    ArticleFactory(draft=True).tags.add(TagFactory())
    ArticleFactory(scheduled=True).tags.add(TagFactory())
    TagFactory(featured=True)
    assert list(TagSitemap().items()) == [tag]
