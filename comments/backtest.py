"""What proposed moderation settings would have done to recent comments, before anyone saves them.

Each comment of the last 30 days that ended approved or spam is rebuilt as a submission (with the spam
score it got when posted) and run through `comments.moderation.assess` twice: with the saved settings and
with the proposed ones. The honeypot and the form's age are not stored, so the rules reading them are not
replayed; trust and block rules are today's for both runs, so every difference comes from the settings.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Min, Q
from django.utils import timezone

from comments import learning
from comments.models import Comment, CommenterRule, ModerationSettings
from comments.moderation import HOLD_ALL_REASON, Commenter, SpamScore, Submission, Verdict, assess

DAYS = 30
LIMIT = 10_000  # most recent comments replayed; enough to judge a rule, and the preview stays quick
EXAMPLES = 5


def _outcome(verdict: Verdict) -> str:
    """`spam`, `held` (by a rule, not by the hold-everything policy) or `passed`."""
    if verdict.status == Comment.Status.SPAM:
        return "spam"
    if any(code != HOLD_ALL_REASON[0] for code, _ in verdict.reasons):
        return "held"
    return "passed"


@dataclass
class Change:
    """One kind of outcome (e.g. approved comments that would be held): how many now, how many proposed."""

    now: int = 0
    proposed: int = 0
    examples: list[tuple[Comment, str]] = field(default_factory=list)  # newly affected, with the reason

    @property
    def delta(self) -> int:
        return self.proposed - self.now


@dataclass
class Backtest:
    days: int
    replayed: int
    approved_held: Change
    approved_spammed: Change
    spam_passed: Change

    @property
    def rows(self) -> list[tuple[Change, str]]:
        return [
            (self.approved_held, "Approved comments that would be held for review"),
            (self.approved_spammed, "Approved comments that would be marked spam"),
            (self.spam_passed, "Spam that no rule would catch"),
        ]


def _commenters(comments: list[Comment]) -> dict[int, Commenter]:
    """Commenter facts for each comment, in two queries: today's trust/block rules, earlier approvals."""
    rules = set(CommenterRule.objects.values_list("action", "kind", "value"))
    pairs = {(c.author_email, c.author_name) for c in comments if c.author_email}
    first_approved = {
        (email, name): first
        for email, name, first in Comment.objects.approved()
        .filter(author_email__in={email for email, _ in pairs})
        .values_list("author_email", "author_name")
        .annotate(first=Min("created_at"))
        .values_list("author_email", "author_name", "first")
        .order_by()
    }
    facts = {}
    for c in comments:
        email = c.author_email.lower()
        first = first_approved.get((c.author_email, c.author_name))
        facts[c.pk] = Commenter(
            blocked_email=(CommenterRule.Action.BLOCK, CommenterRule.Kind.EMAIL, email) in rules,
            blocked_ip=(CommenterRule.Action.BLOCK, CommenterRule.Kind.IP, c.ip_address or "") in rules,
            trusted=(CommenterRule.Action.TRUST, CommenterRule.Kind.EMAIL, email) in rules,
            has_approved_comment=bool(c.author_email) and first is not None and first < c.created_at,
        )
    return facts


def _submission(comment: Comment, spam_threshold: float | None) -> Submission:
    score = None
    if comment.spam_score is not None:
        score = SpamScore(probability=comment.spam_score, spam_threshold=spam_threshold)
    return Submission(
        name=comment.author_name,
        email=comment.author_email,
        body=comment.body,
        url=comment.author_url,
        ip_address=comment.ip_address,
        user_agent=comment.user_agent,
        spam=score,
    )


def backtest(proposed: ModerationSettings, *, saved: ModerationSettings | None = None) -> Backtest:
    """Compare the saved settings with `proposed` on the last 30 days of approved and spam comments."""
    saved = saved or ModerationSettings.load()
    comments = list(
        Comment.objects.filter(
            Q(status=Comment.Status.APPROVED) | Q(status=Comment.Status.SPAM),
            created_at__gte=timezone.now() - timedelta(days=DAYS),
            user__isnull=True,  # staff posts skip moderation
        ).order_by("-created_at")[:LIMIT]
    )
    loaded = learning.current_model()

    def spam_threshold(config: ModerationSettings) -> float | None:
        return learning.spam_threshold(loaded, config.classifier_target_precision) if loaded else None

    facts = _commenters(comments)
    result = Backtest(DAYS, len(comments), Change(), Change(), Change())
    for comment in comments:
        outcomes = {}
        for name, config in (("now", saved), ("proposed", proposed)):
            verdict = assess(_submission(comment, spam_threshold(config)), config, facts[comment.pk])
            outcomes[name] = (_outcome(verdict), verdict)
        if comment.status == Comment.Status.APPROVED:
            watched = {"held": result.approved_held, "spam": result.approved_spammed}
        else:
            watched = {"passed": result.spam_passed}
        for outcome, change in watched.items():
            now, proposed_outcome = outcomes["now"][0] == outcome, outcomes["proposed"][0] == outcome
            change.now += now
            change.proposed += proposed_outcome
            if proposed_outcome and not now and len(change.examples) < EXAMPLES:
                verdict = outcomes["proposed"][1]
                why = "; ".join(text for _, text in verdict.reasons) or verdict.note or "No rule catches it."
                change.examples.append((comment, why))
    return result
