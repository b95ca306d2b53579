"""The two imports, end to end: read the file in a stream, write in batches, rebuild threads, reconcile.

Callers run them inside one transaction (the management commands do): a file that turns out malformed
halfway raises ImportFileError and nothing of the run is kept; a dry run rolls everything back after the
report has been read from the database.
"""

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit
from uuid import uuid4

from django.db import connection, reset_queries
from django.urls import Resolver404, resolve

from articles.models import Article, Author
from longwar.imports.disqus import DisqusPost, DisqusThread, read_posts, read_threads
from longwar.imports.models import ImportedArticle, ImportedComment, Source
from longwar.imports.progress import Progress
from longwar.imports.report import Report, Section, rows_section, taggings_section, threads_section
from longwar.imports.store import (
    ArticleRecord,
    ArticleWriter,
    Authors,
    CommentRecord,
    CommentWriter,
    Seen,
    Tags,
)
from longwar.imports.wxr import Wxr, WxrAuthor, WxrPost, WxrTerm, link_key, read_wxr
from longwar.imports.xmlstream import ImportFileError
from tags.models import Tag

POSTS_PER_BATCH = 200
COMMENTS_PER_BATCH = 2000
WP_STATUS_NAMES = {
    "1": "approved",
    "0": "pending",
    "spam": "spam",
    "trash": "trash",
    "post-trashed": "post-trashed",
}
LOCAL_DECISION = "a moderator decided here since the last import (kept)"
LOCAL_EDIT = "edited here since the last import (kept)"


@dataclass
class WxrCounts:
    """What the file holds, counted while reading it."""

    posts: Counter = field(default_factory=Counter)  # (post_type, status)
    comments: Counter = field(default_factory=Counter)  # (comment_type, wp:comment_approved)
    on_skipped_posts: int = 0
    passworded: int = 0
    terms: dict[str, set[str]] = field(default_factory=lambda: {"category": set(), "tag": set()})
    other_taxonomies: Counter = field(default_factory=Counter)
    post_terms: int = 0
    listed_authors: set[str] = field(default_factory=set)
    creators: set[str] = field(default_factory=set)

    def add(self, post: WxrPost) -> None:
        self.posts[(post.post_type, post.source_status)] += 1
        for comment in post.comments:
            self.comments[(comment.kind or "comment", comment.source_status)] += 1
            if not post.status and comment.status:
                self.on_skipped_posts += 1
        if post.status:
            self.passworded += post.password
            self.creators.add(post.author_login)
            self.post_terms += len(post.terms)
            self.other_taxonomies.update(post.other_terms)


def _nested(counter: Counter) -> dict[str, dict[str, int]]:
    nested: dict[str, dict[str, int]] = {}
    for (outer, inner), count in sorted(counter.items()):
        nested.setdefault(outer, {})[inner] = count
    return nested


