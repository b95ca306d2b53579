from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import ExpressionWrapper, Q
from django.urls import reverse
from django.utils import timezone
from taggit.managers import TaggableManager

from articles.html import sanitize_article_html


class Author(models.Model):
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(
        max_length=200,
        blank=True,
        help_text='Short title line, e.g. "Senior Fellow at the Foundation for Defense of Democracies".',
    )
    bio = models.TextField(blank=True, help_text="The paragraph shown under the author's articles.")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="author"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    @staticmethod
    def public() -> Q:
        """The one visibility rule: published, and not scheduled for later."""
        return Q(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())

    def published(self):
        """What readers may see."""
        return self.filter(self.public())

    def with_visibility(self):
        """Every article, each marked `is_public` by the same rule (for pages staff preview drafts on)."""
        return self.annotate(is_public=ExpressionWrapper(self.public(), output_field=models.BooleanField()))

    def newest_first(self):
        return self.order_by("-published_at", "-id")


class ArticleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class Article(models.Model):
    Status = ArticleStatus

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    author = models.ForeignKey(Author, on_delete=models.PROTECT, related_name="articles")
    dek = models.TextField("dek / excerpt", blank=True, help_text="One or two sentences shown in lists.")
    body = models.TextField(help_text="HTML written by staff; quoted news excerpts go in <blockquote>.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(null=True, blank=True, help_text="Future dates are scheduled.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    comments_open = models.BooleanField(default=True)
    tags = TaggableManager(through="tags.TaggedArticle", blank=True)
    # Kept by comments.services (the articles app never reads comments): what lists and the page show.
    comment_count = models.PositiveIntegerField(default=0, editable=False, help_text="Approved comments.")
    comment_thread_count = models.PositiveIntegerField(
        default=0, editable=False, help_text="Top-level threads readers see (pages of comments)."
    )
    search_vector = SearchVectorField(
        null=True, editable=False, help_text="Kept up to date by articles.search; never edited by hand."
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ArticleStatus.values), name="article_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(published_at__isnull=False),
                name="article_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "published_at"], name="article_status_pub_idx"),
            GinIndex(fields=["search_vector"], name="article_search_vector_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Only safe HTML is stored, whoever saves (admin, services, seeds, imports); bulk writes bypass this."""
        self.body = sanitize_article_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Kept on the instance while its slug and dates stay as they were: posting a comment asks for it
        twice (the classifier's context, where to send the reader), and each `reverse` is 4% of its time."""
        made_from = (self.slug, self.published_at or self.created_at)  # created_at may not have been read
        kept = self.__dict__.get("_url")
        if kept is None or kept[0] != made_from:
            date = timezone.localtime(self.published_at or self.created_at or timezone.now())
            url = reverse(
                "articles:detail",
                kwargs={"year": date.year, "month": f"{date.month:02d}", "slug": self.slug},
            )
            kept = self.__dict__["_url"] = (made_from, url)
        return kept[1]
