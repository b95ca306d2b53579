"""The classifier in the site: learning from decisions and files, scoring new comments, retraining."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from comments import learning
from comments.classifier import TrainingError
from comments.decisions import APPROVE, REMOVE, SPAM
from comments.models import Comment, ModerationEvent, ModerationSettings, SpamModel
from comments.moderation import Submission
from comments.services import comment_decide, comment_submit
from tests.comments.conftest import labelled_texts
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def moderator(django_user_model):
    user = django_user_model.objects.create_user("mod", "mod@example.org", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Moderators"))
    return user


def decide_many(moderator, n: int = 60, seed: int = 3) -> None:
    """Moderators decide on `n` synthetic comments: spam-worded ones as spam, the rest approved."""
    for text, label in zip(*labelled_texts(n, seed), strict=True):
        comment = CommentFactory(status=Comment.Status.PENDING, body=text)
        comment_decide(comment=comment, decision=SPAM if label == "spam" else APPROVE, by=moderator)


def test_decisions_label_comments_by_the_latest_one_and_removals_are_not_spam(moderator, article):
    ham = CommentFactory(article=article, status=Comment.Status.PENDING, body="ham after all")
    comment_decide(comment=ham, decision=SPAM, by=moderator)
    comment_decide(comment=ham, decision=APPROVE, by=moderator)
    removed = CommentFactory(article=article, status=Comment.Status.PENDING, body="removed")
    comment_decide(comment=removed, decision=REMOVE, by=moderator)
    imported = CommentFactory(article=article, status=Comment.Status.SPAM, body="imported spam")
    ModerationEvent.objects.create(
        comment=imported, kind=ModerationEvent.Kind.IMPORT, from_status="", to_status=Comment.Status.SPAM
    )
    CommentFactory(article=article, status=Comment.Status.APPROVED, body="approved by no one")
    examples = learning.decision_examples()
    assert sorted(zip(examples.texts, examples.labels, strict=True)) == [
        ("ham after all", "ham"),
        ("imported spam", "spam"),
    ]


def test_decisions_are_grouped_by_the_page_they_were_left_on(moderator, article, django_assert_num_queries):
    other = ArticleFactory()
    for target, body in ((article, "first"), (article, "second"), (other, "third")):
        comment = CommentFactory(article=target, status=Comment.Status.PENDING, body=body)
        comment_decide(comment=comment, decision=APPROVE, by=moderator)
    with django_assert_num_queries(2):
        examples = learning.decision_examples()
    rows = sorted(zip(examples.texts, examples.groups, examples.pages, strict=True))
    assert rows == [
        ("first", article.get_absolute_url(), article.get_absolute_url()),
        ("second", article.get_absolute_url(), article.get_absolute_url()),
        ("third", other.get_absolute_url(), other.get_absolute_url()),
    ]


def test_training_from_decisions_stores_a_model_that_scores_new_comments(moderator, article):
    decide_many(moderator)
    stored = learning.spam_model_train()
    assert (stored.examples, stored.spam_examples) == (60, 30)
    assert "60 moderators' decisions" in stored.sources
    comment = comment_submit(
        article=article,
        submission=Submission(name="Bot", email="bot@example.org", body="free money click link cheap pills"),
    )
    assert comment.spam_score > 0.9
    assert comment.spam_model == stored
    assert learning.explain(comment)[0][1] > 0


def test_training_with_too_few_decisions_says_so(moderator):
    decide_many(moderator, n=6)
    with pytest.raises(TrainingError, match="at least 10 spam"):
        learning.spam_model_train()


def test_only_the_newest_models_are_kept(labelled_csv):
    learning.store_examples(learning.read_files([labelled_csv()]))
    for _ in range(learning.KEEP_MODELS + 2):
        newest = learning.spam_model_train(decisions=False)
    assert SpamModel.objects.count() == learning.KEEP_MODELS
    assert SpamModel.objects.first() == newest


@pytest.fixture
def trained_from_file(labelled_csv):
    learning.store_examples(learning.read_files([labelled_csv(n=300)]))
    return learning.spam_model_train(decisions=False)


def post(article, body: str, **config_values) -> Comment:
    config = ModerationSettings.load()
    for name, value in config_values.items():
        setattr(config, name, value)
    return comment_submit(
        article=article,
        submission=Submission(name="Reader", email="reader@example.org", body=body, form_age=30),
        config=config,
    )


@pytest.mark.parametrize(
    ("hold_threshold", "target", "expected_status", "expected_reason"),
    [
        (0.5, 0.99, Comment.Status.SPAM, "classifier_spam"),  # above the calibrated auto-spam threshold
        (0.5, 1.0 - 1e-6, Comment.Status.PENDING, "classifier_hold"),  # no score is that precise: held
        (1.0, 1.0 - 1e-6, Comment.Status.PENDING, "hold_all"),  # below both: the policy decides
    ],
)
def test_pipeline_verdict_at_each_threshold(
    trained_from_file, article, hold_threshold, target, expected_status, expected_reason
):
    comment = post(
        article,
        "free money click link cheap pills win prize",
        classifier_hold_threshold=hold_threshold,
        classifier_target_precision=target,
    )
    assert comment.status == expected_status
    assert comment.reasons[0]["code"] == expected_reason


def test_ordinary_comment_is_not_touched_by_the_classifier(trained_from_file, article):
    comment = post(article, "the minister said the ceasefire talks in the province failed")
    assert comment.spam_score < 0.5
    assert [reason["code"] for reason in comment.reasons] == ["hold_all"]


def test_classifier_switched_off_scores_nothing(trained_from_file, article):
    comment = post(article, "free money click link cheap pills", classifier_enabled=False)
    assert comment.spam_score is None
    assert comment.status == Comment.Status.PENDING


def test_a_new_model_is_picked_up_without_restarting(trained_from_file, labelled_csv):
    assert learning.current_model().pk == trained_from_file.pk
    newer = learning.spam_model_train(decisions=False)
    assert learning.current_model().pk == newer.pk


def test_retraining_is_queued_after_every_n_decisions_and_trains_in_the_worker(
    moderator, client, labelled_csv, settings, django_capture_on_commit_callbacks
):
    """The decision's request only queues the training; the worker trains."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    learning.store_examples(learning.read_files([labelled_csv()]))
    config = ModerationSettings.load()
    config.classifier_retrain_every = 3
    config.save()
    comments = CommentFactory.create_batch(3, status=Comment.Status.PENDING)
    client.force_login(moderator)
    with django_capture_on_commit_callbacks(execute=True):
        for comment in comments[:2]:
            client.post(reverse("admin:comments_comment_moderate", args=[comment.pk, "spam"]))
    assert not DBTaskResult.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:comments_comment_moderate", args=[comments[2].pk, "approve"]))
    assert response.status_code == 302
    assert not SpamModel.objects.exists()  # the request did not train
    queued = DBTaskResult.objects.get()
    assert queued.task_path.endswith("retrain_spam_model_task")
    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="test",
        excluded_queue_names=[],
    )
    worker.run_task(queued)  # as `manage.py db_worker` does
    model = SpamModel.objects.get()
    assert model.examples == 120 + 3
    assert "3 moderators' decisions" in model.sources


