"""The spam classifier in the site: what it learns from, the stored models, scoring new comments.

It learns from moderators: the last decision on a comment labels it, approve = ham and spam = spam
(removals are not spam; imported comments count with the status they were imported with), plus the
labelled files given to `spam_classifier train --csv`, which are kept for later retraining. Models live
in PostgreSQL; each process keeps the newest one loaded and notices a newer one by its id.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.db import transaction
from django.db.models import Q

from comments import classifier
from comments.classifier import HAM, SPAM, SpamClassifier, TrainingError
from comments.models import Comment, ModerationEvent, ModerationSettings, SpamExample, SpamModel
from comments.moderation import SpamScore

LABELS = {Comment.Status.APPROVED: HAM, Comment.Status.SPAM: SPAM}
# A moderator's status change, or a comment imported with the status a moderator gave it elsewhere.
DECISIONS = Q(kind=ModerationEvent.Kind.IMPORT) | Q(kind=ModerationEvent.Kind.STATUS, actor__isnull=False)
KEEP_MODELS = 5  # older models are deleted when a new one is stored


def decision_examples() -> tuple[list[str], list[str]]:
    """Each decided comment's text and the label its latest decision gives it (one query)."""
    latest = (
        ModerationEvent.objects.filter(DECISIONS)
        .order_by("comment_id", "-created_at", "-id")
        .distinct("comment_id")
        .values_list("comment__body", "to_status")
    )
    pairs = [(body, LABELS[status]) for body, status in latest if status in LABELS]
    return [body for body, _ in pairs], [label for _, label in pairs]


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


def store_examples(files: Sequence[tuple[str, list[str], list[str]]]) -> None:
    """Replace the kept labelled examples with these files' (name, texts, labels)."""
    SpamExample.objects.all().delete()
    SpamExample.objects.bulk_create(
        SpamExample(text=text, label=label, source=name)
        for name, texts, labels in files
        for text, label in zip(texts, labels, strict=True)
    )


def spam_model_train(*, decisions: bool = True) -> SpamModel:
    """Train a fresh model on the decisions (unless `decisions` is False) and the kept labelled examples.

    Raises TrainingError when there is too little of either class.
    """
    texts, labels, sources = [], [], []
    if decisions:
        texts, labels = decision_examples()
        sources.append(f"{len(texts)} moderators' decisions")
    for source in SpamExample.objects.values_list("source", flat=True).distinct().order_by("source"):
        rows = list(SpamExample.objects.filter(source=source).values_list("text", "label"))
        texts += [text for text, _ in rows]
        labels += [label for _, label in rows]
        sources.append(f"{source} ({len(rows)} labelled)")
    if not texts:
        raise TrainingError("Nothing to learn from: no decisions and no labelled files.")
    model = classifier.train(texts, labels)  # seconds: outside any transaction
    with transaction.atomic():
        stored = SpamModel.objects.create(
            data=model.to_bytes(),
            examples=len(labels),
            spam_examples=labels.count(SPAM),
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
    return SpamClassifier.from_bytes(bytes(SpamModel.objects.values_list("data", flat=True).get(pk=pk)))


def current_model() -> _Loaded | None:
    """The newest stored model, loaded once per process and again only when a newer one appears."""
    global _loaded
    newest = SpamModel.objects.values_list("pk", flat=True).first()
    if newest is None:
        return None
    if _loaded is None or _loaded.pk != newest:
        _loaded = _Loaded(newest, load_model(newest), {})
    return _loaded


def spam_threshold(loaded: _Loaded, target_precision: float) -> float | None:
    if target_precision not in loaded.thresholds:
        loaded.thresholds[target_precision] = loaded.model.spam_threshold(target_precision)
    return loaded.thresholds[target_precision]


def score_text(text: str, config: ModerationSettings) -> tuple[SpamScore, int] | None:
    """The classifier's score for a new comment and the model's id; None when there is no model or it is off."""
    if not config.classifier_enabled:
        return None
    loaded = current_model()
    if loaded is None:
        return None
    score = SpamScore(
        probability=loaded.model.probability(text),
        spam_threshold=spam_threshold(loaded, config.classifier_target_precision),
    )
    return score, loaded.pk


def explain(comment: Comment) -> list[tuple[str, float]]:
    """What pushed this comment's score, by the model that scored it (or the newest, if that one is gone)."""
    if comment.spam_model_id is not None:
        loaded = current_model()
        if loaded and loaded.pk == comment.spam_model_id:
            return loaded.model.explain(comment.body)
        if SpamModel.objects.filter(pk=comment.spam_model_id).exists():
            return load_model(comment.spam_model_id).explain(comment.body)
    loaded = current_model()
    return loaded.model.explain(comment.body) if loaded else []


def read_files(paths: Sequence[str | Path]) -> list[tuple[str, list[str], list[str]]]:
    """Each labelled CSV as (file name, texts, labels); ValueError for a file without labels."""
    files = []
    for path in paths:
        texts, labels = classifier.read_labelled_csv(path)
        if any(label is None for label in labels):
            raise ValueError(f"{path}: a training file needs a `label` column (`spam` or `ham`).")
        files.append((Path(path).name, texts, labels))
    return files
