"""The moderation policy: small rules that each look at one submission and say why it is spam or held.

Every reason a comment can be held or marked spam is declared here, once, with the label filters and
insights show: a rule declares its own code and label with `@spam_rule` or `@hold_rule` and returns the
text the moderator reads, or None. Adding a rule is adding one decorated function to this file.
`assess()` turns the rules and the site's policy into a status. Nothing here writes to the database.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from comments.models import Comment, ModerationSettings

Reason = tuple[str, str]  # (code, text)
LINK = re.compile(r"https?://|\bwww\.", re.IGNORECASE)

REASON_LABELS: dict[str, str] = {}  # code -> short label, in declaration order


def reason(code: str, label: str) -> str:
    """Declare a reason code and its label; returns the code."""
    if code in REASON_LABELS:
        raise ValueError(f"reason code {code!r} is declared twice")
    REASON_LABELS[code] = label
    return code


@dataclass(frozen=True)
class SpamScore:
    """The spam classifier's view of a submission, computed by the service before the rules run."""

    probability: float
    spam_threshold: (
        float | None
    )  # the model's calibrated auto-spam threshold; None: it never marks spam alone


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
    spam: SpamScore | None = None  # None when no classifier model is in use
    surge: str = ""  # why the site is in surge mode, when it is

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
    trusted: bool = False  # a trusted email, posting from a network seen on its approved comments
    always_held: bool = False  # staff want to see each of their comments
    has_approved_comment: bool = False  # same name and email, from such a network


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


Rule = Callable[["Submission", ModerationSettings, "Commenter"], Reason | None]
SPAM_RULES: list[Rule] = []
HOLD_RULES: list[Rule] = []


def _declare(rules: list[Rule], code: str, label: str):
    """Register a rule under its reason code; the function returns the moderator's text or None."""
    reason(code, label)

    def register(check: Callable[..., str | None]) -> Rule:
        def rule(submission, config, commenter) -> Reason | None:
            text = check(submission, config, commenter)
            return (code, text) if text else None

        rule.__name__ = rule.__qualname__ = check.__name__
        rule.code = code
        rules.append(rule)
        return rule

    return register


def spam_rule(code: str, label: str):
    return _declare(SPAM_RULES, code, label)


def hold_rule(code: str, label: str):
    return _declare(HOLD_RULES, code, label)


@spam_rule("honeypot", "Honeypot filled")
def honeypot_filled(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if submission.honeypot.strip():
        return "The hidden anti-spam field was filled in, as bots do."
    return None


@spam_rule("disallowed_word", "Disallowed word")
def disallowed_word(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    match = _first_match(config.disallowed_word_list, submission)
    if match:
        return f"Contains the disallowed word “{match[0]}” in the {match[1]}."
    return None


@spam_rule("blocked_email", "Blocked email")
def blocked_email(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if commenter.blocked_email:
        return f"The email address {submission.email} is blocked."
    return None


@spam_rule("blocked_ip", "Blocked IP")
def blocked_ip(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if commenter.blocked_ip:
        return f"The IP address {submission.ip_address} is blocked."
    return None


@spam_rule("classifier_spam", "Likely spam (classifier)")
def classifier_spam(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    score = submission.spam
    if score is None or score.spam_threshold is None or commenter.trusted:
        return None
    if score.probability >= score.spam_threshold:
        return f"Likely spam, score {score.probability:.2f} (marked spam from {score.spam_threshold:.2f})."
    return None


@hold_rule("classifier_hold", "Possible spam (classifier)")
def classifier_hold(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    score = submission.spam
    if score is None or commenter.trusted:
        return None
    if score.probability >= config.classifier_hold_threshold:
        return f"Possible spam, score {score.probability:.2f} (held from {config.classifier_hold_threshold:.2f})."
    return None


@hold_rule("surge", "Surge mode")
def surge_mode(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if submission.surge:
        return f"Surge mode: every comment is held. {submission.surge}"
    return None


@hold_rule("too_many_links", "Too many links")
def too_many_links(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    links = len(LINK.findall(submission.body))
    if links > config.max_links:
        return f"Has {links} links; more than {config.max_links} are held."
    return None


@hold_rule("moderation_word", "Moderation word")
def moderation_word(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    match = _first_match(config.moderation_word_list, submission)
    if match:
        return f"Contains the moderation word “{match[0]}” in the {match[1]}."
    return None


@hold_rule("too_fast", "Posted too fast")
def posted_too_fast(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if submission.form_age is not None and submission.form_age < config.min_seconds_to_post:
        return (
            f"Sent {submission.form_age:.1f} s after the form was shown; "
            f"people take at least {config.min_seconds_to_post} s."
        )
    return None


@hold_rule("stale_form", "Old form")
def form_too_old(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if submission.form_age is not None and submission.form_age > config.max_form_age_seconds:
        return f"Sent from a form shown {submission.form_age / 3600:.1f} hours earlier."
    return None


@hold_rule("commenter_held", "Commenter always held")
def commenter_held(submission: Submission, config: ModerationSettings, commenter: Commenter) -> str | None:
    if commenter.always_held:
        return "Staff hold every comment from this commenter for review."
    return None


# Reasons that come from the policy and from readers rather than from a rule.
HOLD_ALL_REASON: Reason = (reason("hold_all", "Held by policy"), "Every comment is held for review.")
REPORTED_REASON: Reason = (reason("reported", "Reported by readers"), "Reported by readers.")


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