def import_wxr(
    path: Path,
    *,
    display: str,
    dry_run: bool = False,
    feature_categories: bool = False,
    progress: Progress | None = None,
) -> Report:
    """Import a WordPress export; returns the reconciliation report."""
    progress = progress or Progress(total_bytes=1, stream=None, label="", enabled=False)
    seen = Seen(display)
    authors, tags = Authors(), Tags(feature_categories=feature_categories)
    articles = ArticleWriter(source=Source.WORDPRESS, seen=seen)
    comments = CommentWriter(
        source=Source.WORDPRESS, seen=seen, batch=uuid4(), keep_ids=True, dry_run=dry_run
    )
    counts, wxr, batch = WxrCounts(), Wxr(), []

    def flush() -> None:
        records = []
        for post in batch:
            if not post.status:
                continue
            if not post.author_login:
                raise ImportFileError(f"{display}:{post.line}: post {post.external_id} has no dc:creator")
            records.append(
                ArticleRecord(
                    external_id=post.external_id,
                    line=post.line,
                    title=post.title,
                    slug=post.slug,
                    body=post.body,
                    dek=post.dek,
                    status=post.status,
                    published_at=post.published_at,
                    comments_open=post.comments_open,
                    author_id=authors.ensure(post.author_login),
                    tag_ids=[tags.ensure(kind=t.kind, slug=t.slug, name=t.name) for t in post.terms],
                    link=post.link,
                )
            )
        article_ids = articles.write(records)
        comments.write(
            [
                CommentRecord(
                    external_id=c.external_id,
                    line=c.line,
                    article_id=article_ids.get(post.external_id),
                    parent_external_id=c.parent_external_id,
                    status=c.status if post.external_id in article_ids else "",
                    note=f"Imported from WordPress (comment {c.external_id}), where it was "
                    f"{WP_STATUS_NAMES[c.source_status]}.",
                    author_name=c.author_name,
                    author_email=c.author_email,
                    author_url=c.author_url,
                    ip_address=c.ip_address,
                    user_agent=c.user_agent,
                    created_at=c.created_at,
                    body=c.body,
                    aliases=[(Source.DISQUS, c.disqus_id)] if c.disqus_id.isdecimal() else [],
                )
                for post in batch
                for c in post.comments
            ]
        )
        batch.clear()
        reset_queries()  # with DEBUG on, Django would keep every statement: memory would grow with the file

    for record in read_wxr(path, display=display, wxr=wxr, on_bytes=lambda at: progress.advance(position=at)):
        if isinstance(record, WxrAuthor):
            counts.listed_authors.add(record.login)
            authors.ensure(record.login, record.name)
        elif isinstance(record, WxrTerm):
            counts.terms[record.kind].add(record.slug)
            tags.ensure(kind=record.kind, slug=record.slug, name=record.name, description=record.description)
        else:
            counts.add(record)
            for term in record.terms if record.status else []:
                counts.terms[term.kind].add(term.slug)
            batch.append(record)
            if len(batch) >= POSTS_PER_BATCH or sum(len(p.comments) for p in batch) >= COMMENTS_PER_BATCH:
                flush()
        progress.advance(items=1 + len(getattr(record, "comments", [])))
    flush()
    loops = comments.resolve_parents()
    progress.close()

    report = Report(
        source=Source.WORDPRESS, file=display, format=f"WordPress export (WXR {wxr.version})", dry_run=dry_run
    )
    report.written = {"articles": vars(articles.tally), "comments": vars(comments.tally)}
    report.sections["posts"] = _posts_section(counts)
    report.sections["comments"] = _comments_section(counts)
    report.sections["threads"] = threads_section(source=Source.WORDPRESS, loops=loops)
    report.sections["authors"] = _authors_section(counts, authors)
    report.sections["tags"] = _tags_section(counts, tags)
    report.sections["taggings"] = taggings_section(source=Source.WORDPRESS, pairs=counts.post_terms)
    return report


def _earlier(model, source: str, kind: str) -> int:
    """Rows imported from this source by earlier runs whose record is not in this file."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""SELECT count(*) FROM {table} m WHERE m.source = %s AND NOT EXISTS
                (SELECT 1 FROM {Seen.TABLE} s WHERE s.kind = %s AND s.external_id = m.external_id)""",
            [source, kind],
        )
        return cursor.fetchone()[0]


def _posts_section(counts: WxrCounts) -> Section:
    section = Section(file=_nested(counts.posts), database={})
    for (post_type, status), count in sorted(counts.posts.items()):
        if post_type != "post":
            section.note(count, f"{post_type} ({status}): not imported, only posts become articles")
        elif status in ("trash", "auto-draft"):
            section.note(count, f"{status} posts: not imported")
    section.note(counts.passworded, "password-protected posts: imported as drafts, never published")
    rows_section(
        section,
        kind="post",
        source=Source.WORDPRESS,
        earlier=_earlier(ImportedArticle, Source.WORDPRESS, "post"),
        local_reason=LOCAL_EDIT,
    )
    return section


