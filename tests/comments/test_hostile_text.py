"""Whatever Unicode a reader types, the real comment form answers without a server error; an accepted
comment is stored as typed, apart from `comments.forms.reader_text`, and shown escaped.

Hypothesis draws the text from any code point a browser can send (not lone surrogates) mixed with the
troublemakers: control characters, NUL, bidirectional marks, combining marks, emoji sequences, markup,
and lines of thousands of characters. The examples are fixed (derandomize), so CI runs the same ones.
"""

import itertools
import time
from html import escape
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from comments.forms import CommentForm, make_form_token, reader_text
from comments.models import Comment

EXAMPLES = 60
TROUBLE = [
    *"\x00\x01\x07\x08\x0b\x0c\x1b\x7f\x85\r\n\t",
    "\r\n",
    *"\u200b\u200d\u200e\u200f\u202a\u202b\u202e\u2066\u2067\u2069\ufeff\u2028\u2029",  # invisible, bidi
    *"\u0301\u0308\u0336\u20dd",  # combining marks, on their own
    "e\u0301",
    "Z\u0351\u0352\u0353\u0354\u0355",
    "😀",
    "👩🏽‍🚒",
    "🇺🇦",
    "🏳️‍🌈",
    "𝕳𝖊𝖑𝖑𝖔",
    "\ufdfd",
    "مرحبا بالعالم",
    "שלום",
    *"<>&\"'\\",
    "&amp;",
    "<b>",
    "</div>",
    "{{ x }}",
    "{% now 'Y' %}",
]
piece = st.one_of(
    st.text(max_size=30),
    st.sampled_from(TROUBLE),
    st.builds(  # very long lines, some past the 10,000-character limit
        lambda run, times: run * times,
        st.sampled_from(["a", "ب", "😀", "e\u0301", "x "]),
        st.integers(min_value=300, max_value=11_000),
    ),
)
typed_bodies = st.lists(piece, min_size=1, max_size=8).map("".join)
typed_names = st.lists(st.one_of(st.text(max_size=15), st.sampled_from(TROUBLE)), min_size=1, max_size=6).map(
    "".join
)
readers = itertools.count(1)


class CommentOnPage(HTMLParser):
    """The author and body text of one comment on a page, and the tags inside its body."""

    def __init__(self, comment_id: int):
        super().__init__(convert_charrefs=True)
        self.anchor, self.inside, self.part = f"comment-{comment_id}", False, None
        self.depth, self.author, self.body, self.body_tags = 0, "", "", set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "article":
            self.inside = attrs.get("id") == self.anchor
        if not self.inside:
            return
        classes = (attrs.get("class") or "").split()
        if self.part == "body":
            self.body_tags.add(tag)
            self.body += "\n" if tag in ("br", "p") else ""
        elif "comment-author" in classes:
            self.part = "author"
        elif "comment-body" in classes:
            self.part, self.depth = "body", 0
        if self.part == "body" and tag == "div":
            self.depth += 1

    def handle_endtag(self, tag):
        if self.part == "author" and tag == "strong":
            self.part = None
        elif self.part == "body" and tag == "div":
            self.depth -= 1
            if self.depth == 0:
                self.part = None

    def handle_data(self, data):
        if self.inside and self.part == "author":
            self.author += data
        elif self.inside and self.part == "body":
            self.body += data


def within(field: str, text: str) -> bool:
    limit = CommentForm.base_fields[field].max_length
    return 0 < len(text) <= limit


@pytest.mark.django_db
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.large_base_example,
    ],
)
@given(name=typed_names, body=typed_bodies)
def test_any_text_is_answered_stored_as_typed_and_shown_escaped(article, name, body):
    reader = next(readers)
    client = Client()  # a new reader each time: their own comment, their own flood limit
    email = f"reader{reader}@example.org"
    response = client.post(
        reverse("comments:post", args=[article.pk]),
        {
            "name": name,
            "email": email,
            "body": body,
            "token": make_form_token(article.pk, now=time.time() - 10),
        },
        REMOTE_ADDR=f"198.18.{reader // 250}.{reader % 250 + 1}",
    )
    assert response.status_code < HTTPStatus.INTERNAL_SERVER_ERROR
    stored_name, stored_body = reader_text(name), reader_text(body)
    if not (within("name", stored_name) and within("body", stored_body)):
        event("refused: empty or too long once normalised")
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert escape(body) in response.content.decode()  # the form again, with the text kept
        return
    event("accepted")

    assert response.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get(author_email=email)
    assert (comment.author_name, comment.body) == (stored_name, stored_body)
    page = CommentOnPage(comment.pk)
    page.feed(client.get(response["Location"]).content.decode())
    assert page.author == stored_name
    assert page.body_tags <= {"p", "br", "a"}  # nothing the reader typed became markup
    if "a" not in page.body_tags:  # a bare URL becomes a link, and a long one is shortened
        assert page.body.split() == stored_body.split()
