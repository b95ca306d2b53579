"""What a moderator can decide about a comment, declared once.

Admin actions, one-click buttons and the one-click URL all derive from DECISIONS; the service
`comments.services.comment_decide` applies any of them.
"""

from dataclasses import dataclass
from datetime import timedelta

from comments.models import CommenterAction, CommenterKind, CommentStatus

UNDO_WINDOW = timedelta(minutes=15)  # how long any decision can be undone


@dataclass(frozen=True)
class Decision:
    name: str  # in URLs and admin action names
    label: str  # short, on the queue's one-click buttons
    description: str  # in the actions menu and on the review card
    done: str  # what the moderator is told afterwards, e.g. "Approved 3 comments."
    status: str  # where the comment ends up ("": where it is)
    featured: bool | None = None  # an editors' pick afterwards, or not; None: unchanged
    commenter_rule: str = ""  # a CommenterAction written for the commenter as well, if any
    rule_kinds: tuple[str, ...] = ()  # which of the commenter's values that rule covers
    log_reason: str = ""  # the log's note, when the status alone does not say it
    in_queue_row: bool = False  # a one-click button on each queue row
    on_review_card: bool = True  # a button on the comment's review page
    key: str = ""  # its key in the keyboard queue
    for_reported: bool = False  # only closes readers' reports, so offered only where there are open ones

    def changes(self, comment, open_reports: int = 0) -> bool:
        """Whether deciding this would change the comment (so a button for it is worth showing)."""
        if self.for_reported:
            return open_reports > 0
        return bool(self.status and comment.status != self.status) or (
            self.featured is not None and comment.featured != self.featured
        )


APPROVE = Decision(
    "approve", "Approve", "Approve", "Approved", CommentStatus.APPROVED, in_queue_row=True, key="a"
)
SPAM = Decision(
    "spam", "Spam", "Mark as spam", "Marked as spam", CommentStatus.SPAM, in_queue_row=True, key="s"
)
REMOVE = Decision("remove", "Remove", "Remove", "Removed", CommentStatus.REMOVED, in_queue_row=True, key="d")
PENDING = Decision(
    "pending",
    "Pending",
    "Restore to pending",
    "Sent back to pending",
    CommentStatus.PENDING,
    on_review_card=False,
    key="u",
)
FEATURE = Decision(
    "feature",
    "Pick",
    "Approve as an editors' pick",
    "Made editors' picks of",
    CommentStatus.APPROVED,
    featured=True,
    in_queue_row=True,
    key="f",
)
UNFEATURE = Decision(
    "unfeature", "Unpick", "No longer an editors' pick", "No longer editors' picks:", "", featured=False
)
REVIEWED = Decision(
    "reviewed",
    "Keep",
    "Keep it and mark its reports reviewed",
    "Reviewed the reports of",
    "",
    for_reported=True,
    in_queue_row=True,
    key="r",
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

DECISIONS: dict[str, Decision] = {
    d.name: d for d in (APPROVE, SPAM, REMOVE, PENDING, FEATURE, UNFEATURE, REVIEWED, TRUST, BLOCK)
}
