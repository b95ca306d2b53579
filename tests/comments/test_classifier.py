"""The classifier on its own: thresholds from held-out scores, features, explanations, storage, files."""

import numpy as np
import pytest
from sklearn.feature_extraction.text import HashingVectorizer

from comments import classifier
from comments.classifier import Params, SpamClassifier, TrainingError
from tests.comments.conftest import labelled_texts


def model_with_heldout(
    scores: list[float], is_spam: list[bool], folds: list[int] | None = None
) -> SpamClassifier:
    return SpamClassifier(
        params=Params(),
        idf={"word": np.ones(1, np.float32), "char": np.ones(1, np.float32)},
        coef=np.zeros(2, np.float32),
        intercept=0.0,
        scale=1.0,
        shift=0.0,
        heldout_probability=np.array(scores),
        heldout_is_spam=np.array(is_spam),
        heldout_fold=np.array(folds if folds is not None else [0] * len(scores)),
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


def test_auto_spam_threshold_keeps_the_target_precision_in_every_fold_not_only_on_average():
    """Fold 0: 100 spam from 0.99 to 0.91 and 50 from 0.79 to 0.70. Fold 1: 100 spam from 0.98 to 0.90,
    two hams at 0.88, 20 spam from 0.87 to 0.80, 50 hams at 0.10.

    Counted together, precision stays at least 99% down to 0.70 (270 spam out of 272); but fold 1 alone
    falls to 98% (100 out of 102) as soon as its two hams at 0.88 count, so the threshold stops above them,
    at the lowest spam there: fold 1's at 0.90.
    """
    scores = [
        *np.linspace(0.99, 0.91, 100),
        *np.linspace(0.79, 0.70, 50),
        *np.linspace(0.98, 0.90, 100),
        0.88,
        0.88,
        *np.linspace(0.87, 0.80, 20),
        *[0.10] * 50,
    ]
    is_spam = [True] * 250 + [False] * 2 + [True] * 20 + [False] * 50
    folds = [0] * 150 + [1] * 172
    assert model_with_heldout(scores, is_spam, folds).spam_threshold(0.99) == pytest.approx(0.90)
    assert model_with_heldout(scores, is_spam).spam_threshold(0.99) == pytest.approx(0.70)


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


def test_one_text_scores_as_the_batch_of_texts_does(trained):
    """`probability` skips the sparse matrices for speed; it must give what `probabilities` gives."""
    texts, _ = labelled_texts(60)
    texts = [
        *texts,
        "",
        "!!!",
        "ＦＵＬＬ ＷＩＤＴＨ www.promo.example http://a.example/b 555-123-4567",
        "é" * 300,
    ]
    pages = [None, "/2024/05/talks/"] * (len(texts) // 2) + [None] * (len(texts) % 2)
    one_by_one = [trained.probability(text, page) for text, page in zip(texts, pages, strict=True)]
    assert one_by_one == pytest.approx(trained.probabilities(texts, pages).tolist(), abs=1e-12)
    assert len({round(p, 6) for p in one_by_one}) > 10  # real scores, not a constant


def test_n_grams_are_hashed_to_the_columns_the_vectorizer_gives_them():
    grams = ["the", "free money", " é", "ＦＵＬＬ", "_link_ promo_example", "0", "\u2028x"]
    vectorizer = HashingVectorizer(
        n_features=classifier.N_FEATURES, alternate_sign=False, norm=None, analyzer=lambda grams: grams
    )
    expected = [vectorizer.transform([[gram]]).indices.tolist() for gram in grams]
    assert [[column] for column in classifier._columns(grams)] == expected


def test_held_out_scores_hold_out_whole_groups():
    texts, labels = labelled_texts(200)
    groups = [f"file {i % 3}" for i in range(200)]
    model = classifier.train(texts, labels, groups=groups)
    folds_of_group = {group: set(model.heldout_fold[np.array(groups) == group]) for group in set(groups)}
    assert all(len(folds) == 1 for folds in folds_of_group.values())
    assert len(set.union(*folds_of_group.values())) == 3


def test_a_group_of_more_than_half_the_examples_counts_them_one_by_one():
    """One big file from a single page, and a few decided comments from other pages: the file's words
    still count, and its rows are held out a few at a time, not all at once."""
    texts, labels = labelled_texts(300)
    groups = ["one page"] * 240 + [f"article {i % 12}" for i in range(60)]
    model = classifier.train(texts, labels, groups=groups)
    assert dict(model.explain("free money for the minister", top=10))["money"] > 0
    assert len(set(model.heldout_fold[:240])) == 5


def test_groups_that_would_leave_a_fold_without_a_class_are_split_by_example():
    texts, labels = labelled_texts(100)
    model = classifier.train(
        texts, labels, groups=labels
    )  # all the spam in one group, all the ham in another
    assert len(set(model.heldout_fold)) == 5
    assert all(set(model.heldout_is_spam[model.heldout_fold == fold]) == {True, False} for fold in range(5))


def test_words_seen_in_one_group_only_count_for_nothing():
    """ "qxzj" is in every spam of one file: elsewhere it says nothing; "kwyv", in two files, counts."""
    texts, labels = labelled_texts(300)
    groups = [f"file {i % 3}" for i in range(300)]
    marked = [
        text + (" qxzj" if group == "file 0" else " kwyv") if label == "spam" else text
        for text, label, group in zip(texts, labels, groups, strict=True)
    ]
    model = classifier.train(marked, labels, groups=groups)
    weights = dict(model.explain("qxzj kwyv the report", top=20))
    assert "qxzj" not in weights
    assert weights["kwyv"] > 0


def test_text_is_normalised_so_that_spam_reads_alike_across_sites():
    text = "See https://www.Promo.example.com/a?b=1 and www.site.org/2024/05/talks/#c3 NOW!!!!! 2015 ｆｒｅｅ"
    assert classifier.normalise(text, page="/2024/05/talks/").split() == [
        "See",
        "_link_",
        "promo_example_com",
        "and",
        "_page_",
        "NOW!!",
        "0",
        "free",
    ]


def test_signals_a_text_shows():
    assert classifier.signals("write to bob@example.org or call +44 7935 454150 at www.a.com b.net") == [
        "a link",
        "two or more links",
        "an e-mail address",
        "a phone number",
        "8-15 words",
    ]
    assert classifier.signals("FOLLOW ME ON INSTAGRAM @bigboss") == [
        "an @handle",
        "mostly capitals",
        "4-7 words",
    ]
    assert classifier.signals("") == ["no words"]


def test_a_link_to_the_page_itself_is_not_an_outside_link(trained):
    text = "the minister said http://news.example/2024/05/talks/ in the report"
    assert trained.probability(text, page="/2024/05/talks/") < trained.probability(text)
    assert "[a link]" in dict(trained.explain(text, top=20))
    assert "[a link]" not in dict(trained.explain(text, page="/2024/05/talks/", top=20))


def test_explanation_names_the_words_and_signals_that_pushed_the_score(trained):
    words = dict(trained.explain("free money: subscribe to my channel, said the minister", top=10))
    assert words["free"] > 0
    assert words["money"] > 0
    assert words["minister"] < 0
    assert max(words, key=words.get) in {"free", "money", "subscribe", "channel"}
    assert dict(trained.explain("visit http://promo.example.com now", top=20))["[a link]"] > 0


def test_model_round_trips_through_bytes_without_pickle(trained):
    data = trained.to_bytes()
    assert b"pickle" not in data
    loaded = SpamClassifier.from_bytes(data)
    text = "visit www promo for a cash prize"
    assert loaded.probability(text) == pytest.approx(trained.probability(text), abs=1e-5)
    assert loaded.spam_threshold(0.99) == pytest.approx(trained.spam_threshold(0.99), abs=1e-5)
    assert loaded.params == trained.params
    assert list(loaded.heldout_fold) == list(trained.heldout_fold)


def test_training_needs_both_classes():
    with pytest.raises(TrainingError, match="at least 10 spam"):
        classifier.train(["free money"] * 3 + ["peace talks"] * 30, ["spam"] * 3 + ["ham"] * 30)


def test_macro_f1_averages_the_spam_and_the_ham_f1():
    # At 0.5: spam precision 2/3, recall 1 (F1 0.8); ham precision 1, recall 1/2 (F1 2/3).
    assert classifier.macro_f1([0.9, 0.8, 0.6, 0.1], ["spam", "spam", "ham", "ham"], 0.5) == pytest.approx(
        (0.8 + 2 / 3) / 2
    )


def test_verdicts_at_each_threshold():
    assert classifier.verdict(0.97, spam_threshold=0.9, hold_threshold=0.5) == "spam"
    assert classifier.verdict(0.7, spam_threshold=0.9, hold_threshold=0.5) == "held"
    assert classifier.verdict(0.2, spam_threshold=0.9, hold_threshold=0.5) == "ham"
    assert classifier.verdict(0.99, spam_threshold=None, hold_threshold=0.5) == "held"


def test_labelled_csv_is_read_in_file_order_and_bad_labels_name_the_line(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("text,label,page\nfirst,spam,/a/\nsecond,HAM,\n", encoding="utf-8")
    assert classifier.read_labelled_csv(good) == classifier.LabelledFile(
        ["first", "second"], ["spam", "ham"], ["/a/", None]
    )
    unlabelled = tmp_path / "unlabelled.csv"
    unlabelled.write_text("text\nonly text\n", encoding="utf-8")
    assert classifier.read_labelled_csv(unlabelled) == classifier.LabelledFile(["only text"], [None], [None])
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