def _comments_section(counts: WxrCounts) -> Section:
    section = Section(
        file={
            kind: {WP_STATUS_NAMES.get(s, s): n for s, n in statuses.items()}
            for kind, statuses in _nested(counts.comments).items()
        },
        database={},
    )
    for (kind, _status), count in sorted(counts.comments.items()):
        if kind != "comment":
            section.note(count, f"{kind}s: not imported")
    section.note(
        counts.on_skipped_posts, "comments on posts that were not imported (pages, trash, other types)"
    )
    earlier = _earlier(ImportedComment, Source.WORDPRESS, "comment")
    rows_section(
        section, kind="comment", source=Source.WORDPRESS, earlier=earlier, local_reason=LOCAL_DECISION
    )
    return section


def _authors_section(counts: WxrCounts, authors: Authors) -> Section:
    logins = counts.listed_authors | counts.creators
    slugs = {authors.slug(login) for login in logins}
    present = Author.objects.filter(slug__in=slugs).count()
    section = Section(
        file={
            "listed (wp:author)": len(counts.listed_authors),
            "post creators not listed": len(counts.creators - counts.listed_authors),
        },
        database={"authors": present},
    )
    section.note(len(logins) - len(slugs), "logins that became one author (same slug)")
    section.note(len(slugs) - present, "authors missing from the database", explained=False)
    return section


def _tags_section(counts: WxrCounts, tags: Tags) -> Section:
    terms = len(counts.terms["category"]) + len(counts.terms["tag"])
    wanted = set(tags.ids.values())
    present = Tag.objects.filter(pk__in=wanted).count()
    section = Section(
        file={
            "categories": len(counts.terms["category"]),
            "tags": len(counts.terms["tag"]),
            **{f"other ({domain})": n for domain, n in sorted(counts.other_taxonomies.items())},
        },
        database={"tags": present},
    )
    section.note(
        terms - len(wanted), "terms that became one tag (a category and a tag of the same slug or name)"
    )
    for domain, n in sorted(counts.other_taxonomies.items()):
        section.note(n, f"links to {domain} terms: not imported (only categories and tags)")
    section.note(len(wanted) - present, "tags missing from the database", explained=False)
    return section


# Disqus


def _match_threads(threads: list[DisqusThread]) -> dict[str, tuple[int | None, str]]:
    """Each thread's article and how it was found: by its link (old WordPress permalink, `?p=`, or this site's
    URL), then by exact title when exactly one article has it; otherwise no article, never a guess."""
    keys = {t.external_id: link_key(t.link) for t in threads}
    by_old_link = dict(
        ImportedArticle.objects.filter(source=Source.WORDPRESS, link__in=keys.values()).values_list(
            "link", "article_id"
        )
    )
    post_ids = {t.external_id: (parse_qs(urlsplit(t.link).query).get("p") or [""])[0] for t in threads}
    by_post_id = dict(
        ImportedArticle.objects.filter(
            source=Source.WORDPRESS, external_id__in=post_ids.values()
        ).values_list("external_id", "article_id")
    )
    slugs = {}
    for thread in threads:
        try:
            match = resolve(urlsplit(thread.link).path or "/")
        except Resolver404:
            continue
        if match.view_name == "articles:detail":
            slugs[thread.external_id] = match.kwargs["slug"]
    by_slug = dict(Article.objects.filter(slug__in=slugs.values()).values_list("slug", "pk"))
    by_title: dict[str, list[int]] = {}
    for title, pk in Article.objects.filter(title__in=[t.title for t in threads if t.title]).values_list(
        "title", "pk"
    ):
        by_title.setdefault(title, []).append(pk)
    found = {}
    for thread in threads:
        article_id = (
            by_old_link.get(keys[thread.external_id])
            or by_post_id.get(post_ids[thread.external_id])
            or by_slug.get(slugs.get(thread.external_id))
        )
        if article_id:
            found[thread.external_id] = (article_id, "link")
        elif len(by_title.get(thread.title, [])) == 1:
            found[thread.external_id] = (by_title[thread.title][0], "title")
        else:
            reason = (
                "several articles have this title"
                if by_title.get(thread.title)
                else "no article with this link or title"
            )
            found[thread.external_id] = (None, reason)
    return found


