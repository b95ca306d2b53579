"""The spam classifier itself: features, training with held-out calibration, scores and explanations.

It has to work on comments from a source it has never seen (a new site, a new article), so it is built
and calibrated for that, not for rows like the ones it learned from:

- **Normalised text.** The text as readers see it (`clean`), with what spam has in common kept and what
  one source happens to look like folded away (`normalise`): links become `_link_` and their host, but
  a link to the page being commented on becomes `_page_` (quoting the page is not advertising); digits
  become 0; a letter repeated three times or more counts twice; look-alike Unicode (fullwidth letters)
  is folded (NFKC).
- **Features.** Word (1-3) and character (2-5, within words) n-grams, hashed (no vocabulary to store) and
  TF-IDF weighted, plus a few *signals* of their own: has a link, has two or more, an e-mail address or
  @handle, a phone number, mostly capitals, and the length in words (powers of two). Only n-grams seen in
  at least two *groups* count (on the site a group is the page comments were left on: an article):
  words one page's readers use about its own topic say nothing about spam elsewhere. A logistic
  regression weighs them.
- **Calibration on unseen groups.** Training scores every example with a model that did not see its group
  (grouped folds: a page is held out whole), fits a sigmoid on those held-out scores (the probabilities)
  and keeps them. The auto-spam threshold is the lowest score from which held-out precision reaches the
  target in *every* fold, so it holds on the pages that were hardest to predict, not only on average.

The parameters (`Params`) were chosen by leave-one-source-out cross-validation on public labelled
comments; `bench/spam_eval.py --nested` measures what that choice is worth on a source it did not see. A model is a handful of NumPy arrays saved with `numpy.savez`
(no pickle): safe to load from the database. Nothing here touches the database.
"""

import csv
import html
import io
import math
import re
import string
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.special import expit
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold
from sklearn.preprocessing import normalize
from sklearn.utils import murmurhash3_32

SPAM, HAM = "spam", "ham"
N_FEATURES = 2**18  # per kind of n-gram; collisions are rare at this size and cost little
FOLDS = 5
MIN_EXAMPLES = 10  # of each class, to train at all
REPORT_THRESHOLDS = (0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99)
PUNCTUATION = string.punctuation + "“”‘’«»¿¡…"
LINK_TOKEN, PAGE_TOKEN = "_link_", "_page_"
TOKEN_LABELS = {LINK_TOKEN: "[a link]", PAGE_TOKEN: "[a link to this page]"}
SIGNALS = (
    "a link",
    "two or more links",
    "an e-mail address",
    "an @handle",
    "a phone number",
    "mostly capitals",
    # The length: the number of words' bit length, 0 to 8.
    "no words",
    "1 word",
    *(f"{2 ** (bits - 1)}-{2**bits - 1} words" for bits in range(2, 8)),
    "128 words or more",
)
LENGTHS = SIGNALS.index("no words")


@dataclass(frozen=True)
class Params:
    """How a model is built. The defaults are what leave-one-source-out cross-validation chose."""

    word_ngrams: tuple[int, int] = (1, 3)
    char_ngrams: tuple[int, int] = (2, 5)
    C: float = 2.0  # inverse regularisation of the logistic regression
    signal_weight: float = 0.5  # a signal's feature value (the n-gram blocks have unit length)
    min_groups: int = 2  # an n-gram counts only if seen in this many groups


CHOSEN = Params()


class TrainingError(ValueError):
    """Not enough (or not the right) data to build a model."""


# Text


LINK_TAG = re.compile(r"""<a\s[^>]*?href=["']([^"']*)["'][^>]*>""", re.IGNORECASE)
TAG = re.compile(r"<[^>]{0,200}>")
LINK = re.compile(
    r"(?:https?://|www\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ly|me|tk|gl|pn|[a-z]{2})\b(?:[/\\]\S*)?",
    re.IGNORECASE,
)
EMAIL = re.compile(r"\b[\w.+-]+@\s?[\w-]+\.\w{2,}")
HANDLE = re.compile(r"(?<![\w.])@\s?\w{3,}")
PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
DIGITS = re.compile(r"\d+")
REPEATS = re.compile(r"(.)\1{2,}")


def clean(text: str) -> str:
    """The text as readers see it, from whatever an export kept: links' addresses instead of their tags,
    other HTML tags and byte-order marks dropped, entities decoded."""
    text = TAG.sub(" ", LINK_TAG.sub(r" \1 ", text))
    return html.unescape(text).replace("\ufeff", "")


