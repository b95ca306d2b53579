"""The reconciliation report: what the file holds against what the database holds, after the run.

File counts come from reading the file; database counts are read back from the tables (through the file's
records noted in `import_seen`), not from what the importer thinks it wrote. Every difference is listed with
its reason; one that no known reason covers is unexplained, and the command then exits non-zero.
"""

from collections import Counter
from dataclasses import asdict, dataclass, field

from django.db import connection

from longwar.imports.store import Seen


@dataclass
class Difference:
    count: int
    reason: str
    explained: bool = True


@dataclass
class Section:
    file: dict  # counts read from the file, in the file's own terms
    database: dict  # rows present here, in this site's terms
    differences: list[Difference] = field(default_factory=list)

    def note(self, count: int, reason: str, explained: bool = True) -> None:
        if count:
            self.differences.append(Difference(count, reason, explained))


@dataclass
class Report:
    source: str
    file: str
    format: str
    dry_run: bool
    sections: dict[str, Section] = field(default_factory=dict)
    written: dict[str, dict[str, int]] = field(
        default_factory=dict
    )  # created/updated/unchanged/kept, by kind
    unmatched_threads: list[dict] = field(default_factory=list)

    @property
    def unexplained(self) -> list[tuple[str, Difference]]:
        return [(name, d) for name, s in self.sections.items() for d in s.differences if not d.explained]

    def as_dict(self) -> dict:
        data = asdict(self)
        data["unexplained"] = len(self.unexplained)
        return data

    def lines(self) -> list[str]:
        """The summary printed at the end of a run."""
        out = [f"{self.format} from {self.file}" + (" (dry run: nothing was saved)" if self.dry_run else "")]
        for kind, tally in self.written.items():
            out.append(f"  {kind}: " + ", ".join(f"{n:,} {what}" for what, n in tally.items()))
        for name, section in self.sections.items():
            out.append(f"  {name}: file {_flat(section.file)} | database {_flat(section.database)}")
            for d in section.differences:
                out.append(f"    {'' if d.explained else 'UNEXPLAINED: '}{d.count:,} {d.reason}")
        for thread in self.unmatched_threads:
            out.append(
                f"  unmatched thread {thread['id']}: {thread['title']!r} {thread['link']} ({thread['posts']} posts)"
            )
        return out


def _flat(counts: dict) -> str:
    return (
        ", ".join(f"{k} {_flat(v) if isinstance(v, dict) else f'{v:,}'}" for k, v in counts.items()) or "none"
    )


def _query(sql: str, params: dict) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql.format(seen=Seen.TABLE), params)
        return cursor.fetchall()


def rows_section(section: Section, *, kind: str, source: str, earlier: int, local_reason: str) -> None:
    """Fill `section.database` from the rows of the file's imported records and note every mismatch."""
    if kind == "post":
        join = """LEFT JOIN imports_importedarticle m ON m.source = %(source)s AND m.external_id = s.external_id
                  LEFT JOIN articles_article row ON row.id = m.article_id"""
        same_article = "true"
    else:
        join = """LEFT JOIN imports_importedcomment m ON m.source = %(source)s AND m.external_id = s.external_id
                  LEFT JOIN comments_comment row ON row.id = m.comment_id"""
        same_article = "row.article_id = s.article_id"
    rows = _query(
        f"""SELECT s.expected, row.status, s.local, {same_article}, count(*) FROM {{seen}} s {join}
             WHERE s.kind = %(kind)s AND s.expected <> '' GROUP BY 1, 2, 3, 4""",
        {"kind": kind, "source": source},
    )
    database: Counter = Counter()
    for expected, actual, local, same, count in rows:
        if actual is None:
            if local:
                section.note(count, "deleted here, so not imported again", explained=True)
            else:
                section.note(count, f"in the file as {expected} but not in the database", explained=False)
            continue
        database[actual] += count
        if not same:
            section.note(count, "attached to another article than the file says", explained=False)
        elif actual != expected:
            reason = f"{expected} in the file, {actual} here"
            section.note(count, f"{reason}: {local_reason}" if local else reason, explained=bool(local))
    section.database = dict(sorted(database.items()))
    section.note(earlier, "imported by an earlier run, not imported from this file (left as they are here)")


