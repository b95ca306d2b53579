"""Parse a WordPress export (WXR 1.0 to 1.2: RSS 2.0 with the wp:, content:, excerpt: and dc: namespaces).

`read_wxr()` streams the file and yields one record per author, term and post (a post carries its comments),
already mapped to this site's vocabulary; nothing here touches the database. Anything that cannot be read
raises ImportFileError naming the file and line.
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.text import slugify
from lxml import etree

from articles.models import Article
from comments.models import Comment
from longwar.imports.text import comment_text, html_to_text, plain_line, post_body
from longwar.imports.xmlstream import ImportFileError, stream

VERSIONS = ("1.0", "1.1", "1.2")
WP_NAMESPACE = re.compile(r"^http://wordpress\.org/export/(?P<version>[^/]+)/$")
CONTENT = "http://purl.org/rss/1.0/modules/content/"
DC = "http://purl.org/dc/elements/1.1/"
NO_DATE = "0000-00-00 00:00:00"

POST_STATUSES = {
    "publish": Article.Status.PUBLISHED,
    "future": Article.Status.PUBLISHED,  # with its future date: hidden until then
    "draft": Article.Status.DRAFT,
    "pending": Article.Status.DRAFT,
    "private": Article.Status.DRAFT,
}
SKIPPED_POST_STATUSES = {"trash", "auto-draft"}
COMMENT_STATUSES = {
    "1": Comment.Status.APPROVED,
    "0": Comment.Status.PENDING,
    "spam": Comment.Status.SPAM,
    "trash": Comment.Status.REMOVED,
    "post-trashed": Comment.Status.REMOVED,
}
COMMENT_TYPES = {"", "comment"}
TAG_DOMAINS = {"post_tag": "tag", "tag": "tag", "category": "category"}


@dataclass
class WxrAuthor:
    login: str
    name: str
    line: int


@dataclass
class WxrTerm:
    kind: str  # "tag" or "category"
    slug: str
    name: str
    description: str = ""


@dataclass
class WxrComment:
    external_id: str
    line: int
    source_status: str  # wp:comment_approved as written
    kind: str  # wp:comment_type; "" for a comment
    parent_external_id: str
    status: str = ""
    author_name: str = ""
    author_email: str = ""
    author_url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    created_at: datetime | None = None
    body: str = ""
    disqus_id: str = ""  # set when the Disqus plugin synced it (commentmeta dsq_post_id)


@dataclass
class WxrPost:
    external_id: str
    line: int
    post_type: str
    source_status: str
    status: str = ""  # empty when it is not imported (wrong type, trashed)
    password: bool = False
    title: str = ""
    slug: str = ""
    body: str = ""
    dek: str = ""
    author_login: str = ""
    published_at: datetime | None = None
    comments_open: bool = True
    link: str = ""
    terms: list[WxrTerm] = field(default_factory=list)
    other_terms: list[str] = field(default_factory=list)  # taxonomies not imported, by domain
    comments: list[WxrComment] = field(default_factory=list)


@dataclass
class Wxr:
    """What the channel says about the file."""

    version: str = ""
    site_url: str = ""


def link_key(url: str) -> str:
    """An address reduced to what identifies a page across hosts and schemes: its path and query."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path).rstrip("/") or "/"
    return f"{path}?{parts.query}" if parts.query else path


