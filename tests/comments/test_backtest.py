"""The backtest preview: what proposed settings would have done to the last 30 days, before saving."""

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from comments import learning
from comments.backtest import backtest
from comments.models import Comment, CommenterRule, ModerationSettings
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_month(admin_user):
    """Approved and spam comments of the last 30 days (and one older, outside the window)."""
    approved = [
        CommentFactory(body="Great analysis of the ceasefire.", status=Comment.Status.APPROVED),
        CommentFactory(body="The casino near the base closed.", status=Comment.Status.APPROVED),
        CommentFactory(body="Casino talk again, and the army.", status=Comment.Status.APPROVED),
        CommentFactory(body="Low score but odd.", status=Comment.Status.APPROVED, spam_score=0.6),
    ]
    spam = [
        CommentFactory(body="Cheap pills here", status=Comment.Status.SPAM, spam_score=0.4),
        CommentFactory(body="Visit my casino", status=Comment.Status.SPAM),
    ]
    CommentFactory(
        body="An old casino comment",
        status=Comment.Status.APPROVED,
        created_at=timezone.now() - timedelta(days=40),
    )
    return approved, spam


def proposed(**changes) -> ModerationSettings:
    config = ModerationSettings.load()
    for name, value in changes.items():
        setattr(config, name, value)
    return config


def test_a_new_moderation_word_shows_the_approved_comments_it_would_have_held(last_month):
    result = backtest(proposed(moderation_words="casino"))
    # The comment scored 0.6 by the classifier is held either way; the two about a casino are new.
    assert (result.replayed, result.approved_held.now, result.approved_held.proposed) == (6, 1, 3)
    assert {comment.body for comment, _ in result.approved_held.examples} == {
        "The casino near the base closed.",
        "Casino talk again, and the army.",
    }
    assert "moderation word “casino”" in result.approved_held.examples[0][1]
    # Spam that nothing caught before, and the word now catches: one fewer gets past.
    assert (result.spam_passed.now, result.spam_passed.proposed) == (2, 1)


def test_a_disallowed_word_shows_approved_comments_that_would_be_spam(last_month):
    result = backtest(proposed(disallowed_words="army"))
    assert (result.approved_spammed.now, result.approved_spammed.proposed) == (0, 1)
    assert result.approved_held.proposed == 1  # the one the classifier holds


def test_a_lower_classifier_hold_threshold_counts_against_stored_scores(last_month):
    result = backtest(proposed(classifier_hold_threshold=0.3))
    assert (result.approved_held.now, result.approved_held.proposed) == (1, 1)  # 0.6 held either way
    assert (result.spam_passed.now, result.spam_passed.proposed) == (2, 1)  # the 0.4 spam now held


def test_trust_and_block_rules_count_the_same_on_both_sides(last_month):
    CommenterRule.objects.create(
        action=CommenterRule.Action.BLOCK, kind=CommenterRule.Kind.EMAIL, value=last_month[0][0].author_email
    )
    result = backtest(proposed())
    assert result.approved_spammed.now == result.approved_spammed.proposed == 1
    assert result.approved_spammed.examples == []


def test_preview_in_the_admin_shows_the_counts_and_saves_nothing(admin_client, last_month):
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial[name] for name in form.fields}
    data = {name: "" if value is None else value for name, value in data.items()}
    data.update(moderation_words="casino", classifier_enabled="on", notify_moderators="on", _preview="1")
    response = admin_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Preview: these settings on the last 30 days" in html
    assert "The casino near the base closed." in html
    assert response.context["backtest"].approved_held.delta == 2
    assert 'id="id_moderation_words">\ncasino</textarea>' in html  # the form keeps the edit
    assert ModerationSettings.load().moderation_words == ""


def test_preview_of_invalid_settings_shows_the_errors_without_counts(admin_client):
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    response = admin_client.post(url, {"classifier_hold_threshold": "7", "_preview": "1"})
    assert response.status_code == HTTPStatus.OK
    assert response.context["backtest"] is None
    assert response.context["errors"]


def test_preview_needs_permission_to_change_the_settings(client, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(viewer)
    url = reverse("admin:comments_moderationsettings_change", args=[1])
    assert client.post(url, {"_preview": "1"}).status_code == HTTPStatus.FORBIDDEN


def test_backtest_uses_the_current_model_threshold_for_the_proposed_precision(last_month, labelled_csv):
    learning.store_examples(learning.read_files([labelled_csv(n=300)]))
    learning.spam_model_train(decisions=False)
    Comment.objects.filter(body="Visit my casino").update(spam_score=0.999)
    strict = backtest(proposed(classifier_target_precision=0.9999, classifier_hold_threshold=1.0))
    assert strict.spam_passed.proposed == 2  # no score is that precise: neither spam is caught
    assert strict.spam_passed.now == 1  # at 0.99, the 0.999 one is marked spam