def threads_section(*, source: str, loops: int) -> Section:
    """Top-level comments and replies of the imported comments, in the file and here; why replies moved."""
    [(top, replies, db_top, db_replies, wrong_parent)] = _query(
        """SELECT count(*) FILTER (WHERE s.parent = ''), count(*) FILTER (WHERE s.parent <> ''),
                  count(*) FILTER (WHERE c.parent_id IS NULL), count(*) FILTER (WHERE c.parent_id IS NOT NULL),
                  count(*) FILTER (WHERE c.parent_id IS NOT NULL AND pm.external_id IS DISTINCT FROM s.parent)
             FROM {seen} s
             JOIN imports_importedcomment m ON m.source = %(source)s AND m.external_id = s.external_id
             JOIN comments_comment c ON c.id = m.comment_id
             LEFT JOIN imports_importedcomment pm ON pm.source = %(source)s AND pm.comment_id = c.parent_id
            WHERE s.kind = 'comment' AND s.expected <> ''""",
        {"source": source},
    )
    section = Section(
        file={"top-level": top, "replies": replies}, database={"top-level": db_top, "replies": db_replies}
    )
    moved = dict(
        _query(
            """SELECT CASE WHEN p.external_id IS NULL THEN 'missing'
                           WHEN p.expected = '' THEN 'skipped'
                           WHEN p.article_id IS DISTINCT FROM s.article_id THEN 'elsewhere'
                           ELSE 'loop' END, count(*)
                 FROM {seen} s
                 JOIN imports_importedcomment m ON m.source = %(source)s AND m.external_id = s.external_id
                 JOIN comments_comment c ON c.id = m.comment_id AND c.parent_id IS NULL
                 LEFT JOIN {seen} p ON p.kind = 'comment' AND p.external_id = s.parent
                WHERE s.kind = 'comment' AND s.expected <> '' AND s.parent <> ''
                GROUP BY 1""",
            {"source": source},
        )
    )
    section.note(
        moved.get("missing", 0), "replies whose parent is not in the file: shown as top-level comments"
    )
    section.note(
        moved.get("skipped", 0), "replies to a comment not imported (pingback, trackback, skipped): top-level"
    )
    section.note(moved.get("elsewhere", 0), "replies whose parent is on another post: top-level")
    section.note(
        min(loops, moved.get("loop", 0)), "replies in a loop of replies (each other's parent): top-level"
    )
    section.note(
        moved.get("loop", 0) - min(loops, moved.get("loop", 0)),
        "replies left without their parent",
        explained=False,
    )
    section.note(wrong_parent, "replies attached to another parent than the file says", explained=False)
    return section


def taggings_section(*, source: str, pairs: int) -> Section:
    """Each imported post's tags against the tags its article has here."""
    [(expected, actual, local_diff, other_diff)] = _query(
        """WITH here AS (
               SELECT s.external_id, s.local, coalesce(s.tags, '') AS wanted,
                      coalesce(string_agg(t.tag_id::text, ',' ORDER BY t.tag_id), '') AS has, count(t.tag_id) AS n
                 FROM {seen} s
                 JOIN imports_importedarticle m ON m.source = %(source)s AND m.external_id = s.external_id
                 LEFT JOIN tags_taggedarticle t ON t.content_object_id = m.article_id
                WHERE s.kind = 'post' AND s.expected <> ''
                GROUP BY s.external_id, s.local, s.tags
           )
           SELECT coalesce(sum(CASE WHEN wanted = '' THEN 0 ELSE array_length(string_to_array(wanted, ','), 1) END), 0),
                  coalesce(sum(n), 0),
                  count(*) FILTER (WHERE wanted <> has AND local), count(*) FILTER (WHERE wanted <> has AND NOT local)
             FROM here""",
        {"source": source},
    )
    section = Section(file={"post-term links": pairs}, database={"tagged articles": int(actual)})
    section.note(pairs - int(expected), "links to terms that became one tag here (same slug or name)")
    section.note(local_diff, "articles whose tags were changed here since the last import (kept)")
    section.note(other_diff, "articles whose tags differ from the file", explained=False)
    return section