def _unlink_page(text: str, page: str | None) -> str:
    """`text` (cleaned, NFKC) with every link to `page` (any address containing it) made `_page_`."""
    return re.sub(r"\S*" + re.escape(page) + r"\S*", f" {PAGE_TOKEN} ", text) if page else text


def _link(match: re.Match) -> str:
    address = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0).lower())
    host = re.split(r"[/\\?#]", address)[0]
    return f" {LINK_TOKEN} {host.replace('.', '_')} "


def normalise(text: str, page: str | None = None) -> str:
    """What the n-grams are read from. `page` identifies the page the comment was left on (its address,
    or any part of it that every link to it contains, such as a video id)."""
    text = _unlink_page(unicodedata.normalize("NFKC", clean(text)), page)
    return REPEATS.sub(r"\1\1", DIGITS.sub("0", LINK.sub(_link, text)))


def signals(text: str, page: str | None = None) -> list[str]:
    """The signals (of `SIGNALS`) a text shows."""
    text = _unlink_page(unicodedata.normalize("NFKC", clean(text)), page)
    found = []
    links = len(LINK.findall(text))
    if links:
        found.append("a link")
    if links >= 2:
        found.append("two or more links")
    if EMAIL.search(text):
        found.append("an e-mail address")
    elif HANDLE.search(text):
        found.append("an @handle")
    if PHONE.search(text):
        found.append("a phone number")
    letters = [char for char in text if char.isalpha()]
    if len(letters) >= 10 and sum(char.isupper() for char in letters) > 0.6 * len(letters):
        found.append("mostly capitals")
    found.append(SIGNALS[LENGTHS + min(len(text.split()).bit_length(), 8)])
    return found


# Features


@cache
def _vectorizer(analyzer: str, ngram_range: tuple[int, int]) -> HashingVectorizer:
    token_pattern = r"(?u)\b\w+\b" if analyzer == "word" else None
    return HashingVectorizer(
        n_features=N_FEATURES,
        alternate_sign=False,
        norm=None,
        analyzer=analyzer,
        ngram_range=ngram_range,
        token_pattern=token_pattern,
    )


def _kinds(params: Params) -> dict[str, HashingVectorizer]:
    return {
        "word": _vectorizer("word", params.word_ngrams),
        "char": _vectorizer("char_wb", params.char_ngrams),
    }


@cache
def _analyzers(params: Params) -> list[tuple[str, Callable[[str], list[str]]]]:
    """Each kind with the function listing its n-grams in a normalised text."""
    return [(kind, vectorizer.build_analyzer()) for kind, vectorizer in _kinds(params).items()]


@dataclass
class _Counts:
    """Raw n-gram counts of each kind, and the signals as a dense block."""

    ngrams: dict[str, sparse.csr_matrix]
    signals: np.ndarray

    def rows(self, rows: np.ndarray) -> "_Counts":
        return _Counts({kind: matrix[rows] for kind, matrix in self.ngrams.items()}, self.signals[rows])


def _counts(texts: Sequence[str], pages: Sequence[str | None], params: Params) -> _Counts:
    normalised = [normalise(text, page) for text, page in zip(texts, pages, strict=True)]
    ngrams = {kind: vectorizer.transform(normalised) for kind, vectorizer in _kinds(params).items()}
    shown = np.zeros((len(texts), len(SIGNALS)))
    for row, (text, page) in enumerate(zip(texts, pages, strict=True)):
        shown[row, [SIGNALS.index(signal) for signal in signals(text, page)]] = 1
    return _Counts(ngrams, shown)


def _weighted(counts: _Counts, idf: dict[str, np.ndarray], signal_weight: float) -> sparse.csr_matrix:
    """Sublinear TF times IDF, each kind of n-gram L2-normalised, side by side, then the signals."""
    blocks = []
    for kind, matrix in counts.ngrams.items():
        block = matrix.astype(np.float64)
        block.data = (1 + np.log(block.data)) * idf[kind][block.indices]
        blocks.append(normalize(block))
    blocks.append(sparse.csr_matrix(counts.signals * signal_weight))
    return sparse.hstack(blocks, format="csr")


