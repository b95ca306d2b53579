"""Load the seed documents in seeds/ so that a fresh site has its first article, author, comments and topics.

Idempotent: rows are found by slug and only written when something differs, so a
second run changes nothing. All files load in one transaction: a malformed file
stops the run with its name and line, and nothing of the run is kept.
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
from longwar.seeds import SeedDocument, SeedError, load_document
from tags.models import Tag

SEEDS_DIR = Path(settings.BASE_DIR) / "seeds"


def upsert(model, lookup: dict, values: dict):
    """Create or update one row, saving only when a value differs; return (row, changed)."""
    row = model.objects.filter(**lookup).first()
    if row is None:
        return model.objects.create(**lookup, **values), True
    changed = {name: value for name, value in values.items() if getattr(row, name) != value}
    for name, value in changed.items():
        setattr(row, name, value)
    if changed:
        row.save(update_fields=[*changed, *(["updated_at"] if hasattr(row, "updated_at") else [])])
    return row, bool(changed)


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


def save_document(document: SeedDocument) -> tuple[Article, int]:
    """Write one parsed seed; return the article and how many rows changed."""
    author, author_changed = upsert(
        Author,
        {"slug": slugify(document.author_name)},
        {"name": document.author_name, "title": document.author_title, "bio": document.author_bio},
    )
    status = Article.Status.PUBLISHED if document.published_at else Article.Status.DRAFT
    article, article_changed = upsert(
        Article,
        {"slug": slugify(document.title)},
        {
            "title": document.title,
            "author": author,
            "dek": document.paragraphs[0].text if document.paragraphs else "",
            "body": body_html(document),
            "status": status,
            "published_at": document.published_at,
        },
    )
    changes = int(author_changed) + int(article_changed)
    if sorted(article.tags.names()) != sorted(document.tags):
        article.tags.set(document.tags)
        changes += 1
    comments_from = article.published_at or article.created_at
    for position, seed_comment in enumerate(document.comments):
        # Page order becomes time order: the source gives no times, so space them after publication.
        created_at = comments_from + timedelta(hours=1, minutes=20 * position)
        _, changed = comment_import(
            article=article, name=seed_comment.author_name, body=seed_comment.body, created_at=created_at
        )
        changes += int(changed)
    if article_changed:
        article_update_search_vector(article.pk)
    for order, name in enumerate(document.topics, start=1):
        _, changed = upsert(Tag, {"slug": slugify(name)}, {"name": name, "featured": True, "order": order})
        changes += int(changed)
    return article, changes


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
                article, changes = save_document(document)
                total += changes
                if verbosity >= 2:
                    self.stdout.write(f"{display_name(path)}: {article.title} ({changes} changes)")
        if verbosity >= 1:
            self.stdout.write(
                self.style.SUCCESS(f"Loaded {len(documents)} seed document(s); {total} row(s) changed.")
            )
