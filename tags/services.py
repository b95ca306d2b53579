"""Writes to tags that carry rules: merging tags."""

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
