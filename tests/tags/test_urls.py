"""Tag names in any script get a working URL on every page that links to a tag (Unicode slugs)."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tags.models import Tag
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

# Names staff of this newsroom type: transliterations with diacritics, Arabic, Urdu, Pashto, Russian, Chinese.
NAMES = [
    "Ḥayʾat Taḥrīr al-Shām",
    "Al-Qāʿida fī Jazīrat al-ʿArab",
    "Lashkar-e-Ṭayyiba",
    "Tehrik-i-Tālibān Pākistān",
    "الدولة الإسلامية",
    "تحریک طالبان پاکستان",
    "Ислямское государство",
    "东突厥斯坦伊斯兰运动",
    "Kurdistan İşçi Partisi",
]


def tag_named(name: str) -> Tag:
    """Tags made as staff make them: typed into an article's tag field (taggit makes the slug)."""
    article = ArticleFactory()
    article.tags.add(name)
    return Tag.objects.get(name=name)


@pytest.mark.parametrize("name", NAMES)
def test_tag_with_letters_outside_ascii_works_on_every_page_that_links_to_it(client, name):
    tag = tag_named(name)
    tag.featured = True  # in the navigation of every page
    tag.save()
    article = tag.tagged_articles.get().content_object
    url = tag.get_absolute_url()

    for page in [article.get_absolute_url(), reverse("tags:index"), reverse("articles:index")]:
        response = client.get(page)
        assert response.status_code == HTTPStatus.OK, page
        assert f'href="{url}"' in response.content.decode()
    sitemap = client.get(reverse("sitemap"))
    assert sitemap.status_code == HTTPStatus.OK
    assert url in sitemap.content.decode()

    page = client.get(url)
    assert page.status_code == HTTPStatus.OK
    assert page.context["tag"] == tag
    assert client.get(reverse("tags:feed", kwargs={"slug": tag.slug})).status_code == HTTPStatus.OK


def test_tag_urls_keep_the_name_readable():
    """Unicode slugs, not a transliteration: the address says what the page is about, in its own script."""
    assert tag_named("الدولة الإسلامية").slug == "الدولة-الإسلامية"
    assert tag_named("Lashkar-e-Ṭayyiba").slug == "lashkar-e-ṭayyiba"


@pytest.mark.parametrize("name", ["🇳🇬", "!!!", "☪ ✝"])
def test_tag_name_without_letters_still_gets_a_slug(client, name):
    tag = tag_named(name)
    assert tag.slug
    assert client.get(tag.get_absolute_url()).context["tag"] == tag


def test_two_names_without_letters_get_distinct_slugs():
    assert tag_named("🇳🇬").slug != tag_named("🇸🇴").slug
