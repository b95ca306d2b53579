"""Figures for insights, against hand-made comments."""

from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment
from comments.stats import rule_outcomes
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def caught(code: str, status: str, moderator=None, days_ago: int = 1) -> Comment:
    return CommentFactory(
        status=status,
        reasons=[{"code": code, "text": "why"}],
        moderated_by=moderator,
        created_at=timezone.now() - timedelta(days=days_ago),
    )


def test_rule_outcomes_count_false_alarms_confirmations_and_undecided(admin_user):
    caught("moderation_word", Comment.Status.APPROVED, admin_user)  # false alarm
    caught("moderation_word", Comment.Status.APPROVED, admin_user)
    caught("moderation_word", Comment.Status.SPAM, admin_user)  # confirmed
    caught("moderation_word", Comment.Status.PENDING)  # not decided yet
    caught("classifier_spam", Comment.Status.SPAM)  # marked spam on arrival, never looked at
    caught("classifier_spam", Comment.Status.REMOVED, admin_user)  # confirmed
    caught("too_fast", Comment.Status.APPROVED, admin_user, days_ago=40)  # before the window
    CommentFactory(status=Comment.Status.APPROVED, moderated_by=admin_user)  # caught by nothing
    both = caught("too_many_links", Comment.Status.APPROVED, admin_user)
    both.reasons.append({"code": "moderation_word", "text": "why"})
    both.save()

    outcomes = rule_outcomes(timezone.now() - timedelta(days=30))
    assert outcomes == {
        "moderation_word": {"false_alarms": 3, "confirmed": 1, "undecided": 1},
        "classifier_spam": {"false_alarms": 0, "confirmed": 1, "undecided": 1},
        "too_many_links": {"false_alarms": 1, "confirmed": 0, "undecided": 0},
    }
