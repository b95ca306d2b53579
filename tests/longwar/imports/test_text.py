import pytest

from longwar.imports.text import comment_text, html_to_text, plain_line, post_body, strip_shortcodes, wpautop


def test_wpautop_makes_paragraphs_and_line_breaks():
    assert wpautop("One\ntwo\n\nThree") == "<p>One<br />\ntwo</p>\n<p>Three</p>\n"


def test_wpautop_leaves_block_elements_and_pre_alone():
    text = "Intro\n\n<blockquote>Quoted</blockquote>\n\n<pre>a\n\nb</pre>\n\n<ul>\n<li>one</li>\n</ul>"
    assert wpautop(text) == (
        "<p>Intro</p>\n<blockquote><p>Quoted</p></blockquote>\n<pre>a\n\nb</pre>\n<ul>\n<li>one</li>\n</ul>\n"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[caption id="a" width="300"]<img src="m.png"> The map[/caption]', '<img src="m.png"> The map'),
        ('[caption caption="Old style"]<img src="m.png">[/caption]', '<img src="m.png"> Old style'),
        ("[embed]https://youtu.be/x[/embed]", '<a href="https://youtu.be/x">https://youtu.be/x</a>'),
        (
            '[video src="https://example.org/v.mp4"]',
            '<a href="https://example.org/v.mp4">https://example.org/v.mp4</a>',
        ),
        ('[gallery ids="1,2"] after', " after"),
        ("[quote][b]Nested[/b][/quote]", "Nested"),
        ("The [Taliban] said [sic] no.", "The [Taliban] said [sic] no."),
    ],
)
def test_shortcodes_are_reduced_to_their_text(text, expected):
    assert strip_shortcodes(text) == expected


def test_post_body_is_sanitised_after_wordpress_formatting():
    body = post_body(
        'Hi <b onmouseover="x()">there</b>\n\n<object data="https://example.org/f.swf"></object>'
    )
    assert body == (
        "<p>Hi <b>there</b></p>\n"
        '<p><a href="https://example.org/f.swf" rel="noopener noreferrer">https://example.org/f.swf</a></p>\n'
    )


def test_html_to_text_keeps_paragraphs_links_and_lists_and_drops_scripts():
    html = (
        "<p>First &amp; <a href='https://example.org/x'>a link</a>.</p><p>Then:<br>a break</p>"
        "<ul><li>one</li><li>two</li></ul><script>alert(1)</script><a href='javascript:x()'>bad</a>"
        "<a href='https://example.org/y'>https://example.org/y</a>"
    )
    assert html_to_text(html) == (
        "First & a link (https://example.org/x).\n\nThen:\na break\n\n- one\n- two\n\nbadhttps://example.org/y"
    )


def test_comment_text_keeps_the_commenters_line_breaks():
    assert (
        comment_text("Line one\nline two\n\n<em>Next</em> paragraph")
        == "Line one\nline two\n\nNext paragraph"
    )


def test_plain_line_is_one_line_of_text():
    assert plain_line("<em>Iraq</em> &amp;\n the <script>x</script>surge") == "Iraq & the surge"