class _Reader:
    def __init__(self, display: str, wp: str, excerpt: str):
        self.display = display
        self.wp, self.excerpt = wp, excerpt
        self.zone = ZoneInfo(settings.TIME_ZONE)

    def error(self, line: int, message: str) -> ImportFileError:
        return ImportFileError(f"{self.display}:{line}: {message}")

    def text(self, element: etree._Element, name: str, namespace: str | None = None) -> str:
        namespace = self.wp if namespace is None else namespace
        return (element.findtext(f"{{{namespace}}}{name}" if namespace else name) or "").strip()

    def date(self, element: etree._Element, prefix: str, what: str, required: bool) -> datetime | None:
        """`<prefix>_date_gmt`, or `<prefix>_date` in the site's time zone when the GMT date is zero."""
        gmt, local = self.text(element, f"{prefix}_date_gmt"), self.text(element, f"{prefix}_date")
        try:
            if gmt and gmt != NO_DATE:
                return datetime.strptime(gmt, "%Y-%m-%d %H:%M:%S").replace(tzinfo=ZoneInfo("UTC"))
            if local and local != NO_DATE:
                return datetime.strptime(local, "%Y-%m-%d %H:%M:%S").replace(tzinfo=self.zone)
        except ValueError:
            raise self.error(
                element.sourceline, f"{what}: unreadable date (GMT {gmt!r}, local {local!r})"
            ) from None
        if required:
            raise self.error(element.sourceline, f"{what}: no date (GMT {gmt!r}, local {local!r})")
        return None

    def number(self, element: etree._Element, name: str, what: str) -> str:
        value = self.text(element, name)
        if not value.isdecimal():
            raise self.error(element.sourceline, f"{what}: wp:{name} {value!r} is not a number")
        return str(int(value))

    def author(self, element: etree._Element) -> WxrAuthor:
        login = self.text(element, "author_login")
        if not login:
            raise self.error(element.sourceline, "wp:author without wp:author_login")
        full_name = " ".join(
            filter(None, (self.text(element, "author_first_name"), self.text(element, "author_last_name")))
        )
        name = plain_line(self.text(element, "author_display_name")) or full_name or login
        return WxrAuthor(login=login, name=name[:100], line=element.sourceline)

    def channel_term(self, element: etree._Element, kind: str) -> WxrTerm:
        if kind == "category":
            slug, name = self.text(element, "category_nicename"), self.text(element, "cat_name")
            description = self.text(element, "category_description")
        else:
            slug, name = self.text(element, "tag_slug"), self.text(element, "tag_name")
            description = self.text(element, "tag_description")
        return self.term(kind, slug, name, description, element.sourceline)

    def term(self, kind: str, slug: str, name: str, description: str, line: int) -> WxrTerm:
        name = plain_line(name)[:100]
        slug = slugify(unquote(slug))[:100] or slugify(name)[:100]
        if not name or not slug:
            raise self.error(line, f"a {kind} without a usable name or slug ({name!r}, {slug!r})")
        return WxrTerm(kind=kind, slug=slug, name=name, description=html_to_text(description))

    def comment(self, element: etree._Element) -> WxrComment:
        external_id = self.number(element, "comment_id", "comment")
        what = f"comment {external_id}"
        source_status = self.text(element, "comment_approved")
        if source_status not in COMMENT_STATUSES:
            raise self.error(element.sourceline, f"{what}: unknown wp:comment_approved {source_status!r}")
        parent = self.text(element, "comment_parent") or "0"
        if not parent.isdecimal():
            raise self.error(element.sourceline, f"{what}: wp:comment_parent {parent!r} is not a number")
        comment = WxrComment(
            external_id=external_id,
            line=element.sourceline,
            source_status=source_status,
            kind=self.text(element, "comment_type"),
            parent_external_id="" if int(parent) == 0 else str(int(parent)),
        )
        if comment.kind not in COMMENT_TYPES:
            return comment  # pingbacks, trackbacks and the like are counted, not read
        comment.status = COMMENT_STATUSES[source_status]
        comment.author_name = plain_line(self.text(element, "comment_author"))[:100] or "Anonymous"
        comment.author_email = self.text(element, "comment_author_email")[:254]
        url = self.text(element, "comment_author_url")
        comment.author_url = (
            url if len(url) <= 200 and url.lower().startswith(("http://", "https://")) else ""
        )
        comment.ip_address = self.text(element, "comment_author_IP") or None
        comment.user_agent = self.text(element, "comment_agent")[:500]
        comment.created_at = self.date(element, "comment", what, required=True)
        comment.body = comment_text(self.text(element, "comment_content"))
        for meta in element.iterfind(f"{{{self.wp}}}commentmeta"):
            if self.text(meta, "meta_key") == "dsq_post_id":
                comment.disqus_id = self.text(meta, "meta_value")
        return comment

    def post(self, element: etree._Element) -> WxrPost:
        external_id = self.number(element, "post_id", "item")
        what = f"post {external_id}"
        post = WxrPost(
            external_id=external_id,
            line=element.sourceline,
            post_type=self.text(element, "post_type") or "post",
            source_status=self.text(element, "status"),
        )
        post.comments = [self.comment(c) for c in element.iterfind(f"{{{self.wp}}}comment")]
        if post.post_type != "post" or post.source_status in SKIPPED_POST_STATUSES:
            return post
        post.password = bool(self.text(element, "post_password"))
        status = POST_STATUSES.get(post.source_status, Article.Status.DRAFT)
        post.status = Article.Status.DRAFT if post.password else status  # never publish what had a password
        post.published_at = self.date(element, "post", what, required=post.status == Article.Status.PUBLISHED)
        post.title = plain_line(self.text(element, "title", ""))[:200] or f"Untitled post {external_id}"
        post.slug = slugify(unquote(self.text(element, "post_name")))[:180] or slugify(post.title)[:180]
        post.slug = post.slug or f"post-{external_id}"
        post.body = post_body(self.text(element, "encoded", CONTENT))
        post.dek = html_to_text(self.text(element, "encoded", self.excerpt))
        post.author_login = self.text(element, "creator", DC)
        post.comments_open = self.text(element, "comment_status") != "closed"
        post.link = link_key(self.text(element, "link", ""))
        seen = set()
        for category in element.iterfind("category"):
            domain = category.get("domain")
            if domain is None:
                continue  # WXR 1.0 repeats each category without a domain
            if domain not in TAG_DOMAINS:
                post.other_terms.append(domain)
                continue
            term = self.term(
                TAG_DOMAINS[domain],
                category.get("nicename", ""),
                category.text or "",
                "",
                category.sourceline,
            )
            if (term.kind, term.slug) not in seen:
                seen.add((term.kind, term.slug))
                post.terms.append(term)
        return post


