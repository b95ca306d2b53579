from datetime import timedelta

import factory
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author
from articles.search import article_update_search_vector
from comments.models import CommentStatus
from comments.text import comment_body_html
from tags.models import Tag


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.LazyAttribute(lambda a: slugify(a.name))
    title = "Senior Fellow"
    bio = factory.LazyAttribute(lambda a: f"{a.name} is a Senior Fellow.")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article number {n}")
    slug = factory.LazyAttribute(lambda a: slugify(a.title))
    author = factory.SubFactory(AuthorFactory)
    dek = "A short summary."
    body = "<p>Body text.</p>"
    status = Article.Status.PUBLISHED
    published_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))

    class Params:
        draft = factory.Trait(status=Article.Status.DRAFT, published_at=None)
        scheduled = factory.Trait(
            published_at=factory.LazyFunction(lambda: timezone.now() + timedelta(days=3))
        )


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    name = factory.Sequence(lambda n: f"Topic {n}")
    slug = factory.LazyAttribute(lambda t: slugify(t.name))


class CommentFactory(factory.django.DjangoModelFactory):
    article = factory.SubFactory(ArticleFactory)
    author_name = factory.Sequence(lambda n: f"Reader {n}")
    author_email = factory.LazyAttribute(lambda c: f"{slugify(c.author_name)}@example.org")
    body = factory.Sequence(lambda n: f"Comment text number {n}.")
    parent = None
    body_html = factory.LazyAttribute(lambda c: comment_body_html(c.body))
    status = CommentStatus.APPROVED
    ip_address = "203.0.113.7"
    # As comments.services keeps them: a reply joins its approved parent's thread.
    thread_root_id = factory.LazyAttribute(
        lambda c: c.parent.thread if c.parent is not None and c.parent.status == "approved" else None
    )

    class Meta:
        model = "comments.Comment"
        skip_postgeneration_save = True

    @factory.post_generation
    def counted(comment, create, extracted, **kwargs):
        """The article's stored counts include it, as when the services store a comment."""
        if create and comment.status == "approved":
            Article.objects.filter(pk=comment.article_id).update(
                comment_count=F("comment_count") + 1,
                comment_thread_count=F("comment_thread_count") + int(comment.thread_root_id is None),
            )


class IndexedArticleFactory(ArticleFactory):
    """An article with its search vector computed, as the admin and load_seeds do after saving one."""

    class Meta:
        skip_postgeneration_save = True  # a second save() would write the in-memory NULL vector back

    @factory.post_generation
    def index(article, create, extracted, **kwargs):
        if create:
            article_update_search_vector(article.pk)


class DonationClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "donations.DonationClick"

    article = factory.SubFactory(ArticleFactory)
    referrer_host = "www.longwarjournal.org"


def trusted_commenter(email: str, ip_address: str, name: str = "Grim"):
    """Trust an email as staff do, from a network it has an approved comment from: trust needs both."""
    from comments.models import CommenterRule

    CommentFactory(  # yesterday, so it counts for no flood limit
        author_email=email,
        author_name=name,
        ip_address=ip_address,
        created_at=timezone.now() - timedelta(days=1),
    )
    return CommenterRule.objects.create(
        action=CommenterRule.Action.TRUST, kind=CommenterRule.Kind.EMAIL, value=email
    )
