"""Leave-one-source-out evaluation of the spam classifier: train on every labelled file but one, test on it.

    .venv/bin/python bench/spam_eval.py a.csv b.csv c.csv

Each file is one source (`text,label`). The auto-spam threshold comes from the training sources' held-out
scores (never from the test file), as on the site; the hold threshold is the site's default (0.5).
Prints, per test source, macro-F1 at the hold threshold and precision/recall at the auto-spam threshold.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from comments import classifier

HOLD = 0.5
TARGET = 0.99


def macro_f1(probabilities, labels, threshold: float) -> float:
    predicted = [p >= threshold for p in probabilities]
    actual = [label == classifier.SPAM for label in labels]
    scores = []
    for positive in (True, False):
        hits = sum(1 for a, b in zip(predicted, actual, strict=True) if a == b == positive)
        flagged, real = predicted.count(positive), actual.count(positive)
        scores.append(classifier.f1(hits / flagged if flagged else None, hits / real if real else 0.0))
    return sum(scores) / 2


def main(paths: list[str]) -> None:
    sources = {Path(path).stem: classifier.read_labelled_csv(path) for path in paths}
    sys.stdout.write(
        f"{'test source':<16} {'n':>5} {'macro-F1@0.5':>12} {'auto-spam t':>11} {'precision':>9} {'recall':>7}\n"
    )
    for test, (test_texts, test_labels) in sources.items():
        texts, labels = [], []
        for name, (more_texts, more_labels) in sources.items():
            if name != test:
                texts += more_texts
                labels += more_labels
        model = classifier.train(texts, labels)
        threshold = model.spam_threshold(TARGET)
        probabilities = model.probabilities(test_texts)
        at_threshold = classifier.scores_report(probabilities, test_labels, [threshold or 1.01])[0]
        precision = "–" if at_threshold.precision is None else f"{at_threshold.precision:.3f}"
        sys.stdout.write(
            f"{test:<16} {len(test_texts):>5} {macro_f1(probabilities, test_labels, HOLD):>12.3f} "
            f"{threshold or float('nan'):>11.3f} {precision:>9} {at_threshold.recall:>7.3f}\n"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
