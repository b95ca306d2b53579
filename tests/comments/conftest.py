import time

import pytest
from django.urls import reverse

from comments.forms import make_form_token
from comments.models import ModerationSettings


@pytest.fixture
def config(db):
    return ModerationSettings.load()


@pytest.fixture
def comment_data():
    """Valid form data for an article, from a form shown ten seconds ago."""

    def build(article, **overrides):
        data = {
            "name": "Grim",
            "email": "grim@example.org",
            "url": "",
            "body": "Peace deals will continue to be made.",
            "parent": "",
            "honeypot": "",
            "token": make_form_token(article.pk, now=time.time() - 10),
        }
        data.update(overrides)
        return data

    return build


@pytest.fixture
def post(client, comment_data):
    """Post the comment form for an article, as a reader's browser would."""

    def send(article, follow=False, ip="198.51.100.20", **overrides):
        return client.post(
            reverse("comments:post", kwargs={"article_id": article.pk}),
            comment_data(article, **overrides),
            follow=follow,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test)",
        )

    return send


SPAM_WORDS = (
    "subscribe channel free money click link cheap pills visit www promo cash win prize offer".split()
)
HAM_WORDS = "the minister said talks troops province ceasefire analysis report village army war peace".split()


def labelled_texts(n: int = 120, seed: int = 1) -> tuple[list[str], list[str]]:
    """Synthetic comments whose label follows from their words: spam and ham never share a word."""
    import random

    rng = random.Random(seed)
    texts, labels = [], []
    for i in range(n):
        spam = i % 2 == 0
        words = rng.choices(SPAM_WORDS if spam else HAM_WORDS, k=rng.randint(4, 12))
        texts.append(" ".join(words) + (" http://promo.example.com" if spam and i % 3 == 0 else ""))
        labels.append("spam" if spam else "ham")
    return texts, labels


@pytest.fixture
def labelled_csv(tmp_path):
    """A `text,label` file of synthetic comments."""
    import csv

    def write(name="labelled.csv", n=120, seed=1, with_labels=True):
        texts, labels = labelled_texts(n, seed)
        path = tmp_path / name
        with open(path, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["text", "label"] if with_labels else ["text"])
            for text, label in zip(texts, labels, strict=True):
                writer.writerow([text, label] if with_labels else [text])
        return path

    return write


@pytest.fixture(autouse=True)
def _fresh_cache_and_model():
    """Each test starts without a loaded spam model or queued-retraining markers from an earlier test."""
    from django.core.cache import cache

    from comments import learning

    cache.clear()
    learning._loaded = None