def _idf(counts: _Counts, groups: np.ndarray, min_groups: int) -> dict[str, np.ndarray]:
    """Smoothed IDF, as scikit-learn's TfidfTransformer computes it, and 0 for n-grams seen in fewer
    than `min_groups` groups (which then count for nothing)."""
    names, group_of = np.unique(groups, return_inverse=True)
    membership = sparse.csr_matrix(
        (np.ones(len(group_of)), (group_of, np.arange(len(group_of)))), shape=(len(names), len(group_of))
    )
    result = {}
    for kind, matrix in counts.ngrams.items():
        documents = matrix.shape[0]
        frequency = np.bincount(matrix.indices, minlength=N_FEATURES)
        seen_in = np.bincount((membership @ (matrix > 0)).tocsr().indices, minlength=N_FEATURES)
        idf = np.log((1 + documents) / (1 + frequency)) + 1
        result[kind] = np.where(seen_in >= min_groups, idf, 0).astype(np.float32)
    return result


def _fit(
    counts: _Counts, y: np.ndarray, groups: np.ndarray, params: Params
) -> tuple[dict, np.ndarray, float]:
    idf = _idf(counts, groups, params.min_groups)
    # The dual problem: far fewer comments than features, so it solves in milliseconds, not seconds.
    model = LogisticRegression(
        C=params.C, class_weight="balanced", solver="liblinear", dual=True, max_iter=1000
    )
    model.fit(_weighted(counts, idf, params.signal_weight), y)
    return idf, model.coef_[0], float(model.intercept_[0])


def _groups(groups: Sequence[str] | None, n: int) -> np.ndarray:
    """Where each example comes from, as training uses it. A group holding more than half of the examples
    cannot be held out (too little would be left to learn from) nor stand for other pages, so its examples
    count as groups of their own, as all do without groups."""
    if groups is None:
        return np.arange(n).astype(str)
    names, sizes = np.unique(np.array(groups, dtype=str), return_counts=True)
    too_big = set(names[sizes > n / 2])
    return np.array(
        [f"{group} (row {i})" if group in too_big else group for i, group in enumerate(groups)], dtype=str
    )


