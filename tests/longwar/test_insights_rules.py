"""Insights: each filter's precision over the last 30 days, with the weak ones flagged."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from comments.models import Comment
from comments.moderation import REASON_LABELS
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def caught(code: str, status: str, moderator) -> None:
    CommentFactory(status=status, reasons=[{"code": code, "text": "why"}], moderated_by=moderator)


def test_every_rule_is_listed_and_a_rule_wrong_more_often_than_right_is_flagged(admin_client, admin_user):
    for status in (Comment.Status.APPROVED, Comment.Status.APPROVED, Comment.Status.SPAM):
        caught("moderation_word", status, admin_user)  # precision 1/3
    for status in (Comment.Status.SPAM, Comment.Status.SPAM, Comment.Status.APPROVED):
        caught("classifier_spam", status, admin_user)  # precision 2/3
    for _ in range(3):
        caught("hold_all", Comment.Status.APPROVED, admin_user)  # the policy, not a filter

    response = admin_client.get(reverse("admin-insights"))
    assert response.status_code == HTTPStatus.OK
    rules = {rule.code: rule for rule in response.context["rules"]}
    assert set(rules) == set(REASON_LABELS)
    assert rules["moderation_word"].precision == pytest.approx(1 / 3)
    assert [code for code, rule in rules.items() if rule.flagged] == ["moderation_word"]
    html = response.content.decode()
    held = reverse("admin:comments_comment_changelist") + "?reason=moderation_word"
    assert '<tr id="rule-moderation_word" class="flagged">' in html
    assert f'href="{held}"' in html
    assert 'id="rule-too_fast">' in html  # a rule that caught nothing is listed, without a precision
