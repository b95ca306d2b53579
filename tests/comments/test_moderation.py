import pytest

from comments.models import Comment, ModerationSettings
from comments.moderation import (
    Commenter,
    Submission,
    assess,
    blocked_email,
    blocked_ip,
    disallowed_word,
    form_too_old,
    honeypot_filled,
    moderation_word,
    posted_too_fast,
    too_many_links,
)

pytestmark = pytest.mark.django_db


def submission(**overrides) -> Submission:
    values = {
        "name": "Grim",
        "email": "grim@example.org",
        "body": "A thoughtful comment.",
        "ip_address": "198.51.100.20",
        "user_agent": "Mozilla/5.0",
        "form_age": 30.0,
    }
    return Submission(**(values | overrides))


NOBODY = Commenter()


def test_honeypot_filled_is_spam(config):
    assert honeypot_filled(submission(honeypot="http://spam.example"), config, NOBODY)[0] == "honeypot"
    assert honeypot_filled(submission(), config, NOBODY) is None


@pytest.mark.parametrize(
    ("field", "value", "where"),
    [
        ("name", "Cheap VIAGRA", "name"),
        ("email", "viagra@spam.example", "email"),
        ("url", "https://viagra.example", "website"),
        ("body", "buy viagra now", "text"),
        ("ip_address", "203.0.113.99", "IP address"),
        ("user_agent", "ViagraBot/1.0", "browser"),
    ],
)
def test_disallowed_word_matches_every_field(config, field, value, where):
    config.disallowed_words = "viagra\n203.0.113.99\n"
    code, text = disallowed_word(submission(**{field: value}), config, NOBODY)
    assert code == "disallowed_word"
    assert where in text


def test_blocked_email_and_ip(config):
    assert blocked_email(submission(), config, Commenter(blocked_email=True))[0] == "blocked_email"
    assert blocked_ip(submission(), config, Commenter(blocked_ip=True))[0] == "blocked_ip"
    assert blocked_email(submission(), config, NOBODY) is None
    assert blocked_ip(submission(), config, NOBODY) is None


def test_more_links_than_allowed_are_held(config):
    two = "See https://a.example and http://b.example"
    three = two + " and www.c.example"
    assert too_many_links(submission(body=two), config, NOBODY) is None
    code, text = too_many_links(submission(body=three), config, NOBODY)
    assert code == "too_many_links"
    assert "3 links" in text


def test_moderation_word_holds(config):
    config.moderation_words = "Drone Strike"
    assert moderation_word(submission(body="about the drone strike"), config, NOBODY)[0] == "moderation_word"
    assert moderation_word(submission(), config, NOBODY) is None


def test_form_sent_too_fast_or_too_late_is_held(config):
    assert posted_too_fast(submission(form_age=1.0), config, NOBODY)[0] == "too_fast"
    assert posted_too_fast(submission(form_age=5.0), config, NOBODY) is None
    assert form_too_old(submission(form_age=3 * 3600), config, NOBODY)[0] == "stale_form"
    assert form_too_old(submission(form_age=3600), config, NOBODY) is None


def test_default_policy_holds_every_comment(config):
    verdict = assess(submission(), config, NOBODY)
    assert verdict.status == Comment.Status.PENDING
    assert verdict.reasons == [("hold_all", "Every comment is held for review.")]


def test_known_commenter_approved_only_when_the_switch_is_on(config):
    known = Commenter(has_approved_comment=True)
    assert assess(submission(), config, known).status == Comment.Status.PENDING
    config.policy = ModerationSettings.Policy.APPROVE_KNOWN
    assert assess(submission(), config, known).status == Comment.Status.APPROVED
    assert assess(submission(), config, NOBODY).status == Comment.Status.PENDING


def test_trusted_commenter_is_approved_unless_a_hold_rule_fires(config):
    trusted = Commenter(trusted=True)
    assert assess(submission(), config, trusted).status == Comment.Status.APPROVED
    held = assess(
        submission(body="a http://1.example b http://2.example c http://3.example"), config, trusted
    )
    assert held.status == Comment.Status.PENDING
    assert held.reasons[0][0] == "too_many_links"


def test_spam_rules_win_over_trust_and_holds(config):
    verdict = assess(submission(honeypot="x", form_age=0.5), config, Commenter(trusted=True, blocked_ip=True))
    assert verdict.status == Comment.Status.SPAM
    assert [code for code, _ in verdict.reasons] == ["honeypot", "blocked_ip"]
