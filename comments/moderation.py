"""The moderation policy: small rules that each look at one submission and say why it is spam or held.

Each rule returns `(code, text)` when it fires, or None. The code is stable (filters, tests,
statistics); the text is what the moderator reads. `assess()` turns the rules and the site's
policy into a status. Nothing here writes to the database.
"""

import re
from dataclasses import dataclass, field

from comments.models import Comment, ModerationSettings

Reason = tuple[str, str]
LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)


@dataclass(frozen=True)
class Submission:
    """What a commenter sent, plus what the request says about them."""

    name: str
    email: str
    body: str
    url: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    honeypot: str = ""
    form_age: float | None = None  # seconds between rendering the form and posting it

    def fields(self) -> dict[str, str]:
        return {
            "name": self.name,
            "email": self.email,
            "website": self.url,
            "text": self.body,
            "IP address": self.ip_address or "",
            "browser": self.user_agent,
        }


@dataclass(frozen=True)
class Commenter:
    """What staff and history say about whoever sent the submission."""

    blocked_email: bool = False
    blocked_ip: bool = False
    trusted: bool = False
    has_approved_comment: bool = False


@dataclass(frozen=True)
class Verdict:
    status: str
    reasons: list[Reason] = field(default_factory=list)
    note: str = ""  # why an approval happened, for the log


def _first_match(words: list[str], submission: Submission) -> tuple[str, str] | None:
    for label, value in submission.fields().items():
        lowered = value.lower()
        for word in words:
            if word in lowered:
                return word, label
    return None


def honeypot_filled(
    submission: Submission, config: ModerationSettings, commenter: Commenter
) -> Reason | None:
    if submission.honeypot.strip():
        return "honeypot", "The hidden anti-spam field was filled in, as bots do."
    return None


def disallowed_word(
    submission: Submission, config: ModerationSettings, commenter: Commenter
) -> Reason | None:
    match = _first_match(config.disallowed_word_list, submission)
    if match:
        return "disallowed_word", f"Contains the disallowed word “{match[0]}” in the {match[1]}."
    return None


def blocked_email(submission: Submission, config: ModerationSettings, commenter: Commenter) -> Reason | None:
    if commenter.blocked_email:
        return "blocked_email", f"The email address {submission.email} is blocked."
    return None


def blocked_ip(submission: Submission, config: ModerationSettings, commenter: Commenter) -> Reason | None:
    if commenter.blocked_ip:
        return "blocked_ip", f"The IP address {submission.ip_address} is blocked."
    return None


def too_many_links(submission: Submission, config: ModerationSettings, commenter: Commenter) -> Reason | None:
    links = len(LINK.findall(submission.body))
    if links > config.max_links:
        return "too_many_links", f"Has {links} links; more than {config.max_links} are held."
    return None


def moderation_word(
    submission: Submission, config: ModerationSettings, commenter: Commenter
) -> Reason | None:
    match = _first_match(config.moderation_word_list, submission)
    if match:
        return "moderation_word", f"Contains the moderation word “{match[0]}” in the {match[1]}."
    return None


def posted_too_fast(
    submission: Submission, config: ModerationSettings, commenter: Commenter
) -> Reason | None:
    if submission.form_age is not None and submission.form_age < config.min_seconds_to_post:
        return (
            "too_fast",
            f"Sent {submission.form_age:.1f} s after the form was shown; "
            f"people take at least {config.min_seconds_to_post} s.",
        )
    return None


def form_too_old(submission: Submission, config: ModerationSettings, commenter: Commenter) -> Reason | None:
    if submission.form_age is not None and submission.form_age > config.max_form_age_seconds:
        hours = submission.form_age / 3600
        return "stale_form", f"Sent from a form shown {hours:.1f} hours earlier."
    return None


SPAM_RULES = [honeypot_filled, disallowed_word, blocked_email, blocked_ip]
HOLD_RULES = [too_many_links, moderation_word, posted_too_fast, form_too_old]

HOLD_ALL_REASON: Reason = ("hold_all", "Every comment is held for review.")
REPORTED_REASON: Reason = ("reported", "Reported by readers.")


def assess(submission: Submission, config: ModerationSettings, commenter: Commenter) -> Verdict:
    """Spam rules first, then hold rules, then the site's approval policy."""
    spam = [reason for rule in SPAM_RULES if (reason := rule(submission, config, commenter))]
    if spam:
        return Verdict(Comment.Status.SPAM, spam)
    held = [reason for rule in HOLD_RULES if (reason := rule(submission, config, commenter))]
    if held:
        return Verdict(Comment.Status.PENDING, held)
    if commenter.trusted:
        return Verdict(Comment.Status.APPROVED, note="Commenter is trusted by staff.")
    if config.policy == ModerationSettings.Policy.APPROVE_KNOWN and commenter.has_approved_comment:
        return Verdict(Comment.Status.APPROVED, note="Commenter has an earlier approved comment.")
    return Verdict(Comment.Status.PENDING, [HOLD_ALL_REASON])
