"""Write imported records to the database, idempotently, in batches: authors, tags, articles and comments.

Rules, the same for WordPress and Disqus:
- a record is found again by its source id (`ImportedArticle`, `ImportedComment`), so a second run of the same
  file writes nothing;
- a newer export updates what changed there, unless it was changed here since: a comment a moderator decided
  on here (a STATUS event in its log) keeps its status, a text or article edited here keeps its text, a comment
  deleted here stays deleted. The fingerprint of what was last imported tells the two apart;
- every record of the file is noted in a temporary table (`import_seen`, dropped at commit), from which
  the parents are resolved (also when a reply comes before its parent) and the report is reconciled.
"""

import hashlib
import ipaddress
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from django.db import connection
from django.utils import timezone
from django.utils.text import slugify

from articles.models import Article, Author
from articles.search import article_update_search_vector
from comments.models import Comment, ModerationEvent
from comments.services import comment_import_update, comment_threads_rebuild, comments_import
from longwar.imports.models import ImportedArticle, ImportedComment, Source
from longwar.imports.xmlstream import ImportFileError
from tags.models import Tag, TaggedArticle

POST, COMMENT = "post", "comment"


def fingerprint(*values) -> str:
    return hashlib.blake2b(json.dumps(values, default=str).encode(), digest_size=16).hexdigest()


