"""What was imported from where: the other site's ids of each article and comment brought across.

Kept apart from the articles and comments tables (which must not know about imports): the importers find
rows here to stay idempotent, and the old-link redirects find articles by their WordPress id.
"""

from django.db import models
from django.db.models import Q


class Source(models.TextChoices):
    WORDPRESS = "wordpress", "WordPress"
    DISQUS = "disqus", "Disqus"


class ImportedArticle(models.Model):
    """An article that came from a WordPress post (`external_id` is its `wp:post_id`)."""

    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=64)
    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    link = models.CharField(
        max_length=500,
        blank=True,
        help_text="Path of its permalink on the old site, to match Disqus threads.",
    )
    fingerprint = models.CharField(
        max_length=32, help_text="Of the values last imported: tells a change there from an edit made here."
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="imported_article_unique"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="imported_article_source_valid"
            ),
        ]
        indexes = [models.Index(fields=["link"], name="imported_article_link_idx")]

    def __str__(self):
        return f"{self.get_source_display()} post {self.external_id}"


class ImportedComment(models.Model):
    """A comment that came from WordPress or Disqus, with what was last imported for it."""

    source = models.CharField(max_length=10, choices=Source.choices)
    external_id = models.CharField(max_length=64)
    comment = models.ForeignKey(
        "comments.Comment",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty once the comment is deleted here: a later import does not bring it back.",
    )
    status = models.CharField(max_length=10, help_text="The status it was last imported with.")
    fingerprint = models.CharField(
        max_length=32,
        help_text="Of the text and author last imported: tells a change there from an edit here.",
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "external_id"], name="imported_comment_unique"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="imported_comment_source_valid"
            ),
        ]

    def __str__(self):
        return f"{self.get_source_display()} comment {self.external_id}"
