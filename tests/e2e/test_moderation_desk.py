"""The moderation desk in Chromium: the queue fits the screen, every key works, and a moderator clears
100 held comments by keyboard fast enough (figures printed; targets asserted)."""

import statistics
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from tests.factories import ArticleFactory, CommentFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CHANGELIST = "/admin/comments/comment/"
# Recorded in the page, so the figures are the browser's own: keydown (before the queue's script runs),
# each row getting focus, and each answer the queue announces.
MARKS = """
window.__marks = { down: [], focus: [], said: [] };
document.addEventListener("keydown", (e) => window.__marks.down.push([e.key, performance.now()]), true);
document.addEventListener("focusin", (e) => {
  if (e.target.tagName === "TR") window.__marks.focus.push(performance.now());
}, true);
document.addEventListener("DOMContentLoaded", () => {
  const live = document.getElementById("mq-live");
  if (live) new MutationObserver(() => live.textContent.startsWith("End of") || window.__marks.said.push([live.textContent, performance.now()]))
    .observe(live, { childList: true, characterData: true, subtree: true });
});
"""


@pytest.fixture
def moderator_page(live_server, browser, django_user_model):
    # Transactional tests flush the migration-made Moderators group; its reach is tested in tests/comments.
    django_user_model.objects.create_superuser("mod", "mod@example.org", "s3cret-pass")
    # The measuring script polls with wait_for_function, which evaluates code; the site's own pages keep to the
    # CSP (tests/e2e/test_content_security_policy.py), the test harness is let off it.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    context.add_init_script(MARKS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/admin/login/?next=" + CHANGELIST)
    page.fill("#id_username", "mod")
    page.fill("#id_password", "s3cret-pass")
    page.click("input[type=submit]")
    page.wait_for_url("**" + CHANGELIST)
    yield page
    context.close()


def held(n, **extra):
    now = timezone.now()
    articles = [ArticleFactory(title=f"A long article title about the war, part {i}") for i in range(3)]
    return [
        CommentFactory(
            article=articles[i % 3],
            status=Comment.Status.PENDING,
            author_name=f"Reader with a long name {i}",
            body=f"Comment {i}: " + "a reasoned sentence about the front line and its supply routes " * 5,
            reasons=[{"code": "too_many_links", "text": "Has 3 links; more than 2 are held."}],
            created_at=now - timedelta(seconds=i),
            **extra,
        )
        for i in range(n)
    ]


def focused_index(page) -> int:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#result_list tbody tr')).indexOf(document.activeElement)"
    )


def said(page) -> int:
    return page.evaluate("window.__marks.said.length")


