"""Writes to articles that carry rules: publishing and unpublishing."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from articles.models import Article


@transaction.atomic
def article_publish(*, article: Article, at: datetime | None = None) -> Article:
    """Publish now, or at `at`; an article already dated keeps its date unless `at` is given."""
    article.status = Article.Status.PUBLISHED
    article.published_at = at or article.published_at or timezone.now()
    article.full_clean()
    article.save()
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Back to draft; the date is kept so that republishing keeps the permalink."""
    article.status = Article.Status.DRAFT
    article.full_clean()
    article.save()
    return article
