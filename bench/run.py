"""Benchmark: the staff insights page with 100,000 comments and 100,000 donation clicks, the article page
with a 1,000-comment thread, the moderation queue and posting a comment, without and with the spam classifier.

`make bench` runs this. It builds a scratch database (`longwar_bench`) on the project's PostgreSQL
server with Django's test-database machinery, fills it, times the pages, prints a table and drops the
database again: the development database is never touched.
"""

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longwar.settings")

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from articles.models import Article, Author  # noqa: E402
from longwar import insights  # noqa: E402
from longwar.donations.models import DonationClick  # noqa: E402

BENCH_DATABASE = "longwar_bench"
COMMENTS = 100_000
CLICKS = 100_000
ARTICLES = 500
SPREAD_DAYS = 120  # a little more than the charts' 90 days, so the windows really filter
RUNS = 20
THREAD_SIZE = 1_000
BATCH = 5_000


def create_articles() -> list[int]:
    author = Author.objects.create(name="Bench Author", slug="bench-author")
    now = timezone.now()
    Article.objects.bulk_create(
        Article(
            title=f"Bench article {i}",
            slug=f"bench-article-{i}",
            author=author,
            body="<p>Body.</p>",
            status=Article.Status.PUBLISHED,
            published_at=now - timedelta(days=i % 365),
        )
        for i in range(ARTICLES)
    )
    return list(Article.objects.values_list("pk", flat=True))


def create_comments(article_ids: list[int]) -> None:
    """Comments spread over SPREAD_DAYS; 70% approved, 10% pending, 15% spam, 5% removed."""
    from comments.models import Comment

    statuses = ["approved"] * 14 + ["pending"] * 2 + ["spam"] * 3 + ["removed"]
    for start in range(0, COMMENTS, BATCH):
        Comment.objects.bulk_create(
            Comment(
                article_id=article_ids[i % len(article_ids)],
                author_name=f"Reader {i % 997}",
                author_email=f"reader{i % 997}@example.org",
                body="A view on the matter.",
                status=statuses[i % len(statuses)],
            )
            for i in range(start, min(start + BATCH, COMMENTS))
        )
    table = connection.ops.quote_name(Comment._meta.db_table)
    with connection.cursor() as cursor:
        # Posting times spread by a multiplicative hash; decisions 5 minutes to 2 days later (never in the future).
        cursor.execute(
            f"""
            UPDATE {table} SET created_at = now() - ((id * 7919) %% %s) * interval '1 minute';
            UPDATE {table} SET moderated_at = CASE
                WHEN status = 'pending' THEN NULL
                ELSE least(now(), created_at + (5 + (id * 104729) %% 2880) * interval '1 minute') END;
            ANALYZE {table};
            """,
            [SPREAD_DAYS * 24 * 60],
        )


def create_thread(article_id: int, size: int = THREAD_SIZE) -> None:
    """One article with `size` approved comments: half top-level, half replies to them."""
    from comments.models import Comment

    now = timezone.now()
    roots = Comment.objects.bulk_create(
        Comment(
            article_id=article_id,
            author_name=f"Thread reader {i}",
            author_email=f"thread{i}@example.org",
            body="A longer view on the matter.\nWith a second line, and https://example.org/link.",
            status="approved",
            created_at=now - timedelta(minutes=2 * size - i),
        )
        for i in range(size // 2)
    )
    Comment.objects.bulk_create(
        Comment(
            article_id=article_id,
            parent=root,
            author_name=f"Replier {i}",
            author_email=f"replier{i}@example.org",
            body="I disagree.",
            status="approved",
            created_at=now - timedelta(minutes=size - i),
        )
        for i, root in enumerate(roots)
    )


def create_clicks(article_ids: list[int]) -> None:
    """Clicks spread over SPREAD_DAYS; one in five names no article."""
    now = timezone.now()
    minutes = SPREAD_DAYS * 24 * 60
    for start in range(0, CLICKS, BATCH):
        DonationClick.objects.bulk_create(
            DonationClick(
                article_id=None if i % 5 == 0 else article_ids[(i * 31) % len(article_ids)],
                clicked_at=now - timedelta(minutes=(i * 7919) % minutes),
                referrer_host="www.longwarjournal.org",
            )
            for i in range(start, min(start + BATCH, CLICKS))
        )
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {connection.ops.quote_name(DonationClick._meta.db_table)}")


def measure(name: str, action: Callable[[], object], runs: int = RUNS) -> tuple:
    action()  # warm caches and connections
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            action()
            timings.append((time.perf_counter() - started) * 1000)
        queries = len(captured.captured_queries)
    p95 = statistics.quantiles(timings, n=20, method="inclusive")[18]
    return name, runs, statistics.median(timings), p95, queries


def get_ok(client: Client, path: str) -> Callable[[], object]:
    def fetch():
        response = client.get(path)
        if response.status_code not in (200, 302):
            raise SystemExit(f"bench: GET {path} answered {response.status_code}")
        return response

    return fetch


def post_comment(article_id: int, label: str) -> Callable[[], object]:
    """Each post from its own address, so the flood limit does not step in."""
    from comments.forms import make_form_token

    client, counter = Client(), iter(range(1, 10_000))

    def send():
        n = next(counter)
        response = client.post(
            f"/comments/post/{article_id}/",
            {
                "name": f"Poster {n}",
                "email": f"poster-{label}-{n}@example.org",
                "body": f"Bench comment {label} {n}: a view on the matter, with a few more words to score.",
                "token": make_form_token(article_id, now=time.time() - 10),
            },
            REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}",
        )
        if response.status_code != 302:
            raise SystemExit(f"bench: comment post answered {response.status_code}")

    return send


