"""The spam classifier itself: features, training with held-out calibration, scores and explanations.

Word (1-2) and character (2-5, within words) n-grams, hashed so that no vocabulary has to be stored,
weighted by TF-IDF, then a logistic regression. Training scores every example with a model that did not
see it (k-fold), fits a sigmoid on those held-out scores (the probabilities are calibrated) and keeps
them: the auto-spam threshold for any precision target, and precision and recall at each threshold,
come from held-out decisions only. A model is a handful of NumPy arrays saved with `numpy.savez` (no
pickle): safe to load from the database. Nothing here touches the database.
"""

import csv
import html
import io
import math
import re
import string
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.preprocessing import normalize

SPAM, HAM = "spam", "ham"
N_FEATURES = 2**18  # per kind of feature; collisions are rare at this size and cost little
FOLDS = 5
C = 10.0  # inverse regularisation; chosen on the development set by cross-validation, not on test sources
MIN_EXAMPLES = 10  # of each class, to train at all
REPORT_THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
PUNCTUATION = string.punctuation + "“”‘’«»¿¡…"
KINDS = {
    "word": {"analyzer": "word", "ngram_range": (1, 2), "token_pattern": r"(?u)\b\w+\b"},
    "char": {"analyzer": "char_wb", "ngram_range": (2, 5)},
}


class TrainingError(ValueError):
    """Not enough (or not the right) data to build a model."""


def _vectorizer(kind: str) -> HashingVectorizer:
    return HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, **KINDS[kind])


VECTORIZERS = {kind: _vectorizer(kind) for kind in KINDS}


LINK_TAG = re.compile(r"""<a\s[^>]*?href=["']([^"']*)["'][^>]*>""", re.IGNORECASE)
TAG = re.compile(r"<[^>]{0,200}>")


def clean(text: str) -> str:
    """The text as readers see it, from whatever an export kept: links' addresses instead of their tags,
    other HTML tags and byte-order marks dropped, entities decoded."""
    text = TAG.sub(" ", LINK_TAG.sub(r" \1 ", text))
    return html.unescape(text).replace("\ufeff", "")


def _counts(texts: Sequence[str]) -> dict[str, sparse.csr_matrix]:
    cleaned = [clean(text) for text in texts]
    return {kind: VECTORIZERS[kind].transform(cleaned) for kind in KINDS}


def _weighted(counts: dict[str, sparse.csr_matrix], idf: dict[str, np.ndarray]) -> sparse.csr_matrix:
    """Sublinear TF times IDF, each kind L2-normalised, side by side."""
    blocks = []
    for kind in KINDS:
        block = counts[kind].astype(np.float64)
        block.data = (1 + np.log(block.data)) * idf[kind][block.indices]
        blocks.append(normalize(block))
    return sparse.hstack(blocks, format="csr")


def _idf(counts: dict[str, sparse.csr_matrix]) -> dict[str, np.ndarray]:
    """Smoothed IDF, as scikit-learn's TfidfTransformer computes it."""
    result = {}
    for kind, matrix in counts.items():
        documents = matrix.shape[0]
        frequency = np.bincount(matrix.indices, minlength=N_FEATURES)
        result[kind] = (np.log((1 + documents) / (1 + frequency)) + 1).astype(np.float32)
    return result


def _fit(counts: dict[str, sparse.csr_matrix], y: np.ndarray) -> tuple[dict, np.ndarray, float]:
    idf = _idf(counts)
    # The dual problem: far fewer comments than features, so it solves in milliseconds, not seconds.
    model = LogisticRegression(C=C, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000)
    model.fit(_weighted(counts, idf), y)
    return idf, model.coef_[0].astype(np.float32), float(model.intercept_[0])


def _rows(counts: dict[str, sparse.csr_matrix], rows: np.ndarray) -> dict[str, sparse.csr_matrix]:
    return {kind: matrix[rows] for kind, matrix in counts.items()}


@dataclass(frozen=True)
class Metrics:
    threshold: float
    precision: float | None  # None when nothing scores that high
    recall: float
    flagged: int


