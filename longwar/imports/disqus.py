"""Parse a Disqus XML export: `<thread>`s (link, title) and `<post>`s (thread, parent, spam/deleted, author, date,
message HTML), mapped to this site's vocabulary. Threads and posts are read in two passes, so a post may come
before its thread. Nothing here touches the database."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote

from lxml import etree

from comments.models import Comment
from longwar.imports.text import html_to_text, plain_line
from longwar.imports.xmlstream import ImportFileError, stream

DISQUS = "http://disqus.com"
INTERNALS = "http://disqus.com/disqus-internals"
DSQ_ID = f"{{{INTERNALS}}}id"
# Disqus rewrites links in messages through its redirector: https://disq.us/url?url=<quoted address>:<token>&cuid=...
REDIRECTED = re.compile(r"https?://disq\.us/url\?url=(?P<quoted>[^\"'&\s]+)[^\"'\s]*")


@dataclass
class DisqusThread:
    external_id: str
    line: int
    link: str
    title: str


@dataclass
class DisqusPost:
    external_id: str
    line: int
    thread_id: str
    parent_external_id: str
    status: str
    source_status: str  # "spam", "deleted" or "visible", as counted in the report
    author_name: str
    author_email: str
    ip_address: str | None
    created_at: datetime
    body: str


def unwrap_links(message: str) -> str:
    """The addresses commenters linked to, not Disqus's redirector."""
    return REDIRECTED.sub(lambda m: re.sub(r":[\w-]+$", "", unquote(m["quoted"])), message)


def _text(element: etree._Element, path: str) -> str:
    return (element.findtext(path, namespaces={"d": DISQUS}) or "").strip()


def _check_root(display: str) -> Callable[[etree._Element], None]:
    def check(root: etree._Element) -> None:
        if root.tag != f"{{{DISQUS}}}disqus":
            raise ImportFileError(
                f'{display}:{root.sourceline}: not a Disqus export: expected <disqus xmlns="{DISQUS}">, '
                f"found <{etree.QName(root).localname}>"
            )

    return check


def _id(element: etree._Element, display: str, what: str) -> str:
    value = (element.get(DSQ_ID) or "").strip()
    if not value.isdecimal():
        raise ImportFileError(f"{display}:{element.sourceline}: {what} without a numeric dsq:id ({value!r})")
    return value


def read_threads(path: Path, *, display: str) -> Iterator[DisqusThread]:
    for element in stream(path, display=display, depth=1, check_root=_check_root(display)):
        if element.tag == f"{{{DISQUS}}}thread":
            yield DisqusThread(
                external_id=_id(element, display, "<thread>"),
                line=element.sourceline,
                link=_text(element, "d:link"),
                title=plain_line(_text(element, "d:title")),
            )


def _flag(element: etree._Element, name: str, display: str) -> bool:
    value = _text(element, f"d:{name}").lower()
    if value not in ("", "true", "false"):
        raise ImportFileError(
            f"{display}:{element.sourceline}: <{name}> must be true or false, not {value!r}"
        )
    return value == "true"


def _post(element: etree._Element, display: str) -> DisqusPost:
    external_id = _id(element, display, "<post>")
    thread = element.find("d:thread", namespaces={"d": DISQUS})
    if thread is None:
        raise ImportFileError(f"{display}:{element.sourceline}: post {external_id} has no <thread>")
    parent = element.find("d:parent", namespaces={"d": DISQUS})
    created = _text(element, "d:createdAt")
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        raise ImportFileError(
            f"{display}:{element.sourceline}: post {external_id}: unreadable createdAt {created!r}"
        ) from None
    if created_at.tzinfo is None:
        raise ImportFileError(
            f"{display}:{element.sourceline}: post {external_id}: createdAt {created!r} has no time zone"
        )
    spam, deleted = _flag(element, "isSpam", display), _flag(element, "isDeleted", display)
    status, source_status = (
        (Comment.Status.SPAM, "spam") if spam
        else (Comment.Status.REMOVED, "deleted") if deleted
        else (Comment.Status.APPROVED, "visible")
    )  # fmt: skip
    return DisqusPost(
        external_id=external_id,
        line=element.sourceline,
        thread_id=_id(thread, display, f"post {external_id}: <thread>"),
        parent_external_id=_id(parent, display, f"post {external_id}: <parent>")
        if parent is not None
        else "",
        status=status,
        source_status=source_status,
        author_name=(
            plain_line(_text(element, "d:author/d:name"))
            or _text(element, "d:author/d:username")
            or "Anonymous"
        )[:100],
        author_email=_text(element, "d:author/d:email")[:254],
        ip_address=_text(element, "d:ipAddress") or None,
        created_at=created_at,
        body=html_to_text(unwrap_links(_text(element, "d:message"))),
    )


def read_posts(
    path: Path, *, display: str, on_bytes: Callable[[int], None] = lambda position: None
) -> Iterator[DisqusPost]:
    for element in stream(path, display=display, depth=1, check_root=_check_root(display), on_bytes=on_bytes):
        if element.tag == f"{{{DISQUS}}}post":
            yield _post(element, display)
