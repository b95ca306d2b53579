"""What a moderator can decide about a comment, declared once.

Admin actions, one-click buttons and the one-click URL all derive from DECISIONS; the service
`comments.services.comment_decide` applies any of them.
"""

from dataclasses import dataclass

from comments.models import CommenterAction, CommenterKind, CommentStatus


@dataclass(frozen=True)
class Decision:
    name: str  # in URLs and admin action names
    label: str  # short, on the queue's one-click buttons
    description: str  # in the actions menu and on the review card
    done: str  # what the moderator is told afterwards, e.g. "Approved 3 comments."
    status: str  # where the comment ends up
    commenter_rule: str = ""  # a CommenterAction written for the commenter as well, if any
    rule_kinds: tuple[str, ...] = ()  # which of the commenter's values that rule covers
    log_reason: str = ""  # the log's note, when the status alone does not say it
    in_queue_row: bool = False  # a one-click button on each queue row
    on_review_card: bool = True  # a button on the comment's review page


APPROVE = Decision("approve", "Approve", "Approve", "Approved", CommentStatus.APPROVED, in_queue_row=True)
SPAM = Decision("spam", "Spam", "Mark as spam", "Marked as spam", CommentStatus.SPAM, in_queue_row=True)
REMOVE = Decision("remove", "Remove", "Remove", "Removed", CommentStatus.REMOVED, in_queue_row=True)
PENDING = Decision(
    "pending",
    "Pending",
    "Restore to pending",
    "Sent back to pending",
    CommentStatus.PENDING,
    on_review_card=False,
)
TRUST = Decision(
    "trust",
    "Trust",
    "Approve and trust the commenter",
    "Approved and trusted",
    CommentStatus.APPROVED,
    commenter_rule=CommenterAction.TRUST,
    rule_kinds=(CommenterKind.EMAIL,),
    log_reason="Approved; commenter trusted.",
)
BLOCK = Decision(
    "block",
    "Block",
    "Block the commenter (email and IP)",
    "Blocked",
    CommentStatus.SPAM,
    commenter_rule=CommenterAction.BLOCK,
    rule_kinds=(CommenterKind.EMAIL, CommenterKind.IP),
    log_reason="Commenter blocked (email and IP).",
)

DECISIONS: dict[str, Decision] = {d.name: d for d in (APPROVE, SPAM, REMOVE, PENDING, TRUST, BLOCK)}
