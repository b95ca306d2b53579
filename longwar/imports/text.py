"""Imported text made fit for this site: WordPress's paragraphs and shortcodes, and HTML turned into plain text.

Article bodies stay HTML and go through `articles.html.sanitize_article_html` (nh3) afterwards; titles, deks
and comments are stored as plain text (comments are rendered escaped like every other comment).
"""

import html
import re
from html.parser import HTMLParser

from articles.html import sanitize_article_html

# WordPress's wpautop(), ported from wp-includes/formatting.php (the parts that matter for stored posts).
BLOCKS = (
    r"(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|"
    r"blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|"
    r"figure|figcaption|details|menu|summary)"
)
HAS_PARAGRAPHS = re.compile(r"<p[\s>]", re.IGNORECASE)
PRE = re.compile(r"<pre\b.*?</pre>", re.IGNORECASE | re.DOTALL)
TAG = re.compile(r"<[^>]*>")
EMPTY_PARAGRAPH = re.compile(r"<p>\s*</p>")

# Shortcodes: `[name attrs]content[/name]` keeps its content; known self-closing ones are dropped, except
# media, which become a link to their source. Other square brackets ("[sic]", "[the Taliban]") are prose.
ENCLOSING = re.compile(
    r"\[(?P<name>[A-Za-z_][\w-]*)(?P<attrs>[^\[\]]*)\](?P<content>.*?)\[/(?P=name)\]", re.DOTALL
)
SELF_CLOSING = re.compile(
    r"\[(?P<name>gallery|playlist|embed|audio|video|wp_caption|caption)\b(?P<attrs>[^\[\]]*)/?\]",
    re.IGNORECASE,
)
MEDIA = {"embed", "audio", "video"}
ATTRIBUTE = re.compile(r"""(?P<key>[\w-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s\]]+))""")
URL = re.compile(r"^https?://\S+$")


def wpautop(text: str) -> str:
    """Double line breaks become paragraphs and single ones <br />, as WordPress shows a classic post."""
    if not text.strip():
        return ""
    text = text.replace("\r\n", "\n").replace("\r", "\n") + "\n"
    kept: list[str] = []

    def keep(match: re.Match) -> str:
        kept.append(match[0])
        return f"<pre wp-pre-tag-{len(kept) - 1}></pre>"

    text = PRE.sub(keep, text)
    text = re.sub(r"<br\s*/?>\s*<br\s*/?>", "\n\n", text)
    text = re.sub(rf"(<{BLOCKS}[\s/>])", r"\n\n\1", text)
    text = re.sub(rf"(</{BLOCKS}>)", r"\1\n\n", text)
    text = re.sub(r"(<hr\s*?/?>)", r"\1\n\n", text)
    text = TAG.sub(lambda tag: tag[0].replace("\n", " "), text)  # newlines inside tags are not breaks
    text = re.sub(r"\n\n+", "\n\n", text)
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p]
    text = "".join(f"<p>{p.strip(chr(10))}</p>\n" for p in paragraphs)
    text = re.sub(r"<p>\s*</p>", "", text)
    text = re.sub(r"<p>([^<]+)</(div|address|form)>", r"<p>\1</p></\2>", text)
    text = re.sub(rf"<p>\s*(</?{BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = re.sub(r"<p>(<li.+?)</p>", r"\1", text)
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = text.replace("</blockquote></p>", "</p></blockquote>")
    text = re.sub(rf"<p>\s*(</?{BLOCKS}[^>]*>)", r"\1", text)
    text = re.sub(rf"(</?{BLOCKS}[^>]*>)\s*</p>", r"\1", text)
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />")
    text = re.sub(r"(?<!<br />)\s*\n", "<br />\n", text)
    text = re.sub(rf"(</?{BLOCKS}[^>]*>)\s*<br />", r"\1", text)
    text = re.sub(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)", r"\1", text)
    text = re.sub(r"\n</p>$", "</p>", text)
    return re.sub(r"<pre wp-pre-tag-(\d+)></pre>", lambda m: kept[int(m[1])], text)


def _attributes(attrs: str) -> dict[str, str]:
    return {
        m["key"].lower(): next(v for v in (m["dq"], m["sq"], m["bare"]) if v is not None)
        for m in ATTRIBUTE.finditer(attrs)
    }


def _media_link(url: str) -> str:
    url = url.strip()
    return f'<a href="{html.escape(url)}">{html.escape(url)}</a>' if URL.match(url) else ""


def _enclosing(match: re.Match) -> str:
    name, content, attrs = match["name"].lower(), match["content"], _attributes(match["attrs"])
    if name in MEDIA:
        return _media_link(attrs.get("src") or attrs.get("url") or content)
    caption = attrs.get("caption", "")
    return f"{content} {caption}" if caption and caption not in content else content


def _self_closing(match: re.Match) -> str:
    if match["name"].lower() in MEDIA:
        attrs = _attributes(match["attrs"])
        return _media_link(attrs.get("src") or attrs.get("url") or attrs.get("mp4") or attrs.get("mp3") or "")
    return ""


def strip_shortcodes(text: str) -> str:
    """`[caption ...]<img> Text[/caption]` -> `<img> Text`; nested shortcodes are reduced from the inside out."""
    for _ in range(10):  # nesting depth; real posts have one or two
        reduced = SELF_CLOSING.sub(_self_closing, ENCLOSING.sub(_enclosing, text))
        if reduced == text:
            break
        text = reduced
    return text


def post_body(content: str) -> str:
    """A WordPress post's content as it would have been shown, then sanitised."""
    text = strip_shortcodes(content)
    if not HAS_PARAGRAPHS.search(text):
        text = wpautop(text)
    return EMPTY_PARAGRAPH.sub("", sanitize_article_html(text))  # an embed-turned-link can split a paragraph


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment: paragraphs and line breaks kept, links followed by their address."""

    SKIPPED = {
        "script",
        "style",
        "template",
        "noscript",
        "textarea",
        "select",
        "iframe",
        "object",
        "svg",
        "math",
    }
    PARAGRAPHS = {"p", "div", "blockquote", "ul", "ol", "pre", "table", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.links: list[tuple[str, int]] = []  # (href, where its text starts)

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag == "a":
            self.links.append((dict(attrs).get("href") or "", len(self.parts)))

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.PARAGRAPHS:
            self.parts.append("\n\n")
        elif tag == "a" and self.links:
            href, start = self.links.pop()
            label = "".join(self.parts[start:]).strip()
            if URL.match(href.strip()) and href.strip() not in label:
                self.parts.append(f" ({href.strip()})" if label else href.strip())

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)

    def text(self) -> str:
        lines = [" ".join(line.split()) for line in "".join(self.parts).split("\n")]
        return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def html_to_text(fragment: str) -> str:
    """What a reader would read in an HTML fragment, as plain text (a comment, an excerpt)."""
    extractor = _TextExtractor()
    extractor.feed(fragment.replace("\r\n", "\n"))
    extractor.close()
    return extractor.text()


def comment_text(fragment: str) -> str:
    """A WordPress or Disqus comment as plain text: WordPress keeps the commenter's own line breaks."""
    return html_to_text(fragment.replace("\n", "<br>"))


def plain_line(fragment: str) -> str:
    """A title: its words, without markup or line breaks."""
    return " ".join(html_to_text(fragment).split())
