"""The spam classifier in the site: what it learns from, the stored models, scoring new comments.

It learns from moderators: the last decision on a comment labels it, approve = ham and spam = spam
(removals are not spam; imported comments count with the status they were imported with), plus the
labelled files given to `spam_classifier train --csv`, which are kept for later retraining. Examples are
grouped by the page they were left on (a decided comment's page is its article's address; a labelled row's
is its `page` column, and a row without one is a group of its own): the classifier calibrates on pages it
did not see. Models live in PostgreSQL; each process keeps the newest one loaded and notices a newer one
by its id.
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.models import Q

from articles.models import Article
from comments import classifier, state
from comments.classifier import HAM, SPAM, LabelledFile, SpamClassifier, TrainingError
from comments.models import Comment, ModerationEvent, ModerationSettings, SpamExample, SpamModel
from comments.moderation import SpamScore

LABELS = {Comment.Status.APPROVED: HAM, Comment.Status.SPAM: SPAM}
# A moderator's status change, or a comment imported with the status a moderator gave it elsewhere.
DECISIONS = Q(kind=ModerationEvent.Kind.IMPORT) | Q(kind=ModerationEvent.Kind.STATUS, actor__isnull=False)
KEEP_MODELS = 5  # older models are deleted when a new one is stored


@dataclass
class Examples:
    """Labelled texts, where each comes from (its group) and the page it was left on."""

    texts: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    pages: list[str | None] = field(default_factory=list)

    def add(self, text: str, label: str, group: str, page: str | None) -> None:
        self.texts.append(text)
        self.labels.append(label)
        self.groups.append(group)
        self.pages.append(page)


def decision_examples() -> Examples:
    """Each decided comment's text and the label its latest decision gives it, grouped by its article's
    page (two queries)."""
    latest = (
        ModerationEvent.objects.filter(DECISIONS, comment__isnull=False)  # the log outlives deleted comments
        .exclude(comment__events__kind=ModerationEvent.Kind.ERASE)  # erased on request: nothing to learn from
        .order_by("comment_id", "-created_at", "-id")
        .distinct("comment_id")
        .values_list("comment__body", "to_status", "comment__article_id")
    )
    decided = [(body, LABELS[status], article) for body, status, article in latest if status in LABELS]
    articles = Article.objects.filter(pk__in={article for _, _, article in decided}).only(
        "slug", "published_at", "created_at"
    )
    pages = {article.pk: article.get_absolute_url() for article in articles}
    examples = Examples()
    for body, label, article in decided:
        examples.add(body, label, pages[article], pages[article])
    return examples


def decisions_since(moment: datetime | None) -> int:
    """Approve and spam decisions made after `moment` (all of them when None)."""
    events = ModerationEvent.objects.filter(DECISIONS, to_status__in=list(LABELS))
    if moment is not None:
        events = events.filter(created_at__gt=moment)
    return events.count()


def newest_model() -> SpamModel | None:
    return SpamModel.objects.defer("data").first()


def retrain_due(config: ModerationSettings) -> bool:
    """True when enough decisions were made since the newest model (or ever, without one)."""
    if not config.classifier_retrain_every:
        return False
    newest = newest_model()
    return decisions_since(newest.created_at if newest else None) >= config.classifier_retrain_every


def store_examples(files: Sequence[tuple[str, LabelledFile]]) -> None:
    """Replace the kept labelled examples with these (file name, labelled rows)."""
    SpamExample.objects.all().delete()
    SpamExample.objects.bulk_create(
        SpamExample(text=text, label=label, source=name, page=page or "")
        for name, rows in files
        for text, label, page in zip(rows.texts, rows.labels, rows.pages, strict=True)
    )


def spam_model_train(*, decisions: bool = True) -> SpamModel:
    """Train a fresh model on the decisions (unless `decisions` is False) and the kept labelled examples.

    Raises TrainingError when there is too little of either class.
    """
    examples, sources = Examples(), []
    if decisions:
        examples = decision_examples()
        sources.append(f"{len(examples.texts)} moderators' decisions")
    counts = Counter()
    for pk, text, label, source, page in SpamExample.objects.order_by("source", "pk").values_list(
        "pk", "text", "label", "source", "page"
    ):
        examples.add(text, label, page or f"example {pk}", page or None)
        counts[source] += 1
    sources += [f"{source} ({count} labelled)" for source, count in counts.items()]
    if not examples.texts:
        raise TrainingError("Nothing to learn from: no decisions and no labelled files.")
    # Seconds: outside any transaction.
    model = classifier.train(examples.texts, examples.labels, groups=examples.groups, pages=examples.pages)
    with transaction.atomic():
        stored = SpamModel.objects.create(
            data=model.to_bytes(),
            examples=len(examples.labels),
            spam_examples=examples.labels.count(SPAM),
            sources="; ".join(sources),
        )
        old = SpamModel.objects.values_list("pk", flat=True)[KEEP_MODELS:]
        SpamModel.objects.filter(pk__in=list(old)).delete()
    return stored


@dataclass
class _Loaded:
    pk: int
    model: SpamClassifier
    thresholds: dict[float, float | None]


_loaded: _Loaded | None = None


def load_model(pk: int) -> SpamClassifier:
    stored = SpamModel.objects.using(DEFAULT_DB_ALIAS).values_list("data", flat=True).get(pk=pk)
    return SpamClassifier.from_bytes(bytes(stored))


def current_model() -> _Loaded | None:
    """The newest stored model, loaded once per process and again only when a newer one appears."""
    global _loaded
    newest = state.remembered(
        state.SPAM_MODEL,
        lambda: SpamModel.objects.using(DEFAULT_DB_ALIAS).values_list("pk", flat=True).first(),
    )
    if newest is None:
        return None
    if _loaded is None or _loaded.pk != newest:
        try:
            _loaded = _Loaded(newest, load_model(newest), {})
        except SpamModel.DoesNotExist:  # deleted a moment ago: this comment goes unscored
            return None
    return _loaded


def spam_threshold(loaded: _Loaded, target_precision: float) -> float | None:
    if target_precision not in loaded.thresholds:
        loaded.thresholds[target_precision] = loaded.model.spam_threshold(target_precision)
    return loaded.thresholds[target_precision]


def score_text(
    text: str, config: ModerationSettings, page: str | None = None
) -> tuple[SpamScore, int] | None:
    """The classifier's score for a new comment left on `page` (its article's address) and the model's id;
    None when there is no model or it is off."""
    if not config.classifier_enabled:
        return None
    loaded = current_model()
    if loaded is None:
        return None
    score = SpamScore(
        probability=loaded.model.probability(text, page),
        spam_threshold=spam_threshold(loaded, config.classifier_target_precision),
    )
    return score, loaded.pk


def explain(comment: Comment) -> list[tuple[str, float]]:
    """What pushed this comment's score, by the model that scored it (or the newest, if that one is gone)."""
    page = comment.article.get_absolute_url()
    if comment.spam_model_id is not None:
        loaded = current_model()
        if loaded and loaded.pk == comment.spam_model_id:
            return loaded.model.explain(comment.body, page)
        if SpamModel.objects.filter(pk=comment.spam_model_id).exists():
            return load_model(comment.spam_model_id).explain(comment.body, page)
    loaded = current_model()
    return loaded.model.explain(comment.body, page) if loaded else []


def read_files(paths: Sequence[str | Path]) -> list[tuple[str, LabelledFile]]:
    """Each labelled CSV as (file name, its rows); ValueError for a file without labels."""
    files = []
    for path in paths:
        rows = classifier.read_labelled_csv(path)
        if any(label is None for label in rows.labels):
            raise ValueError(f"{path}: a training file needs a `label` column (`spam` or `ham`).")
        files.append((Path(path).name, rows))
    return files
