import uuid

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import pre_save
from django.test.utils import CaptureQueriesContext

from comments import learning, state
from comments.models import ModerationSettings, SpamModel, SurgeLog
from comments.surge import surge_in_force, surge_switch

pytestmark = pytest.mark.django_db


def test_a_value_is_read_once_even_when_it_is_none():
    reads = []

    def read():
        reads.append(1)

    assert state.remembered("probe", read) is None
    assert state.remembered("probe", read) is None
    assert len(reads) == 1


def cache_as_another_process(value) -> None:
    """What another process's `remembered` does after reading `value` from the settings row."""
    value_key, generation_key = state._keys(state.MODERATION_SETTINGS)
    cache.set(value_key, (cache.get(generation_key), value), state.SECONDS)


def test_saved_settings_are_read_at_once_and_then_without_a_query(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    ModerationSettings.load()
    config = ModerationSettings.load()
    config.flood_max_comments = 2
    with django_capture_on_commit_callbacks(execute=True):
        config.save()
    assert ModerationSettings.load().flood_max_comments == 2  # forgotten by the save
    with django_assert_num_queries(0):
        assert ModerationSettings.load().flood_max_comments == 2


def test_each_reader_gets_its_own_copy_of_the_settings(settings, redis_url, admin_user):
    settings.CACHES = {  # as with REDIS_URL: the process keeps one copy of each announced value
        "default": {
            "BACKEND": "longwar.cache.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": uuid.uuid4().hex,
            "OPTIONS": {"ANNOUNCED": [state.PREFIX]},
        }
    }
    surge_switch(on=True, by=admin_user, reason="Big story.")
    for _ in range(2):  # read, then read from Redis into this process's copy
        ModerationSettings.load(), surge_in_force()
    ModerationSettings.load().flood_max_comments = 99
    assert ModerationSettings.load().flood_max_comments != 99
    surge_in_force().reason = "Changed by a reader of it."
    assert surge_in_force().reason == "Big story."


def test_a_value_read_before_the_write_commits_is_not_kept(django_capture_on_commit_callbacks):
    """Another process may read the old row after the save and before the commit, and cache it."""
    old = ModerationSettings.load()
    with django_capture_on_commit_callbacks(execute=True):
        config = ModerationSettings.load()
        config.flood_max_comments = 2
        config.save()
        cache_as_another_process(old)
    assert ModerationSettings.load().flood_max_comments == 2


@pytest.mark.django_db(transaction=True)
def test_a_row_read_by_another_process_while_a_save_outside_a_transaction_runs_is_not_kept():
    old = ModerationSettings.load()

    def meanwhile(**kwargs):
        cache_as_another_process(old)

    pre_save.connect(meanwhile, sender=ModerationSettings, dispatch_uid="test-meanwhile")
    try:
        config = ModerationSettings.load()
        config.flood_max_comments = 2
        config.save()
    finally:
        pre_save.disconnect(sender=ModerationSettings, dispatch_uid="test-meanwhile")
    assert ModerationSettings.load().flood_max_comments == 2


def test_a_write_rolled_back_leaves_nothing_of_it_cached():
    ModerationSettings.load()
    seen = []

    def write_then_fail():
        with transaction.atomic():
            config = ModerationSettings.load()
            config.flood_max_comments = 2
            config.save()
            seen.append(ModerationSettings.load().flood_max_comments)  # as this transaction sees it
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert seen == [2]
    assert ModerationSettings.load().flood_max_comments != 2


def test_values_cached_by_code_with_other_fields_are_not_read(monkeypatch):
    ModerationSettings.load()
    monkeypatch.setattr(state, "_schema", lambda: "other")
    with CaptureQueriesContext(connection) as queries:
        ModerationSettings.load()
    assert len(queries) == 1


def test_a_surge_switched_on_or_off_or_deleted_is_seen_by_the_next_post(admin_user):
    assert surge_in_force() is None
    surge_switch(on=True, by=admin_user, reason="Big story.")
    assert surge_in_force().reason == "Big story."
    surge_switch(on=False, by=admin_user)
    assert surge_in_force() is None
    surge_switch(on=True, by=admin_user)
    SurgeLog.objects.all().delete()
    assert surge_in_force() is None


def test_a_new_spam_model_replaces_the_one_in_use(labelled_csv):
    learning.store_examples(learning.read_files([labelled_csv(n=200)]))
    first = learning.spam_model_train(decisions=False)
    assert learning.current_model().pk == first.pk
    second = learning.spam_model_train(decisions=False)
    assert learning.current_model().pk == second.pk
    SpamModel.objects.filter(pk=second.pk).delete()
    assert learning.current_model().pk == first.pk


def test_a_model_deleted_as_a_post_arrives_leaves_the_comment_unscored(monkeypatch):
    monkeypatch.setattr(state, "remembered", lambda name, read: 10**9)  # an id other processes still hold
    assert learning.current_model() is None
