"""The featured-topics navigation (the `topic_nav` tag) on every page."""

import pytest
from django.urls import reverse

from tests.factories import ArticleFactory, TagFactory

pytestmark = pytest.mark.django_db


def test_featured_topics_in_the_navigation_of_every_page_in_order(client):
    TagFactory(name="Islamic State", featured=True, order=1)
    TagFactory(name="Boko Haram", featured=True, order=3)
    TagFactory(name="Al Shabaab", featured=True, order=2)
    TagFactory(name="Not a topic")
    article = ArticleFactory()
    for url in [
        reverse("articles:index"),
        reverse("tags:index"),
        article.get_absolute_url(),
        reverse("articles:search") + "?q=x",
    ]:
        html = client.get(url).content.decode()
        nav = html[html.index('<nav class="topics"') : html.index("</nav>")]
        assert nav.index("Islamic State") < nav.index("Al Shabaab") < nav.index("Boko Haram")
        assert "Not a topic" not in nav
