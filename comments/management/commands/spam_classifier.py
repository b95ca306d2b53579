"""Build the spam classifier, or check it on a labelled file: how a newsroom starts and audits its filter.

`train [--csv FILE ...] [--no-decisions]` builds a fresh model from the moderators' decisions and labelled
CSV files (`text`, `label` = `spam`/`ham`, and optionally `page`: the address, or any part of it that links
to it contain, of the page each comment was left on). The files' rows are kept in the database, so the
automatic retraining after new decisions keeps learning from them; giving files again replaces the kept rows.
`score FILE.csv [--json]` prints each row's `spam_probability` and the `verdict` the classifier alone
would give, in file order; with a `label` column, precision, recall and F1 at each threshold.
"""

import csv
import json

import numpy as np
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from comments import classifier, learning
from comments.classifier import TrainingError
from comments.models import ModerationSettings


class Command(BaseCommand):
    help = "Train the spam classifier (train) or score a CSV file with it (score)."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        train = actions.add_parser("train", help="Build a fresh model from decisions and labelled CSV files.")
        train.add_argument(
            "--csv", nargs="+", action="extend", default=[], metavar="FILE", help="labelled CSV files"
        )
        train.add_argument(
            "--no-decisions", action="store_true", help="learn from the files only, not moderators' decisions"
        )
        score = actions.add_parser("score", help="Score each row of a CSV file with the current model.")
        score.add_argument("file", metavar="FILE.csv")
        score.add_argument("--json", action="store_true", help="print JSON instead of CSV and a table")

    def handle(self, *args, action, **options):
        self.verbosity = options["verbosity"]
        if action == "train":
            self.train(options["csv"], decisions=not options["no_decisions"])
        else:
            self.score(options["file"], as_json=options["json"])

    def train(self, paths: list[str], *, decisions: bool) -> None:
        try:
            files = learning.read_files(paths)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        try:
            with transaction.atomic():
                if files:
                    learning.store_examples(files)
                stored = learning.spam_model_train(decisions=decisions)
        except TrainingError as error:
            raise CommandError(str(error)) from error
        config = ModerationSettings.load()
        model = learning.load_model(stored.pk)
        threshold = model.spam_threshold(config.classifier_target_precision)
        self.stdout.write(
            self.style.SUCCESS(
                f"Trained on {stored.examples} examples ({stored.spam_examples} spam) from {stored.sources}."
            )
        )
        if self.verbosity >= 1:
            self.stdout.write(f"Model size: {len(model.to_bytes()) / 1024:.0f} KiB.")
            self.stdout.write(self.threshold_line(model, threshold, config))

    @staticmethod
    def threshold_line(model, threshold, config) -> str:
        if threshold is None:
            return (
                f"No score reaches {config.classifier_target_precision:.2%} precision on held-out data yet: "
                "the classifier holds comments but marks none as spam on its own."
            )
        metrics = model.metrics_at(threshold)
        return (
            f"Auto-spam from {threshold:.3f}: held-out precision {metrics.precision:.3f}, "
            f"recall {metrics.recall:.3f}."
        )

    def score(self, path: str, *, as_json: bool) -> None:
        loaded = learning.current_model()
        if loaded is None:
            raise CommandError("No model yet: run `manage.py spam_classifier train` first.")
        try:
            rows = classifier.read_labelled_csv(path)
        except (OSError, ValueError) as error:
            raise CommandError(str(error)) from error
        labels = rows.labels
        config = ModerationSettings.load()
        spam_threshold = learning.spam_threshold(loaded, config.classifier_target_precision)
        hold_threshold = config.classifier_hold_threshold
        probabilities = loaded.model.probabilities(rows.texts, rows.pages) if rows.texts else np.array([])
        rows = [
            {
                "row": number,
                "spam_probability": round(float(p), 4),
                "verdict": classifier.verdict(
                    float(p), spam_threshold=spam_threshold, hold_threshold=hold_threshold
                ),
                **({"label": label} if label else {}),
            }
            for number, (p, label) in enumerate(zip(probabilities, labels, strict=True), start=1)
        ]
        report = []
        if labels and all(labels):
            thresholds = sorted(
                {hold_threshold, *classifier.REPORT_THRESHOLDS}
                | ({spam_threshold} if spam_threshold else set())
            )
            for metrics in classifier.scores_report(probabilities, labels, thresholds):
                report.append(
                    {
                        "threshold": round(metrics.threshold, 4),
                        "role": "auto-spam"
                        if metrics.threshold == spam_threshold
                        else "hold"
                        if metrics.threshold == hold_threshold
                        else "",
                        "precision": None if metrics.precision is None else round(metrics.precision, 4),
                        "recall": round(metrics.recall, 4),
                        "f1": round(classifier.f1(metrics.precision, metrics.recall), 4),
                        "macro_f1": round(classifier.macro_f1(probabilities, labels, metrics.threshold), 4),
                        "flagged": metrics.flagged,
                    }
                )
        if as_json:
            payload = {
                "model": loaded.pk,
                "spam_threshold": spam_threshold,
                "hold_threshold": hold_threshold,
                "rows": rows,
                "thresholds": report,
            }
            self.stdout.write(json.dumps(payload, indent=2))
            return
        writer = csv.writer(self.stdout, lineterminator="\n")
        writer.writerow(["row", "spam_probability", "verdict", *(["label"] if report else [])])
        for row in rows:
            writer.writerow(row.values())
        if report:
            self.stdout.write("")
            self.stdout.write(
                f"{'threshold':>10} {'':9} {'precision':>9} {'recall':>7} {'F1':>6} {'macro-F1':>8}"
            )
            for line in report:
                precision = "–" if line["precision"] is None else f"{line['precision']:.3f}"
                self.stdout.write(
                    f"{line['threshold']:>10.3f} {line['role']:9} {precision:>9} {line['recall']:>7.3f} "
                    f"{line['f1']:>6.3f} {line['macro_f1']:>8.3f}"
                )