def import_disqus(
    path: Path, *, display: str, dry_run: bool = False, progress: Progress | None = None
) -> Report:
    """Import a Disqus export onto the articles its threads belong to; returns the reconciliation report."""
    progress = progress or Progress(total_bytes=1, stream=None, label="", enabled=False)
    threads: dict[str, tuple[int | None, str]] = {}
    described: dict[str, DisqusThread] = {}
    pending: list[DisqusThread] = []
    for thread in read_threads(path, display=display):
        pending.append(thread)
        if len(pending) >= 500:
            threads.update(_match_threads(pending))
            pending.clear()
        if thread.external_id in described:
            first = described[thread.external_id].line
            raise ImportFileError(
                f"{display}:{thread.line}: thread {thread.external_id} appears twice (first at line {first})"
            )
        described[thread.external_id] = thread
    threads.update(_match_threads(pending))

    seen = Seen(display)
    comments = CommentWriter(source=Source.DISQUS, seen=seen, batch=uuid4(), keep_ids=False, dry_run=dry_run)
    statuses: Counter = Counter()
    posts_per_thread: Counter = Counter()
    batch: list[DisqusPost] = []

    def flush() -> None:
        comments.write(
            [
                CommentRecord(
                    external_id=p.external_id,
                    line=p.line,
                    article_id=threads.get(p.thread_id, (None, ""))[0],
                    parent_external_id=p.parent_external_id,
                    status=p.status if threads.get(p.thread_id, (None, ""))[0] else "",
                    note=f"Imported from Disqus (post {p.external_id}), where it was {p.source_status}.",
                    author_name=p.author_name,
                    author_email=p.author_email,
                    ip_address=p.ip_address,
                    created_at=p.created_at,
                    body=p.body,
                )
                for p in batch
            ]
        )
        batch.clear()
        reset_queries()

    for post in read_posts(path, display=display, on_bytes=lambda at: progress.advance(position=at)):
        statuses[post.source_status] += 1
        posts_per_thread[post.thread_id] += 1
        batch.append(post)
        if len(batch) >= COMMENTS_PER_BATCH:
            flush()
        progress.advance(items=1)
    flush()
    loops = comments.resolve_parents()
    progress.close()

    report = Report(source=Source.DISQUS, file=display, format="Disqus export", dry_run=dry_run)
    report.written = {"comments": vars(comments.tally)}
    how = Counter(
        reason if article_id is None else f"matched by {reason}" for article_id, reason in threads.values()
    )
    report.sections["threads"] = Section(file={"threads": len(threads)}, database=dict(sorted(how.items())))
    unmatched = [(tid, reason) for tid, (article_id, reason) in threads.items() if article_id is None]
    report.sections["threads"].note(
        len(unmatched), "threads not matched to an article: listed below, their posts not imported"
    )
    report.unmatched_threads = [
        {
            "id": tid,
            "link": described[tid].link,
            "title": described[tid].title,
            "reason": reason,
            "posts": posts_per_thread[tid],
        }
        for tid, reason in unmatched
    ]
    section = Section(file=dict(sorted(statuses.items())), database={})
    section.note(
        sum(posts_per_thread[tid] for tid, _ in unmatched),
        "posts in threads not matched to an article: not imported",
    )
    section.note(
        sum(n for tid, n in posts_per_thread.items() if tid not in threads),
        "posts whose thread is not in the file: not imported",
    )
    earlier = _earlier(ImportedComment, Source.DISQUS, "comment")
    rows_section(section, kind="comment", source=Source.DISQUS, earlier=earlier, local_reason=LOCAL_DECISION)
    report.sections["posts"] = section
    report.sections["replies"] = threads_section(source=Source.DISQUS, loops=loops)
    return report