def train_spam_model() -> None:
    """A classifier trained on 2,000 generated comments, as `spam_classifier train --csv` would store it."""
    import random

    from comments import learning
    from comments.classifier import LabelledFile

    rng = random.Random(0)
    spam_words = (
        "subscribe channel free money click link cheap pills visit promo cash win prize offer".split()
    )
    ham_words = "the minister said talks troops province ceasefire analysis report village army war".split()
    texts, labels = [], []
    for i in range(2000):
        words = spam_words if i % 2 else ham_words
        texts.append(" ".join(rng.choices(words + ham_words, k=rng.randint(5, 40))))
        labels.append("spam" if i % 2 else "ham")
    learning.store_examples([("bench.csv", LabelledFile(texts, labels, [None] * len(texts)))])
    learning.spam_model_train(decisions=False)


def score_one_comment() -> Callable[[], object]:
    from comments import learning
    from comments.models import ModerationSettings

    config = ModerationSettings.load()
    text = "A longer view on the matter, with a link: https://example.org/page and some more words. " * 3
    return lambda: learning.score_text(text, config, "/2024/05/a-bench-article/")


def main() -> None:
    setup_test_environment()
    connection.settings_dict["TEST"]["NAME"] = BENCH_DATABASE
    original_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        started = time.perf_counter()
        article_ids = create_articles()
        create_comments(article_ids)
        create_clicks(article_ids)
        thread_article = Article.objects.get(pk=article_ids[-1])
        create_thread(thread_article.pk)
        sys.stdout.write(
            f"Filled {BENCH_DATABASE}: {COMMENTS:,} comments, {CLICKS:,} donation clicks, "
            f"{ARTICLES} articles in {time.perf_counter() - started:.1f} s\n"
        )
        admin = get_user_model().objects.create_superuser("bench", "bench@example.org", "bench")
        staff = Client()
        staff.force_login(admin)
        reader = Client(headers={"user-agent": "Mozilla/5.0 (bench) Firefox/128.0"})
        days = insights.window(insights.CHART_DAYS)
        results = [
            measure("GET /admin/insights/ (whole page)", get_ok(staff, "/admin/insights/")),
            measure("  clicks per day (90 d)", lambda: insights.donation_clicks_per_day(days)),
            measure(
                "  top articles (30 d)",
                lambda: insights.top_donation_articles(insights.start_of(days[-30])),
            ),
            measure("  comments per day by status", lambda: insights.comments_per_day_by_status(days)),
            measure("  moderation median/p90", lambda: insights.moderation_times(insights.start_of(days[0]))),
            measure("  pending queue per day", lambda: insights.pending_queue_per_day(days[0], days[-1])),
            measure("GET /admin/donations/donationclick/", get_ok(staff, "/admin/donations/donationclick/")),
            measure(f"GET /donate/?from={article_ids[0]}", get_ok(reader, f"/donate/?from={article_ids[0]}")),
            measure(
                f"GET article page, {THREAD_SIZE:,} comments",
                get_ok(reader, thread_article.get_absolute_url()),
            ),
            measure(
                f"GET article page 5 ({THREAD_SIZE:,} comments)",
                get_ok(reader, thread_article.get_absolute_url() + "?cpage=5"),
            ),
            measure("GET /admin/comments/comment/ (queue)", get_ok(staff, "/admin/comments/comment/")),
            measure("POST a comment (held, 100k rows)", post_comment(thread_article.pk, "plain"), runs=40),
        ]
        train_spam_model()
        results += [
            measure("POST a comment (+ spam classifier)", post_comment(thread_article.pk, "scored"), runs=40),
            measure("  spam score of one comment", score_one_comment(), runs=200),
        ]
    finally:
        connection.creation.destroy_test_db(original_name, verbosity=0)

    sys.stdout.write(f"\n{'what':<40} {'runs':>5} {'median ms':>10} {'p95 ms':>8} {'queries':>8}\n")
    for name, runs, median, p95, queries in results:
        sys.stdout.write(f"{name:<40} {runs:>5} {median:>10.1f} {p95:>8.1f} {queries:>8}\n")


if __name__ == "__main__":
    main()