def _folds(y: np.ndarray, groups: np.ndarray, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Held-out folds: whole groups at a time when there are two groups or more and every fold leaves
    both classes to learn from; otherwise single examples, stratified."""
    rows = np.zeros(len(y))
    distinct = len(np.unique(groups))
    if 2 <= distinct < len(y):
        splitter = StratifiedGroupKFold(n_splits=min(FOLDS, distinct), shuffle=True, random_state=seed)
        folds = list(splitter.split(rows, y, groups))
        if all(y[fit].any() and not y[fit].all() for fit, _ in folds):
            return folds
    splitter = StratifiedKFold(
        n_splits=min(FOLDS, int(y.sum()), int((~y).sum())), shuffle=True, random_state=seed
    )
    return list(splitter.split(rows, y))


# The model


@dataclass(frozen=True)
class Metrics:
    threshold: float
    precision: float | None  # None when nothing scores that high
    recall: float
    flagged: int


@dataclass
class SpamClassifier:
    params: Params
    idf: dict[str, np.ndarray]
    coef: np.ndarray  # word n-grams, character n-grams, signals
    intercept: float
    scale: float  # the sigmoid fitted on held-out scores: p = 1 / (1 + exp(-(scale * margin + shift)))
    shift: float
    heldout_probability: np.ndarray  # every training example, scored by a model that did not see its group
    heldout_is_spam: np.ndarray
    heldout_fold: np.ndarray  # the fold each example was held out in

    # Scores

    def _margins(self, texts: Sequence[str], pages: Sequence[str | None] | None) -> np.ndarray:
        counts = _counts(texts, pages or [None] * len(texts), self.params)
        return _weighted(counts, self.idf, self.params.signal_weight) @ self.coef + self.intercept

    def probabilities(self, texts: Sequence[str], pages: Sequence[str | None] | None = None) -> np.ndarray:
        return 1 / (1 + np.exp(-(self.scale * self._margins(texts, pages) + self.shift)))

    def probability(self, text: str, page: str | None = None) -> float:
        """One text's score, as `probabilities` gives it, without the sparse matrices: a fifth of the time."""
        normalised = normalise(text, page)
        margin = self.intercept
        for offset, (kind, analyzer) in enumerate(_analyzers(self.params)):
            counts = Counter(_columns(analyzer(normalised)))
            if counts:
                columns = np.fromiter(counts, dtype=np.intp, count=len(counts))
                values = 1 + np.log(np.fromiter(counts.values(), dtype=np.float64, count=len(counts)))
                values *= self.idf[kind][columns]
                if norm := math.sqrt(values @ values):
                    margin += values @ self.coef[offset * N_FEATURES + columns] / norm
        for signal in signals(text, page):
            margin += self.coef[2 * N_FEATURES + SIGNALS.index(signal)] * self.params.signal_weight
        return float(expit(self.scale * margin + self.shift))

    def explain(self, text: str, page: str | None = None, top: int = 5) -> list[tuple[str, float]]:
        """The words, phrases and signals that pushed the score most (positive: towards spam), strongest first.

        Words are shown as the classifier reads them (`normalise`: a link as "[a link]" and its host, digits
        as 0), signals in brackets. Character n-grams count towards the word they come from; an n-gram seen
        several times in the text shares its weight between its occurrences.
        """
        counts = _counts([text], [page], self.params)
        x = _weighted(counts, self.idf, self.params.signal_weight)
        contribution = dict(zip(x.indices.tolist(), (x.data * self.coef[x.indices]).tolist(), strict=True))
        weights: dict[str, float] = defaultdict(float)
        normalised = normalise(text, page)
        for offset, (kind, analyzer) in enumerate(_analyzers(self.params)):
            if kind == "char":
                pieces = [(_label(_bare(word)), analyzer(word)) for word in normalised.lower().split()]
            else:
                pieces = [(_label(gram), [gram]) for gram in analyzer(normalised)]
            grams = [gram for _, piece in pieces for gram in piece]
            owners = [label for label, piece in pieces for _ in piece]
            hashed = [column + offset * N_FEATURES for column in _columns(grams)]
            occurrences = Counter(hashed)
            for label, column in zip(owners, hashed, strict=True):
                weights[label] += contribution.get(column, 0.0) / occurrences[column]
        for signal in signals(text, page):
            weights[f"[{signal}]"] += contribution.get(2 * N_FEATURES + SIGNALS.index(signal), 0.0)
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
        """The lowest spam score from which held-out precision stays at least `target_precision` in every
        fold (every held-out group of sources, files or articles) that has anything scored that high.

        A precision is only trusted once enough comments score that high to measure it (1 / (1 - target):
        100 for 0.99). Hams below the last spam in that range would cost precision and catch nothing, so
        the threshold stops at that spam's score. None when no score reaches the target: the classifier
        then never marks spam on its own.
        """
        support = math.ceil(1 / max(1 - target_precision, 1e-6))
        order = np.argsort(-self.heldout_probability, kind="stable")
        scores, is_spam = self.heldout_probability[order], self.heldout_is_spam[order]
        in_fold = np.eye(int(self.heldout_fold.max()) + 1, dtype=bool)[self.heldout_fold[order]]
        flagged = np.cumsum(in_fold, axis=0)  # per fold, how many score at least scores[i]
        hits = np.cumsum(in_fold & is_spam[:, None], axis=0)
        precise = np.all((flagged == 0) | (hits >= target_precision * flagged), axis=1)
        # Judge each distinct score with everything that ties with it, once enough comments score that high.
        judged = (np.append(scores[1:] != scores[:-1], True)) & (np.arange(len(scores)) + 1 >= support)
        failing = np.flatnonzero(judged & ~precise)
        passing = np.flatnonzero(judged & precise)
        passing = passing[passing < failing[0]] if len(failing) else passing
        if not len(passing) or not is_spam[: passing[-1] + 1].any():
            return None
        best = passing[-1]
        return float(scores[: best + 1][is_spam[: best + 1]][-1])

    # Storage

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        p = self.params
        np.savez_compressed(
            buffer,
            params=np.array([*p.word_ngrams, *p.char_ngrams, p.C, p.signal_weight, p.min_groups]),
            idf_word=self.idf["word"],
            idf_char=self.idf["char"],
            coef=self.coef.astype(np.float32),
            head=np.array([self.intercept, self.scale, self.shift]),
            heldout_probability=self.heldout_probability.astype(np.float32),
            heldout_is_spam=self.heldout_is_spam,
            heldout_fold=self.heldout_fold.astype(np.int16),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> "SpamClassifier":
        with np.load(io.BytesIO(data), allow_pickle=False) as arrays:
            w_low, w_high, c_low, c_high, C, signal_weight, min_groups = arrays["params"].tolist()
            intercept, scale, shift = arrays["head"].tolist()
            return cls(
                params=Params(
                    (int(w_low), int(w_high)), (int(c_low), int(c_high)), C, signal_weight, int(min_groups)
                ),
                idf={"word": arrays["idf_word"], "char": arrays["idf_char"]},
                coef=arrays["coef"].astype(np.float64),  # as the features are: no conversion per score
                intercept=intercept,
                scale=scale,
                shift=shift,
                heldout_probability=arrays["heldout_probability"].astype(np.float64),
                heldout_is_spam=arrays["heldout_is_spam"].astype(bool),
                heldout_fold=arrays["heldout_fold"].astype(np.intp),
            )


def _bare(word: str) -> str:
    """A word without the punctuation around it, so that "money:" and "money" are explained together."""
    return word if word in TOKEN_LABELS else word.strip(PUNCTUATION) or word


def _label(gram: str) -> str:
    """An n-gram as a moderator reads it: `_link_` as "[a link]", counted with the signal of that name."""
    for token, label in TOKEN_LABELS.items():
        gram = gram.replace(token, label)
    return gram


def _columns(grams: Iterable[str]) -> list[int]:
    """The hashed column of each n-gram, as the feature vectorizers compute it (a test holds them to it;
    the hash -2**31, whose absolute value C cannot hold, lands on 0 both ways while N_FEATURES is a power
    of two)."""
    return [abs(murmurhash3_32(gram, seed=0)) % N_FEATURES for gram in grams]


def train(
    texts: Sequence[str],
    labels: Sequence[str],
    *,
    groups: Sequence[str] | None = None,
    pages: Sequence[str | None] | None = None,
    params: Params = CHOSEN,
    seed: int = 0,
) -> SpamClassifier:
    """Build a model from labelled texts (`spam` or `ham`), with held-out scores for every example.

    `groups` names where each example comes from (the page it was left on, its source); without them
    every example is its own group (see `_groups`). `pages` identifies the page each was left on (see `normalise`).
    """
    y = np.array([label == SPAM for label in labels])
    spam, ham = int(y.sum()), int((~y).sum())
    if min(spam, ham) < MIN_EXAMPLES:
        raise TrainingError(
            f"Need at least {MIN_EXAMPLES} spam and {MIN_EXAMPLES} ham examples; have {spam} and {ham}."
        )
    groups = _groups(groups, len(y))
    counts = _counts(texts, pages or [None] * len(y), params)
    margins, fold_of = np.zeros(len(y)), np.zeros(len(y), dtype=np.intp)
    for fold, (fit_rows, heldout_rows) in enumerate(_folds(y, groups, seed)):
        idf, coef, intercept = _fit(counts.rows(fit_rows), y[fit_rows], groups[fit_rows], params)
        margins[heldout_rows] = (
            _weighted(counts.rows(heldout_rows), idf, params.signal_weight) @ coef + intercept
        )
        fold_of[heldout_rows] = fold
    sigmoid = LogisticRegression(C=1e4).fit(margins.reshape(-1, 1), y)
    scale, shift = float(sigmoid.coef_[0][0]), float(sigmoid.intercept_[0])
    idf, coef, intercept = _fit(counts, y, groups, params)
    return SpamClassifier(
        params=params,
        idf=idf,
        coef=coef,
        intercept=intercept,
        scale=scale,
        shift=shift,
        heldout_probability=1 / (1 + np.exp(-(scale * margins + shift))),
        heldout_is_spam=y,
        heldout_fold=fold_of,
    )


# Labelled files and verdicts


@dataclass(frozen=True)
class LabelledFile:
    """A CSV of comments: `text`, and optionally `label` (`spam`/`ham`) and `page` (see `normalise`)."""

    texts: list[str]
    labels: list[str | None]
    pages: list[str | None]


def read_labelled_csv(path: Path | str) -> LabelledFile:
    """The rows of a CSV with a `text` column and optional `label` and `page` columns, in file order.

    Raises ValueError naming the file and line for anything else.
    """
    texts, labels, pages = [], [], []
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
            pages.append((row.get("page") or "").strip() or None)
    return LabelledFile(texts, labels, pages)


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


def macro_f1(probabilities: Iterable[float], labels: Iterable[str], threshold: float) -> float:
    """Mean of the spam and the ham F1 when `probability >= threshold` is called spam."""
    predicted = np.array(list(probabilities)) >= threshold
    actual = np.array([label == SPAM for label in labels])
    scores = []
    for positive in (True, False):
        hits = int(np.sum((predicted == positive) & (actual == positive)))
        flagged, real = int(np.sum(predicted == positive)), int(np.sum(actual == positive))
        scores.append(f1(hits / flagged if flagged else None, hits / real if real else 0.0))
    return sum(scores) / 2


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
