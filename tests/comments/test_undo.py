"""Undoing a decision (comments.services.batch_undo): single, bulk, commenter-wide, picks and report reviews."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.decisions import APPROVE, BLOCK, FEATURE, REMOVE, REVIEWED, SPAM, TRUST, UNDO_WINDOW
from comments.models import Comment, CommenterRule, CommentReport, ModerationEvent
from comments.services import (
    UndoUnavailable,
    batch_undo,
    comment_decide,
    comment_set_status,
    commenter_remove_all,
)
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def decide(comments, decision, by):
    batch = uuid.uuid4()
    for comment in comments:
        comment_decide(comment=comment, decision=decision, by=by, batch=batch)
    return batch


def statuses(comments):
    return [Comment.objects.get(pk=c.pk).status for c in comments]


@pytest.mark.parametrize("decision", [APPROVE, SPAM, REMOVE])
def test_undo_of_a_single_decision_restores_and_is_logged(admin_user, decision):
    comment = CommentFactory(status=Comment.Status.PENDING)
    batch = decide([comment], decision, admin_user)
    undone = batch_undo(batch=batch, by=admin_user)
    assert undone.restored == [comment.pk]
    assert statuses([comment]) == [Comment.Status.PENDING]
    event = ModerationEvent.objects.get(undoes=batch)
    assert (event.actor, event.from_status, event.to_status, event.batch) == (
        admin_user,
        decision.status,
        Comment.Status.PENDING,
        undone.batch,
    )


def test_undo_puts_back_who_decided_before_and_when(admin_user, django_user_model):
    editor = django_user_model.objects.create(username="editor")
    comment = CommentFactory(status=Comment.Status.PENDING)
    decide([comment], APPROVE, editor)
    comment.refresh_from_db()
    approved_at = comment.moderated_at
    batch = decide([comment], SPAM, admin_user)
    batch_undo(batch=batch, by=admin_user)
    comment.refresh_from_db()
    assert (comment.status, comment.moderated_by, comment.moderated_at) == (
        Comment.Status.APPROVED,
        editor,
        ModerationEvent.objects.filter(comment=comment, to_status=Comment.Status.APPROVED)
        .earliest("id")
        .created_at,
    )
    assert abs(comment.moderated_at - approved_at) < timedelta(seconds=1)
    batch_undo(batch=decide([comment], REMOVE, admin_user), by=admin_user)  # and again: still the editor's
    comment.refresh_from_db()
    assert comment.moderated_by == editor


def test_undo_of_a_bulk_decision_restores_each_previous_status(admin_user):
    pending = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    approved = CommentFactory(status=Comment.Status.APPROVED)
    batch = decide([*pending, approved], SPAM, admin_user)
    assert set(statuses([*pending, approved])) == {Comment.Status.SPAM}
    assert len(batch_undo(batch=batch, by=admin_user).restored) == 4
    assert statuses([*pending, approved]) == [*[Comment.Status.PENDING] * 3, Comment.Status.APPROVED]


def test_undo_of_remove_all_of_a_commenter(admin_user):
    theirs = [
        CommentFactory(author_email="troll@example.org", status=Comment.Status.APPROVED),
        CommentFactory(author_email="Troll@Example.org", status=Comment.Status.PENDING),
        CommentFactory(author_email="troll@example.org", status=Comment.Status.SPAM),
    ]
    other = CommentFactory(author_email="someone@example.org", status=Comment.Status.APPROVED)
    batch, count = commenter_remove_all(
        kind="email", value="troll@example.org", decision=REMOVE, by=admin_user
    )
    assert count == 2
    assert statuses([*theirs, other]) == [Comment.Status.REMOVED] * 2 + [
        Comment.Status.SPAM,
        Comment.Status.APPROVED,
    ]
    batch_undo(batch=batch, by=admin_user)
    assert statuses(theirs) == [Comment.Status.APPROVED, Comment.Status.PENDING, Comment.Status.SPAM]


def test_undo_of_a_pick_unpicks_and_restores_the_status(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    batch = decide([comment], FEATURE, admin_user)
    comment.refresh_from_db()
    assert (comment.status, comment.featured) == (Comment.Status.APPROVED, True)
    batch_undo(batch=batch, by=admin_user)
    comment.refresh_from_db()
    assert (comment.status, comment.featured) == (Comment.Status.PENDING, False)


def test_undo_of_a_block_drops_the_rules_it_wrote(admin_user):
    comment = CommentFactory(
        status=Comment.Status.PENDING, author_email="bad@example.org", ip_address="192.0.2.5"
    )
    batch = decide([comment], BLOCK, admin_user)
    assert CommenterRule.objects.count() == 2
    batch_undo(batch=batch, by=admin_user)
    assert not CommenterRule.objects.exists()
    assert statuses([comment]) == [Comment.Status.PENDING]


def test_undo_of_a_block_puts_back_the_standing_it_replaced(admin_user, django_user_model):
    editor = django_user_model.objects.create(username="editor")
    earlier = CommenterRule.objects.create(
        kind=CommenterRule.Kind.EMAIL,
        value="regular@example.org",
        action=CommenterRule.Action.TRUST,
        note="Known to the desk",
        created_by=editor,
    )
    comment = CommentFactory(
        status=Comment.Status.APPROVED, author_email="Regular@example.org", ip_address="192.0.2.9"
    )
    batch = decide([comment], BLOCK, admin_user)
    assert set(CommenterRule.objects.values_list("action", flat=True)) == {CommenterRule.Action.BLOCK}
    batch_undo(batch=batch, by=admin_user)
    [rule] = CommenterRule.objects.all()  # the address rule the block added is gone
    assert (rule.pk, rule.action, rule.note, rule.created_by, rule.batch, rule.expires_at) == (
        earlier.pk,
        CommenterRule.Action.TRUST,
        "Known to the desk",
        editor,
        None,
        None,
    )
    assert abs(rule.created_at - earlier.created_at) < timedelta(milliseconds=1)


def test_trusting_an_approved_commenter_is_a_change_that_can_be_undone(admin_user):
    comment = CommentFactory(status=Comment.Status.APPROVED, author_email="fan@example.org")
    batch = uuid.uuid4()
    assert comment_decide(comment=comment, decision=TRUST, by=admin_user, batch=batch)
    assert CommenterRule.objects.get().action == CommenterRule.Action.TRUST
    assert ModerationEvent.objects.get(batch=batch).kind == ModerationEvent.Kind.STANDING
    assert not comment_decide(comment=comment, decision=TRUST, by=admin_user, batch=uuid.uuid4())  # already
    assert batch_undo(batch=batch, by=admin_user).restored == [comment.pk]
    assert not CommenterRule.objects.exists()
    assert statuses([comment]) == [Comment.Status.APPROVED]


def test_undoing_a_trust_then_the_block_over_it_leaves_no_trust(admin_user):
    comment = CommentFactory(status=Comment.Status.APPROVED, author_email="x@example.org", ip_address="")
    trusted = decide([comment], TRUST, admin_user)
    blocked = decide([comment], BLOCK, admin_user)
    undone = batch_undo(batch=trusted, by=admin_user)  # the block stands over it: nothing to undo there
    assert (undone.restored, CommenterRule.objects.get().action) == ([], CommenterRule.Action.BLOCK)
    batch_undo(batch=blocked, by=admin_user)
    assert not CommenterRule.objects.exists()  # not the trust that was undone


def test_undo_of_mark_as_reviewed_reopens_the_reports(admin_user):
    comment = CommentFactory(status=Comment.Status.APPROVED)
    CommentReport.objects.create(comment=comment, network="192.0.2.0/24", reason="spam")
    batch = decide([comment], REVIEWED, admin_user)
    assert not Comment.objects.reported().exists()
    batch_undo(batch=batch, by=admin_user)
    assert list(Comment.objects.reported()) == [comment]


def test_comments_changed_since_are_left_alone(admin_user, django_user_model):
    first, second = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    batch = decide([first, second], APPROVE, admin_user)
    other = django_user_model.objects.create_user("other", is_staff=True)
    comment_set_status(comment=Comment.objects.get(pk=second.pk), to=Comment.Status.REMOVED, by=other)
    undone = batch_undo(batch=batch, by=admin_user)
    assert (undone.restored, undone.skipped) == ([first.pk], 1)
    assert statuses([first, second]) == [Comment.Status.PENDING, Comment.Status.REMOVED]


def test_undo_works_once_within_the_window_and_an_undo_is_not_undone(admin_user):
    comment = CommentFactory(status=Comment.Status.PENDING)
    batch = decide([comment], APPROVE, admin_user)
    undone = batch_undo(batch=batch, by=admin_user)
    with pytest.raises(UndoUnavailable, match="already undone"):
        batch_undo(batch=batch, by=admin_user)
    with pytest.raises(UndoUnavailable, match="cannot be undone"):
        batch_undo(batch=undone.batch, by=admin_user)
    late = decide([Comment.objects.get(pk=comment.pk)], APPROVE, admin_user)
    assert UNDO_WINDOW >= timedelta(minutes=10)
    with pytest.raises(UndoUnavailable, match="older"):
        batch_undo(batch=late, by=admin_user, now=timezone.now() + UNDO_WINDOW + timedelta(seconds=1))
    with pytest.raises(UndoUnavailable, match="no such"):
        batch_undo(batch=uuid.uuid4(), by=admin_user)


def test_undo_after_a_comment_of_the_decision_was_deleted_restores_the_others(admin_client):
    """Regression: a deleted comment in the batch made the undo answer 500."""
    kept, deleted = CommentFactory.create_batch(2, status=Comment.Status.PENDING)
    batch = uuid.uuid4()
    for comment in (kept, deleted):
        comment_decide(comment=comment, decision=SPAM, by=None, batch=batch)
    deleted.delete()
    undone = batch_undo(batch=batch, by=None)
    kept.refresh_from_db()
    assert kept.status == Comment.Status.PENDING
    assert undone.restored == [kept.pk]
