"""Write a synthetic WordPress export (WXR 1.2) for benchmarking the importer: by default 20,000 posts and
200,000 comments, in every status, threaded (a tenth of the replies come before their parent in the file),
with pingbacks, pages, tags and categories. Deterministic, streamed to disk.

    python bench/make_wxr.py OUT.xml [--posts 20000] [--comments 200000]
"""

import argparse
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/"
  xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
  xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
<title>Bench site</title><link>https://bench.example.org</link>
<wp:wxr_version>1.2</wp:wxr_version><wp:base_site_url>https://bench.example.org</wp:base_site_url>
"""
AUTHORS = 12
TOPICS = ["Afghanistan", "Iraq", "Syria", "Pakistan", "Yemen", "Somalia", "Mali", "Iran", "Libya", "Nigeria"]
STATUSES = ["1"] * 14 + ["0"] * 3 + ["spam"] * 2 + ["trash"]
PARAGRAPH = (
    "Security forces reported clashes near the provincial capital, where the group has contested control "
    "of the main road for months. Officials said reinforcements were on the way.\n\n"
)


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def date(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def comment_xml(comment_id: int, parent: int, posted: datetime, rng: random.Random) -> str:
    kind = "pingback" if rng.random() < 0.02 else "comment"
    reader = rng.randrange(5000)
    text = cdata(f"Comment {comment_id}: I think the <em>report</em> understates it.\n\nSecond thought.")
    return f"""<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>
<wp:comment_author>{cdata(f"Reader {reader}")}</wp:comment_author>
<wp:comment_author_email>reader{reader}@example.org</wp:comment_author_email>
<wp:comment_author_url>https://reader{reader}.example.org/</wp:comment_author_url>
<wp:comment_author_IP>198.51.{reader % 256}.{comment_id % 256}</wp:comment_author_IP>
<wp:comment_date>{date(posted - timedelta(hours=5))}</wp:comment_date>
<wp:comment_date_gmt>{date(posted)}</wp:comment_date_gmt>
<wp:comment_content>{text}</wp:comment_content>
<wp:comment_approved>{rng.choice(STATUSES)}</wp:comment_approved>
<wp:comment_type>{kind}</wp:comment_type>
<wp:comment_parent>{parent}</wp:comment_parent>
<wp:comment_user_id>0</wp:comment_user_id></wp:comment>
"""


def write(out: Path, *, posts: int, comments: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    start = datetime(2007, 1, 1, tzinfo=UTC)
    per_post, extra = divmod(comments, posts)
    next_comment = 1
    with out.open("w", encoding="utf-8") as f:
        f.write(HEAD)
        for n in range(AUTHORS):
            f.write(
                f"<wp:author><wp:author_login>writer{n}</wp:author_login>"
                f"<wp:author_display_name>{cdata(f'Writer {n}')}</wp:author_display_name></wp:author>\n"
            )
        for topic in TOPICS:
            f.write(
                f"<wp:category><wp:category_nicename>{topic.lower()}</wp:category_nicename>"
                f"<wp:cat_name>{cdata(topic)}</wp:cat_name></wp:category>\n"
            )
        for post_id in range(1, posts + 1):
            published = start + timedelta(hours=6 * post_id)
            post_type = "page" if post_id % 500 == 0 else "post"
            status = rng.choice(["publish"] * 40 + ["draft", "pending", "private", "trash"])
            topic = TOPICS[post_id % len(TOPICS)]
            f.write(f"""<item><title>{escape(f"{topic}: report number {post_id}")}</title>
<link>https://bench.example.org/archives/{published:%Y/%m}/report-{post_id}.php</link>
<dc:creator>writer{post_id % AUTHORS}</dc:creator>
<content:encoded>{cdata(PARAGRAPH * 6)}</content:encoded>
<excerpt:encoded>{cdata("A short summary.")}</excerpt:encoded>
<wp:post_id>{post_id}</wp:post_id><wp:post_date>{date(published - timedelta(hours=5))}</wp:post_date>
<wp:post_date_gmt>{date(published)}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>
<wp:post_name>report-{post_id}</wp:post_name><wp:status>{status}</wp:status><wp:post_type>{post_type}</wp:post_type>
<category domain="category" nicename="{topic.lower()}">{cdata(topic)}</category>
<category domain="post_tag" nicename="tag-{post_id % 300}">{cdata(f"Tag {post_id % 300}")}</category>
""")
            count = per_post + (1 if post_id <= extra else 0)
            ids = list(range(next_comment, next_comment + count))
            next_comment += count
            parents = [0 if i == 0 or rng.random() < 0.6 else ids[rng.randrange(i)] for i in range(count)]
            order = list(range(count))
            if count > 2 and rng.random() < 0.1:
                order[0], order[-1] = order[-1], order[0]  # a reply before its parent
            for i in order:
                f.write(comment_xml(ids[i], parents[i], published + timedelta(minutes=10 * (i + 1)), rng))
            f.write("</item>\n")
        f.write("</channel>\n</rss>\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--comments", type=int, default=200_000)
    args = parser.parse_args()
    write(args.out, posts=args.posts, comments=args.comments)


if __name__ == "__main__":
    main()
