"""Bodies saved before sanitising on save are cleaned by a migration, and found by search as cleaned."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from articles.html import sanitize_article_html
from articles.models import Article
from articles.search import search_articles

BEFORE = [("articles", "0003_article_search_vector")]
DIRTY_BODY = "<p>Peace talks<script>var secretword = 1;</script></p>"


@pytest.mark.django_db(transaction=True)
def test_existing_bodies_are_sanitised_and_reindexed():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    author = old.get_model("articles", "Author").objects.create(name="Bill", slug="bill")
    old.get_model("articles", "Article").objects.create(
        title="Talks",
        slug="talks",
        author=author,
        body=DIRTY_BODY,
        status="published",
        published_at="2020-01-01T00:00Z",
    )
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    article = Article.objects.get(slug="talks")
    assert article.body == sanitize_article_html(DIRTY_BODY) == "<p>Peace talks</p>"
    assert list(search_articles("peace")) == [article]
    assert not search_articles("secretword").exists()
