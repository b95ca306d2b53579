"""The read side of threads: pages fetch only their threads, in every order, and permalinks find them."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.selectors import CommentSort, comment_location, thread_page
from comments.services import comment_set_featured
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread(article):
    """Five top-level comments, oldest first; the third has a reply and the fourth a reply to a reply."""
    roots = [CommentFactory(article=article) for _ in range(5)]
    reply = CommentFactory(article=article, parent=roots[2])
    deep = CommentFactory(article=article, parent=CommentFactory(article=article, parent=roots[3]))
    article.refresh_from_db()
    return roots, reply, deep


def top_level(article, sort=CommentSort.OLDEST, number=1, own_ids=(), per_page=2):
    page = thread_page(article, own_ids=list(own_ids), depth=3, per_page=per_page, number=number, sort=sort)
    return [node.comment.pk for node in page.page.object_list], page


def test_pages_hold_whole_threads_in_each_order(article, thread):
    roots, reply, deep = thread
    ids = [root.pk for root in roots]
    assert top_level(article)[0] == ids[:2]
    assert top_level(article, number=3)[0] == ids[4:]
    assert top_level(article, CommentSort.NEWEST)[0] == ids[::-1][:2]
    page_two = top_level(article, CommentSort.NEWEST, number=2)[1].page
    assert [node.comment.pk for node in page_two.object_list] == [ids[2], ids[1]]
    third = page_two.object_list[0]
    assert [child.comment.pk for child in third.replies] == [reply.pk]
    assert page_two.paginator.num_pages == 3


def test_picks_first_brings_the_threads_holding_picks_forward(article, thread, admin_user):
    roots, reply, deep = thread
    comment_set_featured(comment=deep, featured=True, by=admin_user)
    comment_set_featured(comment=roots[4], featured=True, by=admin_user)
    ids, page = top_level(article, CommentSort.PICKS)
    assert ids == [roots[3].pk, roots[4].pk]
    assert top_level(article, CommentSort.PICKS, number=2)[0] == [roots[0].pk, roots[1].pk]
    assert top_level(article, CommentSort.PICKS, number=3)[0] == [roots[2].pk]
    assert [pick.pk for pick in page.picks] == [roots[4].pk, deep.pk]


@pytest.mark.parametrize("sort", list(CommentSort))
def test_permalinks_land_on_the_page_that_shows_the_comment(
    client, article, thread, config, admin_user, sort
):
    config.comments_per_page = 2
    config.save()
    roots, reply, deep = thread
    comment_set_featured(comment=roots[4], featured=True, by=admin_user)
    for comment in [*roots, reply, deep]:
        response = client.get(f"{reverse('comments:permalink', args=[comment.pk])}?csort={sort.value}")
        assert response.status_code == HTTPStatus.FOUND
        page = client.get(response["Location"]).content.decode()
        assert f'id="comment-{comment.pk}"' in page, (sort, comment.pk, response["Location"])
        assert response["Location"].endswith(f"#comment-{comment.pk}")
        assert (f"csort={sort.value}" in response["Location"]) is (sort != CommentSort.OLDEST)


def test_own_held_comments_are_placed_for_their_author_only(article, thread):
    roots, reply, deep = thread
    held_reply = CommentFactory(article=article, parent=roots[0], status=Comment.Status.PENDING)
    held_root = CommentFactory(article=article, status=Comment.Status.PENDING)
    ids, page = top_level(article, own_ids=[held_reply.pk, held_root.pk], number=3)
    assert ids == [roots[4].pk, held_root.pk]
    assert page.page.paginator.num_pages == 3
    first = top_level(article, own_ids=[held_reply.pk])[1].page.object_list[0]
    assert [child.comment.pk for child in first.replies] == [held_reply.pk]
    assert top_level(article, number=3)[0] == [roots[4].pk]  # nobody else sees them
    location = comment_location(held_root, own_ids=[held_root.pk], per_page=2)
    assert location.endswith(f"?cpage=3#comment-{held_root.pk}")


def test_a_page_of_threads_costs_two_queries_in_every_order(article, django_assert_max_num_queries):
    roots = CommentFactory.create_batch(30, article=article)
    for root in roots:
        CommentFactory(article=article, parent=root)
    article.refresh_from_db()
    comment_set_featured(comment=roots[25], featured=True, by=None)
    for sort in CommentSort:
        with django_assert_max_num_queries(2):  # the picks, then the page's threads with their replies
            page = thread_page(article, own_ids=[], depth=3, per_page=10, number=2, sort=sort)
        threads = page.page.object_list
        assert len(threads) == 10
        assert all(len(node.replies) == 1 for node in threads)


@pytest.mark.parametrize("sort", list(CommentSort))
def test_every_comment_is_placed_on_the_page_that_shows_it_to_its_reader(
    article, admin_user, django_assert_max_num_queries, sort
):
    """Counted from the newest end, with the reader's held threads among the approved ones and others'
    held ones left out; one query for any comment (two for a reply, three for picks first)."""
    statuses = [Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM]
    roots = [CommentFactory(article=article, status=statuses[n % 3]) for n in range(9)]
    tied = [roots[3].pk, roots[4].pk, roots[6].pk]  # posted in the same instant: the id decides
    Comment.objects.filter(pk__in=tied).update(created_at=roots[3].created_at)
    reply = CommentFactory(article=article, parent=roots[0])
    held_reply = CommentFactory(article=article, parent=roots[1], status=Comment.Status.PENDING)  # own thread
    own_ids = [roots[1].pk, roots[4].pk, held_reply.pk]  # roots[7] is held too, but someone else's
    assert comment_set_featured(comment=reply, featured=True, by=admin_user)  # picks roots[0]'s thread
    assert comment_set_featured(comment=roots[6], featured=True, by=admin_user)
    article.refresh_from_db()
    comments = list(Comment.objects.filter(article=article))
    visible = [c for c in comments if c.status == Comment.Status.APPROVED or c.pk in own_ids]
    pages = {}
    for number in range(1, 4):  # six threads, two a page
        page = thread_page(article, own_ids=own_ids, depth=3, per_page=2, number=number, sort=sort).page
        assert page.number == number
        for node in page:
            pages.update({c.pk: number for c in [node.comment, *(child.comment for child in node.replies)]})
    assert set(pages) == {c.pk for c in visible}
    for comment in visible:
        comment = Comment.objects.select_related("article").get(pk=comment.pk)
        queries = 1 + (comment.thread_root_id is not None) + (sort == CommentSort.PICKS)
        with django_assert_max_num_queries(queries):
            location = comment_location(comment, own_ids=own_ids, per_page=2, sort=sort)
        page = int(location.split("cpage=")[1].split("#")[0]) if "cpage=" in location else 1
        assert page == pages[comment.pk], (sort, comment.pk, location)
