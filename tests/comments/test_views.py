from http import HTTPStatus

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.urls import resolve, reverse

from comments.models import Comment, CommentReport, ModerationSettings
from comments.reader import OWN_COMMENTS_COOKIE
from comments.services import comment_set_featured
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db

POSTING_QUERIES = 7
HOLD_ALL, APPROVE_KNOWN = ModerationSettings.Policy.HOLD_ALL, ModerationSettings.Policy.APPROVE_KNOWN


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("comments:post", {"article_id": 5}, "/comments/post/5/"),
        ("comments:permalink", {"pk": 7}, "/comments/7/"),
        ("comments:report", {"pk": 7}, "/comments/7/report/"),
        ("comments:feed", {"year": 2011, "month": "03", "slug": "talks"}, "/2011/03/talks/comments/feed/"),
    ],
)
def test_urls_reverse_and_resolve(name, kwargs, path):
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name


def post_url(article) -> str:
    return reverse("comments:post", kwargs={"article_id": article.pk})


def report_url(comment) -> str:
    return reverse("comments:report", kwargs={"pk": comment.pk})


def test_article_page_has_the_comment_form_with_contract_fields(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert 'id="respond"' in html
    assert f'action="{post_url(article)}"' in html
    for field in ("name", "email", "url", "body", "parent", "honeypot", "token", "csrfmiddlewaretoken"):
        assert f'name="{field}"' in html


def test_post_redirects_to_the_comment_and_only_its_author_sees_it(client, post, article):
    response = post(article)
    comment = Comment.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{article.get_absolute_url()}#comment-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_address == "198.51.100.20"
    assert comment.user_agent == "Mozilla/5.0 (test)"
    page = client.get(response["Location"]).content.decode()
    assert "Peace deals will continue to be made." in page
    assert "Your comment is awaiting moderation" in page
    assert "awaiting moderation: it appears here for you now" in page  # the flash message
    other_reader = client.__class__()
    assert "Peace deals will continue" not in other_reader.get(article.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("count", "policy", "queries"),
    [
        (0, HOLD_ALL, POSTING_QUERIES - 1),
        (300, HOLD_ALL, POSTING_QUERIES),
        (3000, HOLD_ALL, POSTING_QUERIES),
        (3000, APPROVE_KNOWN, POSTING_QUERIES + 1),
    ],
)
def test_posting_runs_a_fixed_number_of_queries_and_writes_no_session(
    post,
    article,
    config,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    count,
    policy,
    queries,
):
    """The same queries whatever the thread's size: one fewer while every thread fits on the first page
    (where to send the reader needs no count), one more when the policy approves known commenters (their
    approved history is read); the author's comments ride in a signed cookie."""
    config.policy = policy
    with django_capture_on_commit_callbacks(execute=True):
        config.save()
    CommentFactory.create_batch(count, article=article)
    post(article, body="The first, which also queues the surge check for the worker.")
    with django_assert_num_queries(queries):
        response = post(article, body=f"Posted next to {count} others.")
    assert response.status_code == HTTPStatus.FOUND
    assert OWN_COMMENTS_COOKIE in response.cookies
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


@pytest.mark.parametrize("sort", ["", "newest", "picks"])
@pytest.mark.parametrize(("policy", "status"), [(HOLD_ALL, "pending"), (APPROVE_KNOWN, "approved")])
def test_a_readers_first_comment_lands_on_its_page_without_counting(
    client,
    comment_data,
    article,
    config,
    admin_user,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
    sort,
    policy,
    status,
):
    """A new thread from a reader with no other comments: every thread is older, so its page follows from
    the stored count (one query fewer than a post that must count), held or published, in every order."""
    config.policy, config.comments_per_page = policy, 2
    with django_capture_on_commit_callbacks(execute=True):
        config.save()
    threads = CommentFactory.create_batch(5, article=article)
    CommentFactory(article=article, parent=threads[1])
    comment_set_featured(comment=threads[3], featured=True, by=admin_user)
    CommentFactory(author_name="Grim", author_email="grim@example.org", ip_address="198.51.100.50")  # known
    client.post(post_url(article), comment_data(article, body="Warm-up."), REMOTE_ADDR="198.51.100.7")
    client.cookies.clear()  # the surge check is queued; now a reader with no comments
    published = policy == APPROVE_KNOWN  # two more: the known history is read, the article's counts moved
    with django_assert_num_queries(POSTING_QUERIES - 1 + 2 * published):
        response = client.post(
            f"{post_url(article)}?csort={sort}" if sort else post_url(article),
            comment_data(article, body="My first word here."),
            REMOTE_ADDR="198.51.100.8",
        )
    mine = Comment.objects.get(body="My first word here.")
    assert mine.status == status
    assert response["Location"].endswith(f"#comment-{mine.pk}")
    assert f'id="comment-{mine.pk}"' in client.get(response["Location"]).content.decode()


def test_a_forged_own_comments_cookie_shows_nothing_held(client, article):
    held = CommentFactory(article=article, body="Someone else's held words.", status=Comment.Status.PENDING)
    client.cookies[OWN_COMMENTS_COOKIE] = str(held.pk)
    assert "held words" not in client.get(article.get_absolute_url()).content.decode()


def test_approved_comment_shows_for_everyone(client, article):
    CommentFactory(article=article, body="Visible words.", author_email="secret@example.org")
    CommentFactory(article=article, body="Hidden spam.", status=Comment.Status.SPAM)
    CommentFactory(article=article, body="Hidden removed.", status=Comment.Status.REMOVED)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Visible words." in html
    assert "1 comment" in html
    assert "Hidden" not in html
    assert "secret@example.org" not in html


def test_spam_is_shown_to_its_author_as_awaiting_moderation(client, post, article):
    response = post(article, follow=True, honeypot="I am a bot")
    assert Comment.objects.get().status == Comment.Status.SPAM
    assert "Your comment is awaiting moderation" in response.content.decode()


def test_logged_in_staff_post_as_themselves_and_are_published(
    admin_client, admin_user, comment_data, article, settings
):
    """A staff member without a full name posts under the site's name: a username is a login, never shown."""
    data = comment_data(article)
    for field in ("name", "email", "url"):
        del data[field]
    response = admin_client.post(post_url(article), data, follow=True)
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.APPROVED
    assert comment.author_name == settings.SITE_NAME
    assert "Your comment is published." in response.content.decode()


def test_long_body_is_kept_in_the_reshown_form(post, article):
    response = post(article, body="word " * 2001, email="bad")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert ("word " * 2000) in response.content.decode()


def test_closed_article_answers_403_and_keeps_the_text(client, post, comment_data):
    article = ArticleFactory(comments_open=False)
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Comments are closed." in html
    assert 'id="respond"' not in html
    response = post(article, body="My carefully written reply.")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Comments are closed on this article." in response.content.decode()
    assert "My carefully written reply." in response.content.decode()
    assert Comment.objects.count() == 0


def test_flood_answers_429_with_retry_after_and_keeps_the_text(post, article, config):
    config.flood_max_comments = 1
    config.save()
    post(article, body="first")
    response = post(article, body="second, kept")
    assert response.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert int(response["Retry-After"]) > 0
    html = response.content.decode()
    assert "You are posting comments too quickly" in html
    assert "second, kept" in html


def test_duplicate_is_refused_with_a_message(post, article):
    post(article, body="Same again.")
    response = post(article, body="Same again.", ip="192.0.2.77")
    assert response.status_code == HTTPStatus.CONFLICT
    assert "You have already posted this comment" in response.content.decode()
    assert Comment.objects.count() == 1


def test_unknown_or_draft_article_is_404(post):
    assert post(ArticleFactory(draft=True)).status_code == HTTPStatus.NOT_FOUND


def test_get_is_not_allowed_on_the_post_url(client, article):
    assert client.get(post_url(article)).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_csrf_is_enforced_and_the_text_is_given_back(article, comment_data):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    url, data = post_url(article), comment_data(article, body="Words worth keeping.")
    response = client.post(url, data, HTTP_REFERER=f"http://testserver{article.get_absolute_url()}")
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert "Please send the form again" in response.content.decode()
    assert "Words worth keeping." in response.content.decode()
    assert Comment.objects.count() == 0
    elsewhere = client.post(url, data, HTTP_ORIGIN="https://evil.example")
    assert elsewhere.status_code == HTTPStatus.FORBIDDEN
    assert "Words worth keeping." not in elsewhere.content.decode()


def test_reply_is_nested_under_its_parent(client, post, article):
    parent = CommentFactory(article=article)
    post(article, parent=str(parent.pk))
    reply = Comment.objects.exclude(pk=parent.pk).get()
    assert reply.parent == parent
    comment_approved = Comment.objects.filter(pk=reply.pk).update(status=Comment.Status.APPROVED)
    assert comment_approved == 1
    html = client.__class__().get(article.get_absolute_url()).content.decode()
    parent_at = html.index(f'id="comment-{parent.pk}"')
    children_at = html.index('<ol class="children">', parent_at)
    assert children_at < html.index(f'id="comment-{reply.pk}"')
    assert "depth-2" in html


def test_reply_to_a_missing_comment_keeps_the_text(post, article):
    response = post(article, parent="999999", body="My reply text.")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "no longer available" in response.content.decode()
    assert "My reply text." in response.content.decode()


HOSTILE = [
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">click</a>',
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_comment_text_is_escaped(client, article, text):
    CommentFactory(article=article, body=text, author_name=text)
    html = client.get(article.get_absolute_url()).content.decode()
    section = html[html.index('id="comments"') :]
    assert "<script>alert" not in section
    assert "<img src=x" not in section
    assert 'href="javascript:' not in section


def test_stored_javascript_url_is_never_a_link(client, article):
    CommentFactory(article=article, author_name="Mallory", author_url="javascript:alert(1)")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "javascript:alert" not in html
    assert "Mallory" in html


def test_comment_text_keeps_paragraphs_and_links_bare_urls(client, article):
    CommentFactory(article=article, body="First line\nsecond line\n\nNew paragraph https://example.org/x")
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<p>First line<br>second line</p>" in html
    assert '<a href="https://example.org/x" rel="nofollow ugc noopener">https://example.org/x</a>' in html


def test_author_website_link_is_nofollow(client, article):
    CommentFactory(article=article, author_name="Charu", author_url="https://charu.example/")
    html = client.get(article.get_absolute_url()).content.decode()
    assert '<a href="https://charu.example/" rel="nofollow ugc noopener">Charu</a>' in html


def test_long_threads_are_paginated_and_permalinks_find_the_page(client, article, config):
    config.comments_per_page = 2
    config.save()
    comments = [CommentFactory(article=article) for _ in range(5)]
    reply = CommentFactory(article=article, parent=comments[2])
    page_two = client.get(f"{article.get_absolute_url()}?cpage=2").content.decode()
    assert f'id="comment-{comments[2].pk}"' in page_two
    assert f'id="comment-{comments[0].pk}"' not in page_two
    assert "Comments page 2 of 3" in page_two
    response = client.get(reply.get_absolute_url())
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{article.get_absolute_url()}?cpage=2#comment-{reply.pk}"
    assert client.get(comments[0].get_absolute_url())["Location"].endswith(f"/#comment-{comments[0].pk}")


def test_an_anchor_number_finds_its_comment_on_the_article_by_id_or_wordpress_id(client, article, config):
    config.comments_per_page = 1
    config.save()
    first = CommentFactory(article=article)
    imported = CommentFactory(article=article, legacy_id=first.pk)  # its WordPress id is another's id here
    elsewhere = CommentFactory()
    find = reverse("comments:permalink", args=[first.pk])
    found = client.get(f"{find}?article={article.pk}&csort=newest")
    assert (
        found["Location"] == f"{article.get_absolute_url()}?csort=newest#comment-{imported.pk}"
    )  # WordPress id
    assert client.get(f"{find}?article=x")["Location"].endswith(f"#comment-{first.pk}")  # an id, as without
    other = reverse("comments:permalink", args=[elsewhere.pk])
    not_here = client.get(f"{other}?article={article.pk}")["Location"]
    assert not_here == f"{article.get_absolute_url()}#comment-{elsewhere.pk}"  # back to the article
    assert client.get(f"{other}?article=%C2%B2")["Location"].endswith(
        f"#comment-{elsewhere.pk}"
    )  # not a number
    assert client.get(f"{other}?article={'9' * 40}")["Location"].endswith(f"#comment-{elsewhere.pk}")
    page = client.get(article.get_absolute_url()).content.decode()
    assert f'data-find-comment="{reverse("comments:permalink", args=[0])}?article={article.pk}"' in page
    assert '<script src="/static/comments/anchor.js" defer></script>' in page


def test_permalink_of_a_held_comment_is_404_for_others(client):
    comment = CommentFactory(status=Comment.Status.PENDING)
    assert client.get(comment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_report_once_per_network_with_a_message(client, article):
    comment = CommentFactory(article=article)
    url = reverse("comments:report", args=[comment.pk])
    response = client.post(url, {"reason": "spam"}, follow=True)
    assert "Thank you for the report" in response.content.decode()
    response = client.post(url, {"reason": "abuse"}, follow=True)
    assert "already reported from your network" in response.content.decode()
    assert list(comment.reports.values_list("reason", flat=True)) == [CommentReport.Reason.SPAM]


def test_report_of_a_held_comment_is_404(client):
    assert client.post(report_url(CommentFactory(status=Comment.Status.PENDING))).status_code == 404


@pytest.mark.parametrize("count", [0, 50, 300, 1000])
def test_article_page_query_count_is_flat(client, article, django_assert_max_num_queries, count):
    """Guards against per-comment queries (authors, replies, permalinks) on the article page."""
    roots = CommentFactory.create_batch(count // 2, article=article)
    for root in roots:
        CommentFactory(article=article, parent=root)
    with django_assert_max_num_queries(8):
        response = client.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK


def test_staff_preview_of_a_draft_has_no_comment_form(admin_client):
    html = admin_client.get(ArticleFactory(draft=True).get_absolute_url()).content.decode()
    assert "Comments open once the article is published." in html
    assert 'id="respond"' not in html


def test_reshown_form_links_point_at_the_article(post, article):
    parent = CommentFactory(article=article)
    html = post(article, email="bad").content.decode()
    assert f'href="{article.get_absolute_url()}?replyto={parent.pk}#respond"' in html
    assert f'<link rel="canonical" href="http://testserver{article.get_absolute_url()}">' in html


def test_invisible_control_characters_are_dropped_not_refused(post, article):
    """A NUL or escape pasted along with the text is dropped; the reader could not have seen or removed it."""
    response = post(article, name="Gr\x00im\x1b", body="Peace\x00 deals\r\nwill\x07 continue.\x7f")
    assert response.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get()
    assert (comment.author_name, comment.body) == ("Grim", "Peace deals\nwill continue.")