def test_the_queue_fits_the_screen_and_every_key_works(moderator_page, live_server):
    page = moderator_page
    comments = held(6, author_email="one@example.org")
    page.reload()
    for width in (1280, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        assert page.get_attribute("#nav-sidebar", "aria-expanded") == "true"  # the navigation sidebar is open
        assert page.is_visible("#nav-sidebar")
        fits = page.evaluate(
            """() => {
              const table = document.getElementById("result_list"), box = table.closest(".results");
              const edge = box.getBoundingClientRect().right;
              const buttons = Array.from(table.querySelectorAll(".mq-buttons .button"));
              return { table: table.scrollWidth, box: box.clientWidth,
                       buttonsInside: buttons.every((b) => b.getBoundingClientRect().right <= edge + 0.5) };
            }"""
        )
        print(f"\nqueue at {width} px: table {fits['table']} px in a {fits['box']} px box")  # noqa: T201 (a figure the issue asks for)
        assert fits["table"] <= fits["box"]
        assert fits["buttonsInside"]
    row = page.locator("#result_list tbody tr").first
    for text in ("Comment 0:", "Has 3 links", "Reader with a long name 0", "part 0", "Pending", "Approve"):
        assert text in row.inner_text()

    assert focused_index(page) == 0
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    assert focused_index(page) == 1
    page.keyboard.press("?")
    assert page.is_visible("#mq-help")
    page.keyboard.press("Escape")
    assert not page.is_visible("#mq-help")

    expected = {}
    for key, status, featured in [
        ("a", "approved", False),
        ("s", "spam", False),
        ("d", "removed", False),
        ("f", "approved", True),
    ]:
        index = focused_index(page)
        before = said(page)
        page.keyboard.press(key)
        page.wait_for_function(f"window.__marks.said.length > {before}")
        assert focused_index(page) == index + 1
        expected[comments[index].pk] = (status, featured)
    page.keyboard.press("k")  # back to the picked comment, then to pending with u
    before = said(page)
    page.keyboard.press("u")
    page.wait_for_function(f"window.__marks.said.length > {before}")
    expected[comments[4].pk] = ("pending", True)
    for pk, (status, featured) in expected.items():
        comment = Comment.objects.get(pk=pk)
        assert (comment.status, comment.featured) == (status, featured), pk
    before = said(page)
    page.keyboard.press("z")  # undoes the u
    page.wait_for_function(f"window.__marks.said.length > {before}")
    assert Comment.objects.get(pk=comments[4].pk).status == "approved"

    page.goto(live_server.url + CHANGELIST)  # the two comments left
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    assert page.locator("#result_list input.action-select:checked").count() == 2
    before = said(page)
    page.keyboard.press("s")
    page.wait_for_function(f"window.__marks.said.length > {before}")
    assert "Marked as spam 2 comments." in page.inner_text("#mq-live")
    assert Comment.objects.filter(status="spam").count() == 3
    page.goto(live_server.url + CHANGELIST + "?status=spam")
    page.keyboard.press("Enter")
    page.wait_for_url("**/change/")
    assert "Commenter pages" in page.content()
    page.go_back()
    page.keyboard.press("c")
    page.wait_for_url("**/commenter/?email=one%40example.org")
    page.get_by_role("button", name="Suspend 1 day").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")  # no mouse from the queue to a suspension
    assert "Suspended until" in page.content()


def test_a_moderator_clears_100_held_comments_by_keyboard(moderator_page, live_server):
    page = moderator_page
    comments = held(100)
    page.reload()
    assert page.locator("#result_list tbody tr").count() == 100
    decided = 0

    def press(key, answers=1):
        before = said(page)
        page.keyboard.press(key)
        page.wait_for_function(f"window.__marks.said.length >= {before + answers}")

    start = page.evaluate("performance.now()")
    for i in range(60):  # one at a time, with a mistake undone now and then
        press("asdaf"[i % 5])
        decided += 1
        if i % 20 == 10:
            press("z")
            press("a")
    for _ in range(2):  # two bulk decisions of ten, the second undone and decided again
        for _ in range(10):
            page.keyboard.press("x")
            page.keyboard.press("j")
        press("s")
        decided += 10
    press("z")
    for _ in range(10):
        page.keyboard.press("x")
        page.keyboard.press("j")
    press("d")
    for _ in range(20):
        press("a")
        decided += 1
    elapsed = (page.evaluate("performance.now()") - start) / 1000
    assert not Comment.objects.filter(status=Comment.Status.PENDING).exists()
    assert Comment.objects.filter(pk__in=[c.pk for c in comments], featured=True).count() == 12

    marks = page.evaluate("window.__marks")
    decision_keys = [(key, at) for key, at in marks["down"] if key in "asdf"]
    focus = sorted(marks["focus"])
    to_focus = [
        min(f for f in focus if f >= at) - at for _, at in decision_keys if any(f >= at for f in focus)
    ]
    answers = [at for text, at in marks["said"] if "Press z to undo" in text]
    single = [at for key, at in decision_keys][: len(answers)]
    to_answer = [a - k for k, a in zip(single, answers, strict=False)]
    p50, p95 = statistics.median(to_focus), statistics.quantiles(to_focus, n=20)[18]
    s50, s95 = statistics.median(to_answer), statistics.quantiles(to_answer, n=20)[18]
    per_minute = decided / elapsed * 60
    print(  # noqa: T201 (the figures the issue asks for)
        f"\nkeyboard queue, {len(to_focus)} decisions by key: keypress -> next comment focused "
        f"p50 {p50:.1f} ms, p95 {p95:.1f} ms; keypress -> saved (server answer) p50 {s50:.1f} ms, p95 {s95:.1f} ms"
        f"\n{decided} comments decided (bulk and undo included) in {elapsed:.1f} s: {per_minute:.0f} decisions/minute"
    )
    assert p95 < 100
    assert per_minute >= 60
