"""`manage.py spam_classifier train/score`: bootstrapping a site from a labelled file and checking the filter."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comments import learning
from comments.models import SpamExample, SpamModel
from tests.processes import run_django, this_test_database_url


def run(*args) -> str:
    out = StringIO()
    call_command("spam_classifier", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_train_from_a_csv_keeps_its_rows_and_reports_the_model(labelled_csv):
    output = run("train", "--csv", str(labelled_csv(n=300)), "--no-decisions")
    assert "Trained on 300 examples (150 spam)" in output
    assert "Auto-spam from" in output
    assert SpamExample.objects.count() == 300
    model = SpamModel.objects.get()
    assert "labelled.csv (300 labelled)" in model.sources
    assert "decisions" not in model.sources


@pytest.mark.django_db
def test_train_keeps_the_page_each_row_was_left_on(labelled_csv, tmp_path):
    texts = labelled_csv(n=60).read_text(encoding="utf-8").splitlines()[1:]
    paged = tmp_path / "paged.csv"
    paged.write_text(
        "text,label,page\n" + "".join(f"{row},/2024/05/talks-{i % 3}/\n" for i, row in enumerate(texts)),
        encoding="utf-8",
    )
    run("train", "--csv", str(paged), "--no-decisions")
    assert set(SpamExample.objects.values_list("page", flat=True)) == {
        f"/2024/05/talks-{i}/" for i in range(3)
    }


@pytest.mark.django_db
def test_train_replaces_the_kept_files_only_when_files_are_given(labelled_csv):
    run("train", "--csv", str(labelled_csv(name="a.csv")), str(labelled_csv(name="b.csv", seed=2)))
    assert set(SpamExample.objects.values_list("source", flat=True)) == {"a.csv", "b.csv"}
    run("train")
    assert SpamExample.objects.count() == 240
    run("train", "--csv", str(labelled_csv(name="c.csv", seed=3)))
    assert set(SpamExample.objects.values_list("source", flat=True)) == {"c.csv"}


@pytest.mark.django_db
def test_train_refuses_unlabelled_or_missing_files_and_keeps_what_it_had(labelled_csv, tmp_path):
    run("train", "--csv", str(labelled_csv()))
    with pytest.raises(CommandError, match="needs a `label` column"):
        run("train", "--csv", str(labelled_csv(name="plain.csv", with_labels=False)))
    with pytest.raises(CommandError, match="No such file"):
        run("train", "--csv", str(tmp_path / "missing.csv"))
    assert SpamModel.objects.count() == 1
    assert SpamExample.objects.count() == 120


@pytest.mark.django_db
def test_train_with_nothing_to_learn_from_says_so():
    with pytest.raises(CommandError, match="Nothing to learn from"):
        run("train", "--no-decisions")


@pytest.mark.django_db
def test_score_prints_rows_in_file_order_and_metrics_per_threshold(labelled_csv, tmp_path):
    run("train", "--csv", str(labelled_csv(n=300)))
    check = tmp_path / "check.csv"
    check.write_text(
        "text,label\nfree money click link cheap pills,spam\nthe army said the talks failed,ham\n",
        encoding="utf-8",
    )
    lines = run("score", str(check)).splitlines()
    assert lines[0] == "row,spam_probability,verdict,label"
    assert lines[1].startswith("1,")
    assert lines[1].endswith(",spam,spam")
    assert lines[2].startswith("2,")
    assert lines[2].endswith(",ham,ham")
    table = "\n".join(lines[3:])
    assert "precision" in table
    assert "auto-spam" in table
    assert "hold" in table

    report = json.loads(run("score", str(check), "--json"))
    assert [row["verdict"] for row in report["rows"]] == ["spam", "ham"]
    hold = next(line for line in report["thresholds"] if line["role"] == "hold")
    assert (hold["precision"], hold["recall"], hold["f1"], hold["macro_f1"]) == (1.0, 1.0, 1.0, 1.0)


@pytest.mark.django_db
def test_score_without_labels_prints_only_the_rows(labelled_csv):
    run("train", "--csv", str(labelled_csv()))
    report = json.loads(run("score", str(labelled_csv(name="plain.csv", n=4, with_labels=False)), "--json"))
    assert [row["row"] for row in report["rows"]] == [1, 2, 3, 4]
    assert report["thresholds"] == []
    assert "label" not in report["rows"][0]


@pytest.mark.django_db
def test_score_without_a_model_says_how_to_make_one(labelled_csv):
    with pytest.raises(CommandError, match="spam_classifier train"):
        run("score", str(labelled_csv()))


@pytest.mark.django_db(transaction=True)
def test_every_process_uses_the_newest_model_in_the_database(labelled_csv, database_cache):
    """A model trained by one process (a deployment, the worker) is used by the others without a restart."""

    def train_elsewhere(path) -> None:
        done = run_django(
            "manage.py",
            "spam_classifier",
            "-v0",
            "train",
            "--csv",
            str(path),
            DEBUG="true",
            DATABASE_URL=this_test_database_url(),
        )
        assert done.returncode == 0, done.stderr

    train_elsewhere(labelled_csv(n=300))
    first = learning.current_model()
    assert first.pk == SpamModel.objects.get().pk
    assert first.model.probability("free money click link cheap pills") > 0.9
    train_elsewhere(labelled_csv(name="again.csv", n=300, seed=5))
    assert learning.current_model().pk == SpamModel.objects.first().pk != first.pk