@dataclass
class SpamClassifier:
    idf: dict[str, np.ndarray]
    coef: np.ndarray
    intercept: float
    scale: float  # the sigmoid fitted on held-out scores: p = 1 / (1 + exp(-(scale * margin + shift)))
    shift: float
    heldout_probability: np.ndarray  # every training example, scored by a model that did not see it
    heldout_is_spam: np.ndarray

    # Scores

    def _margins(self, texts: Sequence[str]) -> np.ndarray:
        return _weighted(_counts(texts), self.idf) @ self.coef + self.intercept

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.scale * self._margins(texts) + self.shift)))

    def probability(self, text: str) -> float:
        return float(self.probabilities([text])[0])

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The words and phrases that pushed the score most (positive: towards spam), strongest first.

        Character n-grams count towards the word they come from; an n-gram seen several times in the
        text shares its weight between its occurrences.
        """
        x = _weighted(_counts([text]), self.idf)
        contribution = dict(zip(x.indices.tolist(), (x.data * self.coef[x.indices]).tolist(), strict=True))
        weights: dict[str, float] = defaultdict(float)
        cleaned = clean(text)
        for offset, kind in enumerate(KINDS):
            analyzer = VECTORIZERS[kind].build_analyzer()
            if kind == "char":
                pieces = [(_bare(word), analyzer(word)) for word in cleaned.lower().split()]
            else:
                pieces = [(gram, [gram]) for gram in analyzer(cleaned)]
            grams = [gram for _, piece in pieces for gram in piece]
            columns = iter(_columns(grams))
            owners = [label for label, piece in pieces for _ in piece]
            hashed = [next(columns) + offset * N_FEATURES for _ in grams]
            occurrences = Counter(hashed)
            for label, column in zip(owners, hashed, strict=True):
                weights[label] += contribution.get(column, 0.0) / occurrences[column]
        ranked = sorted(weights.items(), key=lambda item: abs(item[1]), reverse=True)
        return [(label, round(weight, 3)) for label, weight in ranked[:top] if abs(weight) >= 0.005]

    # Thresholds, from held-out scores only

    def metrics_at(self, threshold: float) -> Metrics:
        flagged = self.heldout_probability >= threshold
        hits = int(np.sum(flagged & self.heldout_is_spam))
        spam = int(np.sum(self.heldout_is_spam))
        n = int(np.sum(flagged))
        return Metrics(threshold, hits / n if n else None, hits / spam if spam else 0.0, n)

    def spam_threshold(self, target_precision: float) -> float | None:
        """The lowest spam score from which held-out precision stays at least `target_precision`.

        A precision is only trusted once enough comments score that high to measure it (1 / (1 - target):
        100 for 0.99). Hams below the last spam in that range would cost precision and catch nothing, so
        the threshold stops at that spam's score. None when no score reaches the target: the classifier
        then never marks spam on its own.
        """
        support = math.ceil(1 / max(1 - target_precision, 1e-6))
        order = np.argsort(-self.heldout_probability, kind="stable")
        scores, is_spam = self.heldout_probability[order], self.heldout_is_spam[order]
        hits = np.cumsum(is_spam)
        best = None
        for i in range(len(scores)):
            if i + 1 < len(scores) and scores[i + 1] == scores[i]:
                continue  # judge each distinct score with everything that ties with it
            flagged = i + 1
            if flagged < support:
                continue
            if hits[i] / flagged < target_precision:
                break
            best = i
        if best is None or not hits[best]:
            return None
        return float(scores[: best + 1][is_spam[: best + 1]][-1])

    # Storage

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            idf_word=self.idf["word"],
            idf_char=self.idf["char"],
            coef=self.coef,
            head=np.array([self.intercept, self.scale, self.shift]),
            heldout_probability=self.heldout_probability.astype(np.float32),
            heldout_is_spam=self.heldout_is_spam,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SpamClassifier":
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            intercept, scale, shift = arrays["head"].tolist()
            return cls(
                idf={"word": arrays["idf_word"], "char": arrays["idf_char"]},
                coef=arrays["coef"],
                intercept=intercept,
                scale=scale,
                shift=shift,
                heldout_probability=arrays["heldout_probability"].astype(np.float64),
                heldout_is_spam=arrays["heldout_is_spam"].astype(bool),
            )


def _bare(word: str) -> str:
    """A word without the punctuation around it, so that "money:" and "money" are explained together."""
    return word.strip(PUNCTUATION) or word


def _columns(grams: list[str]) -> list[int]:
    """The hashed column of each n-gram, as the feature vectorizers compute it."""
    if not grams:
        return []
    single = HashingVectorizer(n_features=N_FEATURES, alternate_sign=False, norm=None, analyzer=_itself)
    return single.transform([[gram] for gram in grams]).indices.tolist()


def _itself(gram_list: list[str]) -> list[str]:
    return gram_list


def train(texts: Sequence[str], labels: Sequence[str], *, seed: int = 0) -> SpamClassifier:
    """Build a model from labelled texts (`spam` or `ham`), with held-out scores for every example."""
    y = np.array([label == SPAM for label in labels])
    spam, ham = int(y.sum()), int((~y).sum())
    if min(spam, ham) < MIN_EXAMPLES:
        raise TrainingError(
            f"Need at least {MIN_EXAMPLES} spam and {MIN_EXAMPLES} ham examples; have {spam} and {ham}."
        )
    counts = _counts(texts)
    margins = np.zeros(len(y))
    folds = StratifiedKFold(n_splits=min(FOLDS, spam, ham), shuffle=True, random_state=seed)
    for fit_rows, heldout_rows in folds.split(np.zeros(len(y)), y):
        idf, coef, intercept = _fit(_rows(counts, fit_rows), y[fit_rows])
        margins[heldout_rows] = _weighted(_rows(counts, heldout_rows), idf) @ coef + intercept
    sigmoid = LogisticRegression(C=1e4).fit(margins.reshape(-1, 1), y)
    scale, shift = float(sigmoid.coef_[0][0]), float(sigmoid.intercept_[0])
    idf, coef, intercept = _fit(counts, y)
    return SpamClassifier(
        idf=idf,
        coef=coef,
        intercept=intercept,
        scale=scale,
        shift=shift,
        heldout_probability=1 / (1 + np.exp(-(scale * margins + shift))),
        heldout_is_spam=y,
    )


# Labelled files and verdicts


def read_labelled_csv(path: Path | str) -> tuple[list[str], list[str | None]]:
    """Texts and labels from a CSV with a `text` column and an optional `label` column (`spam`/`ham`).

    Raises ValueError naming the file and line for anything else.
    """
    texts, labels = [], []
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or "text" not in reader.fieldnames:
            raise ValueError(f"{path}: needs a header row with a `text` column (and optionally `label`).")
        has_labels = "label" in reader.fieldnames
        for row in reader:
            label = (row.get("label") or "").strip().lower() if has_labels else None
            if has_labels and label not in (SPAM, HAM):
                raise ValueError(f"{path}:{reader.line_num}: label must be `spam` or `ham`, not {label!r}.")
            texts.append(row["text"] or "")
            labels.append(label)
    return texts, labels


def verdict(probability: float, *, spam_threshold: float | None, hold_threshold: float) -> str:
    """What the classifier alone would do with a comment: `spam`, `held` or `ham`."""
    if spam_threshold is not None and probability >= spam_threshold:
        return SPAM
    if probability >= hold_threshold:
        return "held"
    return HAM


def f1(precision: float | None, recall: float) -> float:
    if not precision or not recall:
        return 0.0
    return 2 * precision * recall / (precision + recall)


def scores_report(
    probabilities: Iterable[float], labels: Iterable[str], thresholds: Iterable[float]
) -> list[Metrics]:
    """Precision and recall of `probability >= threshold` as a spam test, at each threshold."""
    p, is_spam = np.array(list(probabilities)), np.array([label == SPAM for label in labels])
    rows = []
    for threshold in thresholds:
        flagged = p >= threshold
        n, hits = int(flagged.sum()), int((flagged & is_spam).sum())
        rows.append(Metrics(threshold, hits / n if n else None, hits / max(int(is_spam.sum()), 1), n))
    return rows
