from django.db import models
from django.urls import reverse
from taggit.models import ItemBase, TagBase


class TagQuerySet(models.QuerySet):
    def featured(self):
        return self.filter(featured=True).order_by("order", "name")


class Tag(TagBase):
    """A tag; featured tags are the site's topics, shown in the navigation in `order`."""

    description = models.TextField(blank=True)
    featured = models.BooleanField(default=False, help_text="Show in the site navigation as a topic.")
    order = models.PositiveSmallIntegerField(default=0, help_text="Position among the featured topics.")

    objects = TagQuerySet.as_manager()

    class Meta:
        verbose_name = "tag"
        verbose_name_plural = "tags"
        ordering = ["order", "name"]
        indexes = [models.Index(fields=["featured", "order"], name="tag_featured_order_idx")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("tags:detail", kwargs={"slug": self.slug})

    def slugify(self, tag, i=None):
        """taggit's Unicode slug (readable in any script); "tag" when the name has no letters or digits."""
        slug = super().slugify(tag) or "tag"
        return slug if i is None else f"{slug}_{i}"


class TaggedArticle(ItemBase):
    """Through model with real foreign keys, for speed and integrity (taggit's custom tagging)."""

    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="tagged_articles")
    content_object = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="tagged_items"
    )

    class Meta:
        verbose_name = "tagged article"
        constraints = [
            models.UniqueConstraint(fields=["content_object", "tag"], name="tagged_article_unique"),
        ]

    def __str__(self):
        return f"{self.content_object} tagged {self.tag}"


class TagRedirect(models.Model):
    """The slug of a tag merged into another, so old links and feed subscriptions keep working."""

    old_slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="redirects")

    class Meta:
        verbose_name = "tag redirect"

    def __str__(self):
        return f"{self.old_slug} → {self.tag.slug}"
