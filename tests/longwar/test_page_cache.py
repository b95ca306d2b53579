"""The shared page cache: served to anonymous readers only, retired by every change, the form still works."""

import gzip
import re
import time
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import Client, RequestFactory
from django.urls import reverse

from comments.forms import form_token_age, make_form_token
from comments.models import Comment, ModerationSettings
from comments.reader import OWN_COMMENTS_COOKIE, REMEMBER_COOKIE
from longwar.page_cache import CSRF_SLOT, FORM_TOKEN_SLOT, csrf_token
from tests.factories import ArticleFactory, CommentFactory
from tests.longwar.page_changes import CHANGES, prepare

pytestmark = pytest.mark.django_db


def stored_pages() -> list[bytes]:
    """What the shared cache holds: every stored page's HTML, slots unfilled."""
    keys = [key for key in cache._cache if ":pages:page:" in key] if hasattr(cache, "_cache") else []
    entries = [cache.get(key.split(":", 2)[2]) for key in keys]
    return [entry.with_slots() for entry in entries]


def comment_form(article, **fields) -> dict:
    return {"name": "Grim", "email": "grim@example.org", "body": "Peace deals will continue.", **fields}


def form_values(html: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(csrfmiddlewaretoken|token)" value="([^"]*)"', html))


@pytest.mark.parametrize("kind", CHANGES)
def test_every_change_on_the_page_retires_it(
    database_cache, kind, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    article = ArticleFactory()
    prepare(article)
    change, text, present = CHANGES[kind]
    reader = Client()
    first = reader.get(article.get_absolute_url()).content.decode()
    assert (text in first) is not present
    with django_assert_max_num_queries(1):  # served from the database cache: one query, nothing rendered
        assert reader.get(article.get_absolute_url()).status_code == HTTPStatus.OK
    with django_capture_on_commit_callbacks(execute=True):
        change(article)
    article.refresh_from_db()
    assert (text in reader.get(article.get_absolute_url()).content.decode()) is present


def test_comments_on_another_article_leave_this_page_cached(django_assert_max_num_queries):
    article, other = ArticleFactory(), ArticleFactory()
    Client().get(article.get_absolute_url())
    CommentFactory(article=other)
    with django_assert_max_num_queries(0):
        Client().get(article.get_absolute_url())


def test_each_reader_gets_their_own_tokens_and_the_form_posts_from_a_cached_page(article):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first.get(article.get_absolute_url())
    cached = second.get(article.get_absolute_url())
    assert cached["ETag"]  # served from the cache
    values = form_values(cached.content.decode())
    theirs = form_values(first.get(article.get_absolute_url()).content.decode())
    assert values["csrfmiddlewaretoken"] != theirs["csrfmiddlewaretoken"]
    assert form_token_age(values["token"], article.pk) < 2  # made when this reader was served the page
    assert CSRF_SLOT not in cached.content.decode()
    assert FORM_TOKEN_SLOT not in cached.content.decode()
    data = comment_form(article, token=values["token"], csrfmiddlewaretoken=values["csrfmiddlewaretoken"])
    response = second.post(f"/comments/post/{article.pk}/", data)
    assert response.status_code == HTTPStatus.FOUND
    comment = Comment.objects.get()
    assert comment.reasons[0]["code"] == "too_fast"  # the token was made for this reader a moment ago


def test_held_comments_and_personal_pages_never_reach_the_shared_cache(client, article, admin_client):
    CommentFactory(article=article, body="Public words.")
    token = make_form_token(article.pk, now=time.time() - 10)
    fields = comment_form(article, body="My held words.", remember="on", name="Charu", token=token)
    assert client.post(f"/comments/post/{article.pk}/", fields).status_code == HTTPStatus.FOUND
    own = client.get(article.get_absolute_url())
    assert "My held words." in own.content.decode()
    assert "no-store" in own["Cache-Control"]
    assert not own.has_header("ETag")
    admin_client.get(article.get_absolute_url())
    assert stored_pages() == []
    shared = Client().get(article.get_absolute_url())
    assert "Public words." in shared.content.decode()
    [page] = stored_pages()
    assert re.findall(rb'name="csrfmiddlewaretoken" value="([^"]*)"', page) == [CSRF_SLOT.encode()]
    for personal in (b"My held words.", b"Charu", b"Your comment is awaiting", b"Posting as"):
        assert personal not in page


@pytest.mark.parametrize("cookie", ["sessionid", "messages", REMEMBER_COOKIE, OWN_COMMENTS_COOKIE])
def test_a_browser_with_its_own_state_is_never_served_the_shared_page(article, cookie):
    Client().get(article.get_absolute_url())
    reader = Client()
    reader.cookies[cookie] = "anything"
    response = reader.get(article.get_absolute_url())
    assert not response.has_header("ETag")
    assert "private" in response["Cache-Control"]


def test_conditional_get_answers_304_until_the_page_changes(article, django_capture_on_commit_callbacks):
    from comments.services import comment_set_status

    reader = Client()
    response = reader.get(article.get_absolute_url())
    etag, modified = response["ETag"], response["Last-Modified"]
    assert response["Vary"] == "Cookie, Accept-Encoding"
    assert response["Cache-Control"] == "private, no-cache"
    again = reader.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert again.status_code == HTTPStatus.NOT_MODIFIED
    since = reader.get(article.get_absolute_url(), headers={"if-modified-since": modified})
    assert since.status_code == HTTPStatus.NOT_MODIFIED
    held = CommentFactory(article=article, status=Comment.Status.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        comment_set_status(comment=held, to=Comment.Status.APPROVED, by=None)
    changed = reader.get(article.get_absolute_url(), headers={"if-none-match": etag})
    assert changed.status_code == HTTPStatus.OK
    assert changed["ETag"] != etag


def test_odd_query_strings_share_the_page_and_reply_forms_are_not_stored(article):
    CommentFactory(article=article)
    Client().get(article.get_absolute_url())
    assert Client().get(f"{article.get_absolute_url()}?utm_source=feed").has_header("ETag")
    Client().get(f"{article.get_absolute_url()}?replyto=1")
    Client().get(f"{article.get_absolute_url()}?cpage=999")
    assert Client().get(f"{article.get_absolute_url()}?cpage=%C2%B2").status_code == HTTPStatus.OK  # "²"
    assert len(stored_pages()) == 1


def test_comments_closing_by_date_ends_the_cached_copy(article):
    config = ModerationSettings.load()
    config.close_after_days = 2
    config.save()
    Client().get(article.get_absolute_url())
    [key] = [key for key in cache._cache if ":pages:page:" in key]
    expires = cache._expire_info[key]
    assert expires <= article.published_at.timestamp() + 2 * 86400 + 1


def test_browsers_get_the_cached_page_compressed_with_their_own_tokens(article):
    CommentFactory.create_batch(20, article=article, body="A view worth compressing. " * 5)
    Client().get(article.get_absolute_url())
    reader = Client()
    packed = reader.get(article.get_absolute_url(), headers={"accept-encoding": "gzip, deflate, br"})
    assert packed["Content-Encoding"] == "gzip"
    assert packed["Vary"] == "Cookie, Accept-Encoding"
    html = gzip.decompress(packed.content).decode()
    plain = Client().get(article.get_absolute_url())
    assert not plain.has_header("Content-Encoding")
    assert len(packed.content) * 4 < len(plain.content)
    assert (
        html.count("A view worth compressing.")
        == plain.content.decode().count("A view worth compressing.")
        == 100
    )
    values = form_values(html)
    assert values["csrfmiddlewaretoken"] not in plain.content.decode()
    assert form_token_age(values["token"], article.pk) < 2


def test_a_stored_page_is_served_past_the_database_with_its_headers_and_the_csrf_cookie(
    article, django_assert_num_queries
):
    reader = Client(enforce_csrf_checks=True)
    first = reader.get(article.get_absolute_url())
    reader.cookies.clear()  # a new reader, without even a CSRF cookie
    with django_assert_num_queries(0):  # no session, user or messages: only the cache is asked
        response = reader.get(article.get_absolute_url())
    assert response.status_code == HTTPStatus.OK
    assert response.wsgi_request.stored_page is not None  # answered by StoredPageMiddleware, first in line
    for header in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert response[header] == first[header], header
    tokens = form_values(response.content.decode())
    assert "csrftoken" in response.cookies
    posted = reader.post(
        reverse("comments:post", args=[article.pk]),
        comment_form(
            article,
            csrfmiddlewaretoken=tokens["csrfmiddlewaretoken"],
            token=make_form_token(article.pk, now=time.time() - 10),
        ),
    )
    assert posted.status_code == HTTPStatus.FOUND  # the form of a page served this way posts


def test_a_reply_form_is_never_kept_by_any_cache_and_gzip_refused_is_not_sent(article):
    reply = Client().get(article.get_absolute_url(), {"replyto": CommentFactory(article=article).pk})
    assert "no-store" in reply["Cache-Control"]  # it carries this reader's tokens
    Client().get(article.get_absolute_url())  # stored
    plain = Client().get(article.get_absolute_url(), HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert not plain.has_header("Content-Encoding")
    assert b"<!DOCTYPE html>" in plain.content


def test_stored_pages_carry_djangos_masked_csrf_token_of_the_readers_secret():
    new_reader = RequestFactory().get("/")
    first, second = csrf_token(new_reader), csrf_token(new_reader)
    secret = new_reader.META["CSRF_COOKIE"]  # a new secret, sent as the cookie
    assert new_reader.META["CSRF_COOKIE_NEEDS_UPDATE"]
    assert first != second  # masked afresh each time
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == secret
    returning = RequestFactory().get("/")
    returning.META["CSRF_COOKIE"] = secret  # what CsrfViewMiddleware reads from the cookie
    assert _unmask_cipher_token(csrf_token(returning)) == secret
    drawn = "".join(csrf_token(RequestFactory().get("/")) for _ in range(100))
    assert len(drawn) == 6400
    assert set(drawn) == set(CSRF_ALLOWED_CHARS)
