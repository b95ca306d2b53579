from datetime import timedelta

import factory
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author
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


class DonationClickFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "longwar.DonationClick"

    article = factory.SubFactory(ArticleFactory)
    referrer_host = "www.longwarjournal.org"