def read_wxr(
    path: Path, *, display: str, wxr: Wxr, on_bytes: Callable[[int], None] = lambda position: None
) -> Iterator[WxrAuthor | WxrTerm | WxrPost]:
    """Authors, terms and posts in file order; `wxr` is filled in with the version and site as they are read."""
    reader: _Reader | None = None

    def check_root(root: etree._Element) -> None:
        nonlocal reader
        namespaces = [WP_NAMESPACE.match(uri) for uri in root.nsmap.values()]
        found = next((m for m in namespaces if m), None)
        if etree.QName(root).localname != "rss" or found is None:
            raise ImportFileError(
                f"{display}:{root.sourceline}: not a WordPress export (WXR): expected <rss> with the "
                f"wp: namespace http://wordpress.org/export/1.2/, found <{etree.QName(root).localname}>"
            )
        wxr.version = found["version"]
        if wxr.version not in VERSIONS:
            raise ImportFileError(
                f"{display}:{root.sourceline}: unknown WXR version {wxr.version!r}; "
                f"this importer reads versions {', '.join(VERSIONS)}"
            )
        reader = _Reader(display, found[0], f"{found[0]}excerpt/")

    for element in stream(path, display=display, depth=2, check_root=check_root, on_bytes=on_bytes):
        assert reader is not None  # set by check_root before any element
        tag = etree.QName(element)
        if tag.namespace == reader.wp:
            if tag.localname == "wxr_version" and (element.text or "").strip() != wxr.version:
                raise reader.error(
                    element.sourceline,
                    f"unknown WXR version {(element.text or '').strip()!r} "
                    f"(the file's namespace says {wxr.version}); this importer reads {', '.join(VERSIONS)}",
                )
            if tag.localname == "base_site_url":
                wxr.site_url = (element.text or "").strip()
            elif tag.localname == "author":
                yield reader.author(element)
            elif tag.localname in ("category", "tag"):
                yield reader.channel_term(element, tag.localname)
        elif tag.localname == "item" and tag.namespace is None:
            yield reader.post(element)
