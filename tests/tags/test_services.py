"""Search vectors follow tags wherever they go: merged, renamed or deleted."""

import pytest

from articles.search import search_articles
from tags.models import Tag, TagRedirect
from tags.services import tag_merge
from tests.factories import ArticleFactory, IndexedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_tag_merge_chains_earlier_redirects_to_the_survivor():
    first, second, third = TagFactory.create_batch(3)
    tag_merge(survivor=second, others=[first])
    tag_merge(survivor=third, others=[second])
    assert dict(TagRedirect.objects.values_list("old_slug", "tag__slug")) == {
        first.slug: third.slug,
        second.slug: third.slug,
    }


def test_tag_merge_ignores_the_survivor_among_others():
    survivor = TagFactory()
    ArticleFactory().tags.add(survivor)
    assert tag_merge(survivor=survivor, others=[survivor]) == 0
    assert Tag.objects.get() == survivor
    assert not TagRedirect.objects.exists()


def test_tag_merge_makes_articles_findable_by_the_surviving_name():
    survivor = TagFactory(name="Islamic State")
    other = TagFactory(name="Daesh")
    article = IndexedArticleFactory(title="Raqqa", body="<p>A report.</p>")
    article.tags.add(other)
    tag_merge(survivor=survivor, others=[other])
    assert list(search_articles("Islamic State")) == [article]
    assert list(search_articles("Daesh")) == []


@pytest.mark.parametrize("how", ["instance", "queryset"])  # the admin's delete page, and its bulk action
def test_deleting_a_tag_removes_it_from_the_search_vectors(how):
    article = IndexedArticleFactory(title="Peace talks", body="<p>Nothing else.</p>")
    article.tags.add("Waziristan")
    assert list(search_articles("Waziristan")) == [article]
    if how == "instance":
        Tag.objects.get(name="Waziristan").delete()
    else:
        Tag.objects.filter(name="Waziristan").delete()
    assert list(search_articles("Waziristan")) == []
