"""Parse the seed documents: plain-text copies of an article page, with an optional JSON companion.

The text file is the source of every word. Plain text cannot say where a quoted
news excerpt begins and ends, nor when the article was published, so a companion
`<name>.json` beside it may give `published_at` (ISO 8601) and `blockquotes`, a
list of `{"first": ..., "last": ...}` paragraph beginnings marking each quote.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

BULLET = "•"
SAYS = re.compile(r"^(?P<name>.+?) says:$")
BIO = re.compile(r"^(?P<name>.+?) is (?:an? |the )(?P<title>.+?)(?: and |\.$)")
TAGS_PREFIX = "Tags:"


class SeedError(ValueError):
    """A malformed seed; the message starts with `file:line:`."""


@dataclass
class Paragraph:
    text: str
    line: int
    quoted: bool = False


@dataclass
class SeedComment:
    author_name: str
    body: str
    line: int


@dataclass
class SeedDocument:
    title: str
    paragraphs: list[Paragraph]
    author_name: str
    author_title: str
    author_bio: str
    tags: list[str]
    comments: list[SeedComment] = field(default_factory=list)
    topics: list[str] = field(default_factory=list)
    published_at: datetime | None = None


def _blocks(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Group numbered lines into blank-line-separated blocks: (first line number, text)."""
    blocks, current = [], []
    for number, line in [*lines, (0, "")]:
        if line.strip():
            current.append((number, line.strip()))
        elif current:
            blocks.append((current[0][0], " ".join(text for _, text in current)))
            current = []
    return blocks


def _topic_name(raw: str) -> str:
    """'Islamic state' -> 'Islamic State': capitalise each word, leave the rest as written."""
    return " ".join(word[:1].upper() + word[1:] for word in raw.split())


def _parse_comments(lines: list[tuple[int, str]], where: str) -> tuple[list[SeedComment], int]:
    """Read the bulleted comments; return them and the index of the first line after them."""
    comments: list[SeedComment] = []
    index = 0
    while index < len(lines):
        number, line = lines[index]
        stripped = line.strip()
        if not stripped:
            index += 1
            continue
        if not stripped.startswith(BULLET):
            break
        first = stripped[len(BULLET) :].strip()
        body_lines: list[str] = []
        name = "Anonymous"
        match = SAYS.match(first)
        if match:
            name = match["name"].strip()
        else:
            body_lines.append(first)
        index += 1
        while index < len(lines):
            _, text = lines[index]
            if text.strip().startswith(BULLET) or (text.strip() and not text[:1].isspace()):
                break
            body_lines.append(text.strip())
            index += 1
        body = re.sub(r"\n{3,}", "\n\n", "\n".join(body_lines).strip())
        if not body:
            raise SeedError(f"{where}:{number}: comment by {name} has no text")
        comments.append(SeedComment(author_name=name, body=body, line=number))
    return comments, index


def _mark_quotes(paragraphs: list[Paragraph], quotes: list[dict], where: str) -> None:
    def find(prefix: str, start: int) -> int:
        for position in range(start, len(paragraphs)):
            if paragraphs[position].text.startswith(prefix):
                return position
        raise SeedError(f"{where}: blockquote marker {prefix!r} begins no paragraph of the article body")

    for quote in quotes:
        try:
            first, last = quote["first"], quote["last"]
        except (KeyError, TypeError):
            raise SeedError(f'{where}: each blockquote needs "first" and "last"') from None
        start = find(first, 0)
        for paragraph in paragraphs[start : find(last, start) + 1]:
            paragraph.quoted = True


def read_companion(path: Path) -> dict:
    companion = path.with_suffix(".json")
    if not companion.exists():
        return {}
    try:
        data = json.loads(companion.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SeedError(f"{companion}:{exc.lineno}: {exc.msg}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{companion}:1: expected a JSON object")
    return data


def parse_seed(
    text: str, where: str, companion: dict | None = None, companion_where: str = ""
) -> SeedDocument:
    """Turn one seed page into a SeedDocument, or raise SeedError naming the file and line."""
    companion = companion or {}
    lines = list(enumerate(text.splitlines(), start=1))
    tags_at = next((i for i, (_, line) in enumerate(lines) if line.startswith(TAGS_PREFIX)), None)
    if tags_at is None:
        raise SeedError(f"{where}:{len(lines)}: no '{TAGS_PREFIX}' line after the article")
    blocks = _blocks(lines[:tags_at])
    if len(blocks) < 4:
        raise SeedError(
            f"{where}:{lines[tags_at][0]}: expected a title, body paragraphs, the author's bio and the "
            "donation appeal before the Tags line"
        )
    (_, title), *body_blocks, (bio_line, bio), (appeal_line, appeal) = blocks
    if "donation" not in appeal.lower():
        raise SeedError(f"{where}:{appeal_line}: expected the donation appeal just before the Tags line")
    bio_match = BIO.match(bio)
    if not bio_match:
        raise SeedError(f"{where}:{bio_line}: expected the author's bio ('<Name> is a <title> ...')")

    tags_line = lines[tags_at][1][len(TAGS_PREFIX) :]
    tags = [name.strip() for name in tags_line.split(",") if name.strip()]
    comments, after = _parse_comments(lines[tags_at + 1 :], where)
    topics = [_topic_name(line) for _, line in lines[tags_at + 1 + after :] if line.strip()]

    paragraphs = [Paragraph(text=text, line=number) for number, text in body_blocks]
    _mark_quotes(paragraphs, companion.get("blockquotes", []), companion_where or where)

    published_at = None
    if companion.get("published_at"):
        try:
            published_at = datetime.fromisoformat(companion["published_at"])
        except ValueError:
            raise SeedError(f"{companion_where}: published_at is not an ISO 8601 date-time") from None
        if published_at.tzinfo is None:
            raise SeedError(f"{companion_where}: published_at needs a time zone offset")

    return SeedDocument(
        title=title,
        paragraphs=paragraphs,
        author_name=bio_match["name"],
        author_title=bio_match["title"],
        author_bio=bio,
        tags=tags,
        comments=comments,
        topics=topics,
        published_at=published_at,
    )


def load_document(path: Path, display: str) -> SeedDocument:
    """Read a seed file and its companion from disk."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{display}:1: cannot read: {exc}") from None
    companion_display = str(Path(display).with_suffix(".json"))
    companion = read_companion(path)
    return parse_seed(text, display, companion, companion_display)
