"""Load the seed documents in seeds/ so that a fresh site has its first article, author, comments and topics.

`make run` runs it every time, so it creates what is missing and never overrides the site: each
document is loaded once (recorded in LoadedSeed), and a second run creates nothing. All files load in
one transaction: a malformed file stops the run with its name and line, and nothing of the run is kept.
"""

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.html import escape
from django.utils.text import slugify

from articles.models import Article, Author
from articles.search import article_update_search_vector
from comments.services import comment_import
from longwar.models import LoadedSeed
from longwar.seeds import SeedDocument, SeedError, load_document
from tags.models import Tag

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


def body_html(document: SeedDocument) -> str:
    """Paragraphs as <p>, runs of quoted paragraphs wrapped in one <blockquote>."""
    html, in_quote = [], False
    for paragraph in document.paragraphs:
        if paragraph.quoted != in_quote:
            html.append("<blockquote>" if paragraph.quoted else "</blockquote>")
            in_quote = paragraph.quoted
        html.append(f"<p>{escape(paragraph.text)}</p>")
    if in_quote:
        html.append("</blockquote>")
    return "\n".join(html)


def save_document(document: SeedDocument) -> int:
    """Create what this seed brings and the site lacks; return how many rows were created.

    A seed is loaded once: after that its article, comments and topics are the staff's to edit, unpublish,
    remove or delete, and loading again changes none of it. An article already on the site under the seed's
    slug (a site seeded before this rule, or a page staff wrote) is left as it is, and so is an existing topic.
    """
    slug = slugify(document.title)
    _, first_load = LoadedSeed.objects.get_or_create(article_slug=slug)
    if not first_load:
        return 0
    created = 0
    for order, name in enumerate(document.topics, start=1):
        if not Tag.objects.filter(name__iexact=name).exists():
            Tag.objects.create(name=name, featured=True, order=order)
            created += 1
    if Article.objects.filter(slug=slug).exists():
        return created
    author, author_created = Author.objects.get_or_create(
        slug=slugify(document.author_name),
        defaults={"name": document.author_name, "title": document.author_title, "bio": document.author_bio},
    )
    article = Article.objects.create(
        slug=slug,
        title=document.title,
        author=author,
        dek=document.paragraphs[0].text if document.paragraphs else "",
        body=body_html(document),
        status=Article.Status.PUBLISHED if document.published_at else Article.Status.DRAFT,
        published_at=document.published_at,
    )
    article.tags.add(*document.tags)
    comments_from = article.published_at or article.created_at
    for position, seed_comment in enumerate(document.comments):
        # Page order becomes time order: the source gives no times, so space them after publication.
        comment_import(
            article=article,
            name=seed_comment.author_name,
            body=seed_comment.body,
            created_at=comments_from + timedelta(hours=1, minutes=20 * position),
        )
    article_update_search_vector(article.pk)
    return created + int(author_created) + 1 + len(document.comments)


def seed_paths(paths: list[str]) -> list[Path]:
    if not paths:
        return sorted(SEEDS_DIR.glob("*.txt"))
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.is_file():
            raise CommandError(f"{path}: no such seed file")
    return resolved


def display_name(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path(settings.BASE_DIR)))
    except ValueError:
        return str(path)


class Command(BaseCommand):
    help = "Load the seed documents (default: every seeds/*.txt). Safe to run again."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Seed files to load instead of seeds/*.txt.")
        parser.add_argument("--dry-run", action="store_true", help="Parse and check, write nothing.")

    def handle(self, *args, paths, dry_run, verbosity, **options):
        files = seed_paths(paths)
        try:
            documents = [(path, load_document(path, display_name(path))) for path in files]
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        if dry_run:
            for path, document in documents:
                self.stdout.write(f"{display_name(path)}: {document.title!r} parses cleanly")
            return
        total = 0
        with transaction.atomic():
            for path, document in documents:
                created = save_document(document)
                total += created
                if verbosity >= 2:
                    self.stdout.write(f"{display_name(path)}: {document.title} ({created} rows created)")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {len(documents)} seed document(s); {total} row(s) created.")
            )
