from http import HTTPStatus

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from articles.models import Article
from articles.search import search_articles
from tags.models import Tag, TaggedArticle
from tests.factories import ArticleFactory, IndexedArticleFactory, TagFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:tags_tag_changelist")


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
    page = client.get(reverse("tags:detail", kwargs={"slug": "isil"}), {"page": 2})
    assert page.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert page["Location"] == isis.get_absolute_url() + "?page=2"
    feed = client.get(reverse("tags:feed", kwargs={"slug": "daesh"}))
    assert feed.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert feed["Location"] == reverse("tags:feed", kwargs={"slug": "islamic-state"})


def test_merge_is_not_offered_without_delete_permission(client, django_user_model):
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["view_tag", "change_tag"]))
    client.force_login(editor)
    response = client.get(CHANGELIST)
    assert response.status_code == HTTPStatus.OK
    assert "merge_tags" not in response.content.decode()


def test_renaming_a_tag_in_the_admin_updates_search(admin_client):
    tag = TagFactory(name="ISIS", slug="isis")
    article = IndexedArticleFactory(title="Raqqa", body="<p>A report.</p>")
    article.tags.add(tag)
    response = admin_client.post(
        reverse("admin:tags_tag_change", args=[tag.pk]),
        {"name": "Islamic State", "slug": "isis", "description": "", "order": "0"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert list(search_articles("Islamic State")) == [article]
