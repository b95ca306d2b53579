from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission

from articles.models import Article
from articles.search import search_articles
from tags.models import Tag, TaggedArticle, TagRedirect
from tags.services import tag_merge
from tests.factories import ArticleFactory, IndexedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/tags/tag/"


def test_tag_changelist_shows_article_counts_and_searches(admin_client):
    taliban = TagFactory(name="Taliban")
    TagFactory(name="Somalia")
    for article in ArticleFactory.create_batch(3):
        article.tags.add(taliban)
    response = admin_client.get(CHANGELIST + "?q=tali")
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Taliban" in html
    assert "Somalia" not in html
    assert '<td class="field-article_count">3</td>' in html


def test_featured_and_order_are_editable_in_the_list(admin_client):
    tag = TagFactory(name="Boko Haram")
    response = admin_client.post(
        CHANGELIST,
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": tag.pk,
            "form-0-featured": "on",
            "form-0-order": "3",
            "_save": "Save",
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    tag.refresh_from_db()
    assert (tag.featured, tag.order) == (True, 3)


def test_merge_action_asks_which_tag_survives(admin_client):
    isis = TagFactory(name="Islamic State")
    isil = TagFactory(name="ISIL")
    response = admin_client.post(CHANGELIST, {"action": "merge_tags", "_selected_action": [isis.pk, isil.pk]})
    html = response.content.decode()
    assert response.status_code == HTTPStatus.OK
    assert "Keep this tag" in html
    assert f'name="survivor" value="{isis.pk}"' in html
    assert f'name="survivor" value="{isil.pk}"' in html
    assert Tag.objects.count() == 2


def test_merge_action_without_a_choice_asks_again(admin_client):
    tags = TagFactory.create_batch(2)
    response = admin_client.post(
        CHANGELIST,
        {"action": "merge_tags", "_selected_action": [t.pk for t in tags], "confirm": "yes"},
    )
    assert response.status_code == HTTPStatus.OK
    assert "Choose the tag to keep." in response.content.decode()
    assert Tag.objects.count() == 2


def test_merge_action_needs_two_tags(admin_client):
    tag = TagFactory()
    response = admin_client.post(
        CHANGELIST, {"action": "merge_tags", "_selected_action": [tag.pk]}, follow=True
    )
    assert "Select at least two tags to merge." in response.content.decode()
    assert Tag.objects.count() == 1


def test_merge_action_moves_articles_and_redirects_old_slugs(admin_client, client):
    isis = TagFactory(name="Islamic State", slug="islamic-state")
    isil = TagFactory(name="ISIL", slug="isil")
    daesh = TagFactory(name="Daesh", slug="daesh")
    only_isil = ArticleFactory()
    only_isil.tags.add(isil)
    both = ArticleFactory()
    both.tags.add(isis, isil, daesh)
    response = admin_client.post(
        CHANGELIST,
        {
            "action": "merge_tags",
            "_selected_action": [isis.pk, isil.pk, daesh.pk],
            "confirm": "yes",
            "survivor": isis.pk,
        },
        follow=True,
    )
    assert "Merged 2 tags into “Islamic State”; 2 articles retagged." in response.content.decode()
    assert list(Tag.objects.values_list("slug", flat=True)) == ["islamic-state"]
    assert set(Article.objects.filter(tags=isis)) == {only_isil, both}
    assert TaggedArticle.objects.filter(content_object=both).count() == 1
    page = client.get("/tags/isil/?page=2")
    assert page.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert page["Location"] == "/tags/islamic-state/?page=2"
    feed = client.get("/tags/daesh/feed/")
    assert feed.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert feed["Location"] == "/tags/islamic-state/feed/"


def test_merge_is_not_offered_without_delete_permission(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client.force_login(editor)
    response = client.get(CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    assert "merge_tags" not in response.content.decode()


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


def test_renaming_a_tag_in_the_admin_updates_search(admin_client):
    tag = TagFactory(name="ISIS", slug="isis")
    article = IndexedArticleFactory(title="Raqqa", body="<p>A report.</p>")
    article.tags.add(tag)
    response = admin_client.post(
        f"/admin/tags/tag/{tag.pk}/change/",
        {"name": "Islamic State", "slug": "isis", "description": "", "order": "0"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(search_articles("Islamic State")) == [article]


def article_form(article: Article, **changes) -> dict:
    data = {
        "title": article.title,
        "slug": article.slug,
        "author": article.author_id,
        "dek": article.dek,
        "body": article.body,
        "tags": ", ".join(article.tags.names()),
        "status": article.status,
        "published_at_0": article.published_at.strftime("%Y-%m-%d"),
        "published_at_1": article.published_at.strftime("%H:%M:%S"),
        "comments_open": "on",
        "comments-TOTAL_FORMS": "0",  # the inline of the article's comments
        "comments-INITIAL_FORMS": "0",
    }
    return {**data, **changes}


def test_editing_the_body_in_the_admin_changes_what_search_finds(admin_client):
    article = IndexedArticleFactory(body="<p>Reports from Helmand.</p>")
    assert list(search_articles("Helmand")) == [article]
    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, body="<p>Reports from Kandahar.</p>"),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(search_articles("Helmand")) == []
    assert list(search_articles("Kandahar")) == [article]


def test_editing_tags_in_the_admin_changes_what_search_finds(admin_client):
    article = IndexedArticleFactory(body="<p>Text.</p>")
    response = admin_client.post(
        f"/admin/articles/article/{article.pk}/change/",
        article_form(article, tags='Waziristan, "Tehreek-i-Taliban, TTP"'),
    )
    assert response.status_code == HTTPStatus.FOUND
    assert sorted(article.tags.names()) == ["Tehreek-i-Taliban, TTP", "Waziristan"]
    assert list(search_articles("Waziristan")) == [article]
    assert list(search_articles("Tehreek-i-Taliban")) == [article]
