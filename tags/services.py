"""Writes to tags that carry rules: merging tags; keeping search vectors right when a tag is deleted."""

from collections.abc import Iterable

from django.db import transaction

from articles.search import article_update_search_vector
from tags.models import Tag, TaggedArticle, TagRedirect


@transaction.atomic
def tag_merge(*, survivor: Tag, others: Iterable[Tag]) -> int:
    """Move every article of `others` to `survivor`, delete them and keep their slugs as redirects.

    Returns how many articles were retagged. An article tagged with several of the tags ends up tagged
    once with the survivor; redirects that pointed at a merged tag now point at the survivor.
    """
    others = [tag for tag in others if tag.pk != survivor.pk]
    if not others:
        return 0
    article_ids = set(
        TaggedArticle.objects.filter(tag__in=others).values_list("content_object_id", flat=True)
    )
    TaggedArticle.objects.bulk_create(
        [TaggedArticle(tag=survivor, content_object_id=article_id) for article_id in article_ids],
        ignore_conflicts=True,
    )
    TagRedirect.objects.filter(tag__in=others).update(tag=survivor)
    for tag in others:
        TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": survivor})
    Tag.objects.filter(pk__in=[tag.pk for tag in others]).delete()
    article_update_search_vector(*article_ids)
    return len(article_ids)


def note_articles_of_deleted_tag(*, instance: Tag, **kwargs) -> None:
    """pre_delete of a tag: remember its articles, whose search vectors change once it is gone."""
    instance.deleted_from_articles = list(
        instance.tagged_articles.values_list("content_object_id", flat=True)
    )


def refresh_articles_of_deleted_tag(*, instance: Tag, **kwargs) -> None:
    """post_delete of a tag: its taggings are gone, so the vectors are recomputed without its name."""
    article_update_search_vector(*getattr(instance, "deleted_from_articles", []))
