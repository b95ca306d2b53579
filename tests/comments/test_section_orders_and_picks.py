"""The comment section a reader sees: editors' picks above the thread, sort orders without JavaScript, and a
fixed number of queries however long the thread."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.selectors import CommentSort
from comments.services import comment_set_featured
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def html_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def test_editors_picks_sit_above_the_thread_and_link_into_it(client, article, admin_user):
    plain = CommentFactory(article=article, body="An ordinary view.")
    picked = CommentFactory(article=article, parent=plain, body="The sharpest reply.")
    comment_set_featured(comment=picked, featured=True, by=admin_user)
    html = html_of(client, f"{article.get_absolute_url()}?csort=newest")
    block = html[html.index("Editors’ picks") : html.index('<ol class="comment-list">')]
    assert "The sharpest reply." in block
    assert "An ordinary view." not in block
    assert f'href="{reverse("comments:permalink", args=[picked.pk])}?csort=newest"' in block
    assert 'class="comment-pick"' in html[html.index('<ol class="comment-list">') :]


def test_no_picks_no_block(client, article):
    CommentFactory(article=article)
    assert "Editors’ picks" not in html_of(client, article.get_absolute_url())


def test_sort_links_work_without_javascript_and_pages_keep_the_order(client, article, config):
    config.comments_per_page = 2
    config.save()
    comments = [CommentFactory(article=article, body=f"Comment {n}.") for n in range(3)]
    url = article.get_absolute_url()
    html = html_of(client, url)
    assert f'href="{url}?csort=newest#comments"' in html
    assert f'href="{url}?csort=picks#comments"' in html
    newest = html_of(client, f"{url}?csort=newest")
    assert newest.index("Comment 2.") < newest.index("Comment 1.")
    assert "Comment 0." not in newest
    assert f'href="{url}?csort=newest&amp;cpage=2#comments"' in newest
    assert f"?csort=newest&amp;replyto={comments[2].pk}#respond" in newest
    last = html_of(client, f"{url}?csort=newest&cpage=2")
    assert "Comment 0." in last
    assert f"?csort=newest&amp;cpage=2&amp;replyto={comments[0].pk}#respond" in last
    assert "Comments page 2 of 2" in last


def test_an_unknown_order_reads_oldest_first(client, article):
    CommentFactory(article=article, body="First words.")
    CommentFactory(article=article, body="Second words.")
    html = html_of(client, f"{article.get_absolute_url()}?csort=<script>")
    assert html.index("First words.") < html.index("Second words.")
    assert "<script>" not in html[html.index('id="comments"') :]


def test_reply_to_a_comment_on_another_page_keeps_the_parent(client, article, config):
    config.comments_per_page = 1
    config.save()
    first = CommentFactory(article=article, author_name="Grim")
    CommentFactory(article=article)
    html = html_of(client, f"{article.get_absolute_url()}?cpage=2&replyto={first.pk}")
    assert "Reply to Grim" in html
    assert f'name="parent" value="{first.pk}"' in html


@pytest.mark.parametrize("count", [0, 60, 300])
def test_article_page_queries_are_flat_in_every_order(
    client, article, admin_user, config, django_assert_max_num_queries, count
):
    """Guards the read side: the first, uncached view fetches one page of threads whatever the thread length."""
    config.comments_per_page = 5
    config.save()
    roots = CommentFactory.create_batch(count // 3, article=article)
    for root in roots:
        reply = CommentFactory(article=article, parent=root)
        CommentFactory(article=article, parent=reply)
    if roots:
        comment_set_featured(comment=roots[-1], featured=True, by=admin_user)
    for sort in CommentSort:
        url = f"{article.get_absolute_url()}?csort={sort.value}&cpage={2 if count else 1}"
        with django_assert_max_num_queries(8):
            client.get(url)
        with django_assert_max_num_queries(0):  # then from the cache
            client.get(url)


@pytest.mark.parametrize("count", [0, 60, 300])
def test_a_reader_with_a_held_comment_gets_their_own_page_at_a_fixed_cost(
    client, post, article, django_assert_max_num_queries, count
):
    for root in CommentFactory.create_batch(count // 2, article=article):
        CommentFactory(article=article, parent=root)
    post(article, body="Mine, held.")
    assert Comment.objects.get(body="Mine, held.").status == Comment.Status.PENDING
    with django_assert_max_num_queries(10):  # + the session and the reader's held comments
        html = html_of(client, article.get_absolute_url() + "?cpage=1")
    assert "Mine, held." in html or count > 0


def test_the_readers_order_comes_back_after_posting_reporting_and_editing(client, article, comment_data):
    shown = CommentFactory(article=article, body="Shown to everyone.")
    html = html_of(client, f"{article.get_absolute_url()}?csort=newest")
    post_url = f"{reverse('comments:post', args=[article.pk])}?csort=newest"
    report_url = f"{reverse('comments:report', args=[shown.pk])}?csort=newest"
    assert f'action="{post_url}"' in html
    assert f'href="{report_url}"' in html
    posted = client.post(post_url, comment_data(article), REMOTE_ADDR="198.51.100.7")
    assert posted.status_code == HTTPStatus.FOUND
    assert "csort=newest" in posted["Location"]
    mine = Comment.objects.get(body=comment_data(article)["body"])
    edit_url = f"{reverse('comments:edit', args=[mine.pk])}?csort=newest"
    assert f'href="{edit_url}"' in html_of(client, posted["Location"])
    edited = client.post(edit_url, {"body": "Peace deals will go on."})
    assert "csort=newest" in edited["Location"]
    assert '<form method="post">' in html_of(client, report_url)  # posts back to this address
    reported = client.post(report_url, {"reason": "spam"})
    assert "csort=newest" in reported["Location"]
