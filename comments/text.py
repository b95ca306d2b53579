"""A reader's comment as HTML: rendered once when it is stored or edited (`Comment.body_html`), never per view."""

import re

from django.utils.html import Urlizer

PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


class ReaderUrlizer(Urlizer):
    """Django's urlize, with the rel values search engines ask for on user-generated links."""

    url_template = '<a href="{href}" rel="nofollow ugc noopener"{attrs}>{url}</a>'


urlize_reader_text = ReaderUrlizer()


def comment_body_html(text: str) -> str:
    """A comment as typed, made safe: escaped, bare URLs linked, paragraphs and line breaks kept."""
    html = []
    for paragraph in PARAGRAPH_BREAK.split(text.strip()):
        linked = urlize_reader_text(paragraph, trim_url_limit=60, nofollow=False, autoescape=True)
        html.append("<p>" + linked.replace("\n", "<br>") + "</p>")
    return "\n".join(html)
