"""Turn the comments of a page of threads, fetched in one query, into nested threads."""

from collections import defaultdict
from dataclasses import dataclass, field

from comments.models import Comment


@dataclass
class Node:
    comment: Comment
    depth: int
    replies: list["Node"] = field(default_factory=list)


def thread_roots(rows: dict[int, tuple[int | None, bool]]) -> dict[int, int | None]:
    """Each comment's thread as readers see it, from {id: (parent id, approved)}: the top of the chain of
    approved ancestors above it, or None when it starts a thread itself (its parent is missing or not
    approved). A held comment gets the thread it would join.
    """
    roots: dict[int, int | None] = {}

    def root_of(pk: int) -> int | None:
        chain = []
        while pk not in roots:
            parent = rows[pk][0]
            if parent is None or parent not in rows or not rows[parent][1]:
                roots[pk] = None
                break
            chain.append(pk)
            pk = parent
        for member in reversed(chain):  # each hangs in its parent's thread
            parent = rows[member][0]
            roots[member] = roots[parent] or parent
        return roots[chain[0]] if chain else roots[pk]

    return {pk: root_of(pk) for pk in rows}


def build_threads(comments: list[Comment], max_depth: int) -> list[Node]:
    """Nest comments under their parents, oldest first; anything deeper than `max_depth` shows at it.

    A reply whose parent is not visible (held, removed) is shown as a top-level comment.
    """
    visible = {comment.pk for comment in comments}
    children: dict[int | None, list[Comment]] = defaultdict(list)
    for comment in comments:
        children[comment.parent_id if comment.parent_id in visible else None].append(comment)

    def nodes(parent_id: int | None, depth: int) -> list[Node]:
        result = []
        for comment in children[parent_id]:
            node = Node(comment, min(depth, max_depth))
            result.append(node)
            replies = nodes(comment.pk, depth + 1)
            if depth >= max_depth:
                result.extend(replies)  # flatten at the deepest level, in order
            else:
                node.replies = replies
        return result

    return nodes(None, 1)