def test_retraining_waits_for_enough_new_decisions(
    moderator, labelled_csv, django_capture_on_commit_callbacks
):
    learning.store_examples(learning.read_files([labelled_csv()]))
    config = ModerationSettings.load()
    config.classifier_retrain_every = 4
    config.save()
    for n, seed, models_after in ((3, 3, 0), (1, 9, 1), (3, 10, 1)):
        with django_capture_on_commit_callbacks(execute=True):  # tasks run at once in tests
            decide_many(moderator, n=n, seed=seed)
        assert SpamModel.objects.count() == models_after


def test_training_ignores_decided_comments_deleted_since(moderator):
    """Regression: the log outlives deleted comments, and their decisions made retraining crash."""
    decide_many(moderator)
    Comment.objects.filter(pk=Comment.objects.order_by("pk").first().pk).delete()
    examples = learning.decision_examples()
    assert len(examples.texts) == Comment.objects.count()


def test_an_author_edit_is_scored_as_a_new_comment_would_be(trained_from_file, article, client, comment_data):
    """Regression: an edit that turned a comment into spam kept the old (harmless) verdict."""
    ModerationSettings.objects.update_or_create(
        pk=1, defaults={"policy": ModerationSettings.Policy.APPROVE_KNOWN}
    )
    CommentFactory(author_name="Grim", author_email="grim@example.org", ip_address="198.51.100.20")  # known
    data = comment_data(article, body="The talks in the province went on all day.")
    client.post(reverse("comments:post", args=[article.pk]), data, REMOTE_ADDR="198.51.100.20")
    comment = Comment.objects.get(article=article)
    assert comment.status == Comment.Status.APPROVED
    client.post(reverse("comments:edit", args=[comment.pk]), {"body": "free money click link cheap pills"})
    comment.refresh_from_db()
    assert comment.status != Comment.Status.APPROVED
    assert {reason["code"] for reason in comment.reasons} & {"classifier_spam", "classifier_hold"}
