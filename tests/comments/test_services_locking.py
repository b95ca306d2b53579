"""Two moderators deciding on one comment at once: the row is locked, so the log tells what really happened."""

import threading
import time

import pytest
from django.db import connection, transaction

from comments.decisions import DECISIONS
from comments.models import Comment, ModerationEvent
from comments.services import comment_decide, comment_edit
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db(transaction=True)


def decide_in_another_transaction(comment_id: int, decision: str, by, decided: threading.Event) -> None:
    """The first moderator: decides, then keeps the transaction open a moment while the second one clicks."""
    try:
        with transaction.atomic():
            comment_decide(comment=Comment.objects.get(pk=comment_id), decision=DECISIONS[decision], by=by)
            decided.set()
            time.sleep(0.3)
    finally:
        connection.close()


def test_concurrent_decisions_log_the_status_each_really_changed(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    second_moderators_page = Comment.objects.get(pk=comment.pk)  # loaded while still pending
    decided = threading.Event()
    first = threading.Thread(
        target=decide_in_another_transaction, args=(comment.pk, "approve", admin_user, decided)
    )
    first.start()
    assert decided.wait(10)
    comment_decide(comment=second_moderators_page, decision=DECISIONS["spam"], by=admin_user)
    first.join()
    assert list(ModerationEvent.objects.order_by("id").values_list("from_status", "to_status")) == [
        (Comment.Status.PENDING, Comment.Status.APPROVED),
        (Comment.Status.APPROVED, Comment.Status.SPAM),
    ]
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_an_edit_from_a_stale_page_keeps_the_text_it_replaced(admin_user):
    comment = CommentFactory(body="As posted.")
    stale = Comment.objects.get(pk=comment.pk)
    comment_edit(comment=comment, body="First edit.", by=admin_user)
    comment_edit(comment=stale, body="Second edit.", by=admin_user)
    assert list(ModerationEvent.objects.order_by("id").values_list("previous_body", flat=True)) == [
        "As posted.",
        "First edit.",
    ]
