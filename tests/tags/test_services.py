"""Search vectors follow tags wherever they go: merged, renamed or deleted."""

import pytest

from articles.search import search_articles
from tags.models import Tag
from tests.factories import IndexedArticleFactory

pytestmark = pytest.mark.django_db


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