def _utc(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value else None


def clean_ip(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


class Seen:
    """The file's records as the importer understood them, in a temporary table, for parents and the report."""

    TABLE = "import_seen"

    def __init__(self, display: str):
        self.display = display
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.TABLE}")
            cursor.execute(
                f"""CREATE TEMP TABLE {self.TABLE} (
                    kind text NOT NULL, external_id text NOT NULL, line integer NOT NULL,
                    expected text NOT NULL,       -- the status it should have here; '' when not imported
                    parent text NOT NULL DEFAULT '', article_id bigint,
                    local boolean NOT NULL DEFAULT false,  -- changed here since imported, and kept
                    tags text,                     -- posts: the tag ids it should have, sorted, comma-separated
                    PRIMARY KEY (kind, external_id)
                ) ON COMMIT DROP"""
            )

    def add(self, kind: str, rows: list[tuple]) -> None:
        """rows: (external_id, line, expected, parent, article_id, local, tags); a repeated id is an error."""
        if not rows:
            return
        first_lines: dict[str, int] = {}
        for external_id, line, *_ in rows:
            if external_id in first_lines:
                raise self.repeated(kind, external_id, line, first_lines[external_id])
            first_lines[external_id] = line
        columns = list(zip(*rows, strict=True))
        with connection.cursor() as cursor:
            cursor.execute(
                f"""INSERT INTO {self.TABLE} (kind, external_id, line, expected, parent, article_id, local, tags)
                    SELECT %s, * FROM unnest(%s::text[], %s::int[], %s::text[], %s::text[], %s::bigint[],
                                             %s::boolean[], %s::text[])
                    ON CONFLICT DO NOTHING RETURNING external_id""",
                [kind, *map(list, columns)],
            )
            inserted = {external_id for (external_id,) in cursor.fetchall()}
            duplicates = [row for row in rows if row[0] not in inserted]
            if duplicates:
                external_id, line = duplicates[0][:2]
                cursor.execute(
                    f"SELECT line FROM {self.TABLE} WHERE kind = %s AND external_id = %s", [kind, external_id]
                )
                raise self.repeated(kind, external_id, line, cursor.fetchone()[0])

    def repeated(self, kind: str, external_id: str, line: int, first: int) -> ImportFileError:
        return ImportFileError(
            f"{self.display}:{line}: {kind} {external_id} appears twice (first at line {first})"
        )


@dataclass
class CommentRecord:
    """One comment of the file, in this site's terms, whatever the source."""

    external_id: str
    line: int
    article_id: int | None  # None: its post or thread is not imported (the comment is skipped)
    parent_external_id: str
    status: str  # "" when skipped
    note: str  # for the log: where it came from, its status there
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    created_at: datetime | None = None
    body: str = ""
    aliases: list[tuple[str, str]] = field(default_factory=list)  # (source, id): the same comment elsewhere

    def values(self, source: str) -> dict:
        """The fields this source carries (a Disqus export has no website or browser: they are left alone)."""
        values = {
            "body": self.body,
            "author_name": self.author_name,
            "author_email": self.author_email,
            "author_url": self.author_url,
            "ip_address": clean_ip(self.ip_address),
            "user_agent": self.user_agent,
            "created_at": self.created_at,
        }
        return {name: values[name] for name in SOURCE_FIELDS[source]}


SOURCE_FIELDS = {
    Source.WORDPRESS: (
        "body",
        "author_name",
        "author_email",
        "author_url",
        "ip_address",
        "user_agent",
        "created_at",
    ),
    Source.DISQUS: ("body", "author_name", "author_email", "ip_address", "created_at"),
}


def comment_fingerprint(values: dict) -> str:
    return fingerprint(*(_utc(v) if isinstance(v, datetime) else v for _, v in sorted(values.items())))


def row_values(comment: Comment, source: str) -> dict:
    return {name: getattr(comment, name) for name in SOURCE_FIELDS[source]}


@dataclass
class Tally:
    """What the run wrote, for the summary."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_local: int = 0  # changed there, but changed here as well: kept as it is here


class CommentWriter:
    """Creates and updates a source's comments in batches; `keep_ids`: a WordPress id becomes the comment's id
    when no comment has it yet (else it is kept as `legacy_id`), so old #comment-<id> anchors still land."""

    def __init__(self, *, source: str, seen: Seen, batch: UUID, keep_ids: bool, dry_run: bool):
        self.source, self.seen, self.batch = source, seen, batch
        self.keep_ids, self.dry_run = keep_ids, dry_run
        self.tally = Tally()
        self.highest_id = 0
        self.touched_articles: set[int] = set()  # whose threads and counts to rebuild once parents are in

    def write(self, records: list[CommentRecord]) -> None:
        imported = [r for r in records if r.status]
        mappings = {
            m.external_id: m
            for m in ImportedComment.objects.filter(
                source=self.source, external_id__in=[r.external_id for r in imported]
            ).select_related("comment")
        }
        decided_here = set(
            ModerationEvent.objects.filter(
                comment_id__in=[m.comment_id for m in mappings.values()],
                kind__in=[ModerationEvent.Kind.STATUS, ModerationEvent.Kind.ERASE],  # decided or erased here
            ).values_list("comment_id", flat=True)
        )
        deleted_here = {r.external_id for r in imported if r.external_id in mappings} - {
            external_id for external_id, m in mappings.items() if m.comment_id is not None
        }
        local = deleted_here | {
            r.external_id
            for r in imported
            if getattr(mappings.get(r.external_id), "comment_id", None) in decided_here
        }
        self.seen.add(
            COMMENT,
            [
                (
                    r.external_id,
                    r.line,
                    r.status,
                    r.parent_external_id,
                    r.article_id,
                    r.external_id in local,
                    None,
                )
                for r in records
            ],
        )
        self._create([r for r in imported if r.external_id not in mappings])
        self.tally.kept_local += len(deleted_here)
        for record in imported:
            if record.external_id in mappings and record.external_id not in deleted_here:
                self._update(record, mappings[record.external_id], decided_here)

    def _create(self, records: list[CommentRecord]) -> None:
        if not records:
            return
        wanted = [int(r.external_id) for r in records if r.external_id.isdecimal()]
        taken = (
            set(Comment.objects.filter(pk__in=wanted).values_list("pk", flat=True))
            if self.keep_ids
            else set()
        )
        comments = []
        for record in records:
            number = int(record.external_id) if record.external_id.isdecimal() else None
            keep = self.keep_ids and number is not None and number not in taken
            comments.append(
                Comment(
                    pk=number if keep else None,
                    legacy_id=None if keep else number,
                    article_id=record.article_id,
                    status=record.status,
                    **record.values(self.source),
                )
            )
            if keep:
                self.highest_id = max(self.highest_id, number)
        if self.keep_ids and not self.dry_run and self.highest_id:
            advance_comment_ids(self.highest_id)  # before any new id is drawn, here or by a reader posting
        created = comments_import(comments=comments, notes=[r.note for r in records], batch=self.batch)
        self.touched_articles.update(comment.article_id for comment in created)
        ImportedComment.objects.bulk_create(
            ImportedComment(
                source=self.source,
                external_id=record.external_id,
                comment=comment,
                status=record.status,
                fingerprint=comment_fingerprint(record.values(self.source)),
            )
            for record, comment in zip(records, created, strict=True)
        )
        ImportedComment.objects.bulk_create(
            [
                ImportedComment(
                    source=source,
                    external_id=alias,
                    comment=comment,
                    status=record.status,
                    fingerprint=comment_fingerprint(record.values(source)),
                )
                for record, comment in zip(records, created, strict=True)
                for source, alias in record.aliases
            ],
            ignore_conflicts=True,
        )
        self.tally.created += len(created)

    def _update(self, record: CommentRecord, mapping: ImportedComment, decided_here: set[int]) -> None:
        comment, values = mapping.comment, record.values(self.source)
        file_print = comment_fingerprint(values)
        content_there = file_print != mapping.fingerprint
        status_there = record.status != mapping.status
        if not content_there and not status_there:
            self.tally.unchanged += 1
            return
        edited_here = comment_fingerprint(row_values(comment, self.source)) != mapping.fingerprint
        decided = comment.pk in decided_here
        changes = (
            {k: v for k, v in values.items() if getattr(comment, k) != v}
            if content_there and not edited_here
            else {}
        )
        if status_there and not decided and comment.status != record.status:
            changes["status"] = record.status
        if (content_there and edited_here) or (status_there and decided):
            self.tally.kept_local += 1
        if changes:
            comment_import_update(
                comment=comment,
                values=changes,
                note=f"Updated from a newer export. {record.note}",
                batch=self.batch,
            )
            self.touched_articles.add(comment.article_id)
            self.tally.updated += 1
        now_imported = (
            file_print if content_there and not edited_here else mapping.fingerprint,
            record.status if status_there and not decided else mapping.status,
        )
        if now_imported != (mapping.fingerprint, mapping.status):
            mapping.fingerprint, mapping.status = now_imported
            mapping.save(update_fields=["fingerprint", "status", "imported_at"])

    def resolve_parents(self) -> int:
        """Attach each reply to its parent once every comment is in; returns how many reply loops were broken.

        A parent missing from the file, not imported (a pingback) or on another article leaves the reply at the
        top level, as does a loop of replies (which a page could never show: each member becomes top-level).
        Parents are computed in full first and written only where they differ, so a second run writes nothing.
        """
        params = {"source": self.source}
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS import_parents")
            cursor.execute(
                f"""CREATE TEMP TABLE import_parents ON COMMIT DROP AS
                    SELECT m.comment_id AS id, pc.id AS parent_id
                      FROM {Seen.TABLE} s
                      JOIN imports_importedcomment m ON m.source = %(source)s AND m.external_id = s.external_id
                      LEFT JOIN imports_importedcomment pm
                             ON pm.source = %(source)s AND pm.external_id = s.parent AND s.parent <> ''
                      LEFT JOIN comments_comment pc
                             ON pc.id = pm.comment_id AND pc.article_id = s.article_id AND pc.id <> m.comment_id
                     WHERE s.kind = 'comment' AND s.expected <> '' AND m.comment_id IS NOT NULL""",
                params,
            )
            cursor.execute("ALTER TABLE import_parents ADD PRIMARY KEY (id)")
            cursor.execute(
                f"""WITH RECURSIVE edges AS (
                        SELECT c.id, CASE WHEN p.id IS NULL THEN c.parent_id ELSE p.parent_id END AS parent_id
                          FROM comments_comment c LEFT JOIN import_parents p ON p.id = c.id
                         WHERE c.article_id IN (SELECT article_id FROM {Seen.TABLE} WHERE kind = 'comment')
                    ), reached AS (
                        SELECT id FROM edges WHERE parent_id IS NULL
                        UNION
                        SELECT e.id FROM edges e JOIN reached r ON e.parent_id = r.id
                    ), unreached AS (
                        SELECT id, parent_id FROM edges WHERE id NOT IN (SELECT id FROM reached)
                    ), walk(start, node, steps) AS (
                        SELECT id, parent_id, 1 FROM unreached
                        UNION ALL
                        SELECT w.start, u.parent_id, w.steps + 1 FROM walk w JOIN unreached u ON u.id = w.node
                         WHERE w.node <> w.start AND w.steps < 10000
                    )
                    UPDATE import_parents SET parent_id = NULL
                     WHERE id IN (SELECT start FROM walk WHERE node = start)"""
            )
            loops = cursor.rowcount
            cursor.execute(
                """UPDATE comments_comment c SET parent_id = p.parent_id FROM import_parents p
                    WHERE c.id = p.id AND c.parent_id IS DISTINCT FROM p.parent_id
                RETURNING c.article_id"""
            )
            self.touched_articles.update(article_id for (article_id,) in cursor.fetchall())
        comment_threads_rebuild(*self.touched_articles)  # the threads readers see, and the stored counts
        return loops


def advance_comment_ids(past: int) -> None:
    """Move the comment id sequence past `past` (never back), so new comments never draw an imported id."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Comment._meta.db_table])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            f"SELECT setval(%s, GREATEST(%s, (SELECT last_value FROM {sequence})))", [sequence, past]
        )


@dataclass
class ArticleRecord:
    """One post of the file, in this site's terms."""

    external_id: str
    line: int
    title: str
    slug: str
    body: str
    dek: str
    status: str
    published_at: datetime | None
    comments_open: bool
    author_id: int
    tag_ids: list[int]
    link: str = ""


def article_fingerprint(*, title, dek, body, status, published_at, comments_open, author_id, tag_ids) -> str:
    return fingerprint(
        title, dek, body, status, _utc(published_at), comments_open, author_id, sorted(tag_ids)
    )


class ArticleWriter:
    """Creates and updates articles from posts in batches, with their tags and search vectors."""

    FIELDS = ("title", "dek", "body", "status", "published_at", "comments_open", "author_id")

    def __init__(self, *, source: str, seen: Seen):
        self.source, self.seen = source, seen
        self.tally = Tally()

    def write(self, records: list[ArticleRecord]) -> dict[str, int]:
        """Returns each record's article id, by external id."""
        mappings = {
            m.external_id: m
            for m in ImportedArticle.objects.filter(
                source=self.source, external_id__in=[r.external_id for r in records]
            ).select_related("article")
        }
        current_tags: dict[int, list[int]] = {}
        for article_id, tag_id in TaggedArticle.objects.filter(
            content_object_id__in=[m.article_id for m in mappings.values()]
        ).values_list("content_object_id", "tag_id"):
            current_tags.setdefault(article_id, []).append(tag_id)
        local, changed, ids = set(), [], {}
        for record in records:
            mapping = mappings.get(record.external_id)
            if mapping is None:
                continue
            article, tags = mapping.article, current_tags.get(mapping.article_id, [])
            ids[record.external_id] = article.pk
            edited_here = self._fingerprint(article, tags) != mapping.fingerprint
            if edited_here:
                local.add(record.external_id)
            if self._fingerprint(record, record.tag_ids) == mapping.fingerprint:
                self.tally.unchanged += 1
            elif edited_here:
                self.tally.kept_local += 1
            else:
                changed.append((record, mapping, article, tags))
        self.seen.add(
            POST,
            [
                (
                    r.external_id,
                    r.line,
                    r.status,
                    "",
                    None,
                    r.external_id in local,
                    ",".join(map(str, sorted(set(r.tag_ids)))),
                )
                for r in records
            ],
        )
        new = [r for r in records if r.external_id not in mappings]
        touched = []
        for record, article in zip(new, self._create(new), strict=True):
            ids[record.external_id] = article.pk
            touched.append(article.pk)
        for record, mapping, article, tags in changed:
            self._update(record, mapping, article, tags)
            touched.append(article.pk)
        article_update_search_vector(*touched)
        return ids

    def _fingerprint(self, source: ArticleRecord | Article, tag_ids: list[int]) -> str:
        return article_fingerprint(**{f: getattr(source, f) for f in self.FIELDS}, tag_ids=tag_ids)

    def _create(self, records: list[ArticleRecord]) -> list[Article]:
        if not records:
            return []
        taken = set(Article.objects.filter(slug__in=[r.slug for r in records]).values_list("slug", flat=True))
        articles = []
        for record in records:
            slug = record.slug if record.slug not in taken else f"{record.slug}-{record.external_id}"
            taken.add(slug)
            articles.append(Article(slug=slug, **{f: getattr(record, f) for f in self.FIELDS}))
        articles = Article.objects.bulk_create(articles)
        ImportedArticle.objects.bulk_create(
            ImportedArticle(
                source=self.source,
                external_id=record.external_id,
                article=article,
                link=record.link[:500],
                fingerprint=self._fingerprint(record, record.tag_ids),
            )
            for record, article in zip(records, articles, strict=True)
        )
        TaggedArticle.objects.bulk_create(
            TaggedArticle(content_object=article, tag_id=tag_id)
            for record, article in zip(records, articles, strict=True)
            for tag_id in set(record.tag_ids)
        )
        self.tally.created += len(articles)
        return articles

    def _update(
        self, record: ArticleRecord, mapping: ImportedArticle, article: Article, tags: list[int]
    ) -> None:
        for name in self.FIELDS:
            setattr(article, name, getattr(record, name))
        article.updated_at = timezone.now()
        article.save(update_fields=[*self.FIELDS, "updated_at"])
        wanted = set(record.tag_ids)
        TaggedArticle.objects.filter(content_object=article).exclude(tag_id__in=wanted).delete()
        TaggedArticle.objects.bulk_create(
            [TaggedArticle(content_object=article, tag_id=t) for t in wanted - set(tags)],
            ignore_conflicts=True,
        )
        mapping.fingerprint = self._fingerprint(record, record.tag_ids)
        mapping.link = record.link[:500]
        mapping.save(update_fields=["fingerprint", "link", "imported_at"])
        self.tally.updated += 1


class Authors:
    """Authors by login, created on first sight; an author that already exists here is left as it is."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self.created = 0

    def slug(self, login: str) -> str:
        return slugify(login)[:100] or f"author-{hashlib.blake2b(login.encode(), digest_size=4).hexdigest()}"

    def ensure(self, login: str, name: str = "") -> int:
        slug = self.slug(login)
        if slug not in self.ids:
            author, created = Author.objects.get_or_create(
                slug=slug, defaults={"name": (name or login)[:100]}
            )
            self.ids[slug] = author.pk
            self.created += created
        return self.ids[slug]


class Tags:
    """Tags by slug (or an existing tag of the same name), created on first sight."""

    def __init__(self, *, feature_categories: bool):
        self.feature_categories = feature_categories
        self.ids: dict[str, int] = {}
        self.created = 0

    def ensure(self, *, kind: str, slug: str, name: str, description: str = "") -> int:
        if slug not in self.ids:
            tag = Tag.objects.filter(slug=slug).first() or Tag.objects.filter(name__iexact=name).first()
            if tag is None:
                tag = Tag.objects.create(slug=slug, name=name, description=description)
                self.created += 1
            if kind == "category" and self.feature_categories and not tag.featured:
                tag.featured = True
                tag.save(update_fields=["featured"])
            self.ids[slug] = tag.pk
        return self.ids[slug]
