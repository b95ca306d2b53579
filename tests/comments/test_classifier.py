"""The classifier on its own: thresholds from held-out scores, explanations, storage, labelled files."""

import numpy as np
import pytest

from comments import classifier
from comments.classifier import SpamClassifier, TrainingError
from tests.comments.conftest import labelled_texts


def model_with_heldout(scores: list[float], is_spam: list[bool]) -> SpamClassifier:
    return SpamClassifier(
        idf={"word": np.ones(1, np.float32), "char": np.ones(1, np.float32)},
        coef=np.zeros(2, np.float32),
        intercept=0.0,
        scale=1.0,
        shift=0.0,
        heldout_probability=np.array(scores),
        heldout_is_spam=np.array(is_spam),
    )


@pytest.fixture(scope="module")
def synthetic_heldout() -> SpamClassifier:
    """150 spam from 0.99 down to 0.85, a ham at 0.84, 50 spam down to 0.80, 6 ham at 0.40, 20 spam down
    to 0.30, 80 ham at 0.10."""
    scores = [
        *np.linspace(0.99, 0.85, 150),
        0.84,
        *np.linspace(0.83, 0.80, 50),
        *[0.40] * 6,
        *np.linspace(0.35, 0.30, 20),
        *[0.10] * 80,
    ]
    is_spam = [True] * 150 + [False] + [True] * 50 + [False] * 6 + [True] * 20 + [False] * 80
    return model_with_heldout(scores, is_spam)


def test_auto_spam_threshold_is_the_lowest_score_that_keeps_the_target_precision(synthetic_heldout):
    # 200 spam out of 201 from 0.80 up (99.5%); the six hams tied at 0.40 would bring it to 97%.
    assert synthetic_heldout.spam_threshold(0.99) == pytest.approx(0.80)
    # 97% is enough for a 95% target, down to the last spam at 0.30 (the hams below it would catch nothing).
    assert synthetic_heldout.spam_threshold(0.95) == pytest.approx(0.30)


def test_auto_spam_threshold_stops_at_the_last_spam_when_precision_has_room_to_spare():
    # 150 spam, then a clear gap: counting the highest ham too would still be 99.3% precise, but catch nothing more.
    model = model_with_heldout([*[0.9] * 150, 0.05, *[0.01] * 99], [True] * 150 + [False] * 100)
    assert model.spam_threshold(0.99) == pytest.approx(0.9)


def test_no_auto_spam_threshold_until_enough_scores_to_measure_the_precision():
    # 50 spam without a single mistake is not evidence of 99% precision (that needs 100 or more).
    model = model_with_heldout([0.9] * 50 + [0.1] * 50, [True] * 50 + [False] * 50)
    assert model.spam_threshold(0.99) is None
    assert model.spam_threshold(0.9) == pytest.approx(0.9)


def test_metrics_at_a_threshold_come_from_held_out_scores(synthetic_heldout):
    metrics = synthetic_heldout.metrics_at(0.8)
    assert (metrics.flagged, metrics.recall) == (201, pytest.approx(200 / 220))
    assert metrics.precision == pytest.approx(200 / 201)
    assert synthetic_heldout.metrics_at(1.0).precision is None


@pytest.fixture(scope="module")
def trained() -> SpamClassifier:
    return classifier.train(*labelled_texts(200))


def test_trained_model_separates_spam_and_keeps_a_held_out_score_per_example(trained):
    assert trained.probability("click this link for free money and cheap pills") > 0.9
    assert trained.probability("the army said the ceasefire talks in the province failed") < 0.1
    assert len(trained.heldout_probability) == 200
    assert trained.spam_threshold(0.99) is not None


def test_explanation_names_the_words_that_pushed_the_score(trained):
    words = dict(trained.explain("free money: subscribe to my channel, said the minister", top=10))
    assert words["free"] > 0
    assert words["money"] > 0
    assert words["minister"] < 0
    assert max(words, key=words.get) in {"free", "money", "subscribe", "channel"}


def test_model_round_trips_through_bytes_without_pickle(trained):
    data = trained.to_bytes()
    assert b"pickle" not in data
    loaded = SpamClassifier.from_bytes(data)
    text = "visit www promo for a cash prize"
    assert loaded.probability(text) == pytest.approx(trained.probability(text), abs=1e-5)
    assert loaded.spam_threshold(0.99) == pytest.approx(trained.spam_threshold(0.99), abs=1e-5)


def test_training_needs_both_classes():
    with pytest.raises(TrainingError, match="at least 10 spam"):
        classifier.train(["free money"] * 3 + ["peace talks"] * 30, ["spam"] * 3 + ["ham"] * 30)


def test_verdicts_at_each_threshold():
    assert classifier.verdict(0.97, spam_threshold=0.9, hold_threshold=0.5) == "spam"
    assert classifier.verdict(0.7, spam_threshold=0.9, hold_threshold=0.5) == "held"
    assert classifier.verdict(0.2, spam_threshold=0.9, hold_threshold=0.5) == "ham"
    assert classifier.verdict(0.99, spam_threshold=None, hold_threshold=0.5) == "held"


def test_labelled_csv_is_read_in_file_order_and_bad_labels_name_the_line(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("text,label\nfirst,spam\nsecond,HAM\n", encoding="utf-8")
    assert classifier.read_labelled_csv(good) == (["first", "second"], ["spam", "ham"])
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text("text\nonly text\n", encoding="utf-8")
    assert classifier.read_labelled_csv(unlabelled) == (["only text"], [None])
    bad = tmp_path / "bad.csv"
    bad.write_text("text,label\nfine,spam\nodd,maybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad.csv:3: label must be"):
        classifier.read_labelled_csv(bad)
    no_text = tmp_path / "no_text.csv"
    no_text.write_text("body,label\nx,spam\n", encoding="utf-8")
    with pytest.raises(ValueError, match="`text` column"):
        classifier.read_labelled_csv(no_text)


def test_text_from_exports_is_read_as_readers_see_it():
    exported = 'see this<br /><a href="http://adf.example">my site</a> &amp; more\ufeff'
    assert classifier.clean(exported).split() == [
        "see",
        "this",
        "http://adf.example",
        "my",
        "site",
        "&",
        "more",
    ]
