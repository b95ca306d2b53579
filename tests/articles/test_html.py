import pytest

from articles.html import sanitize_article_html


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<p onclick=alert(1)>Hi<script>alert(1)</script></p>", "<p>Hi</p>"),
        ('<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<img src="/a.png" onerror="alert(1)">', '<img src="/a.png">'),
        ("<style>p{}</style><blockquote><p>Quote</p></blockquote>", "<blockquote><p>Quote</p></blockquote>"),
        (
            '<iframe src="https://www.youtube.com/embed/abc" onload="x()"></iframe>',
            '<p><a href="https://www.youtube.com/embed/abc" rel="noopener noreferrer">'
            "https://www.youtube.com/embed/abc</a></p>",
        ),
        (
            '<video controls><source src="https://v.example.org/a.mp4"></video>',
            '<p><a href="https://v.example.org/a.mp4" rel="noopener noreferrer">https://v.example.org/a.mp4</a></p>',
        ),
        (
            '<object data="javascript:alert(1)"></object>',
            '<p><a rel="noopener noreferrer">javascript:alert(1)</a></p>',
        ),
    ],
)
def test_article_html_keeps_what_articles_use_and_nothing_that_runs(dirty, clean):
    assert sanitize_article_html(dirty) == clean
    assert sanitize_article_html(clean) == clean  # idempotent
