"""The comments app's data migrations: rows written before a change are brought in line with it."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments.models import CommenterRule, ModerationEvent
from tests.factories import CommentFactory

BEFORE = [("comments", "0014_near_duplicates")]


@pytest.mark.django_db(transaction=True)
def test_existing_log_rows_get_the_names_of_their_comment_article_and_moderator(admin_user):
    comment = CommentFactory(author_name="Grim", article__title="Peace talks")
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("comments", "ModerationEvent").objects.create(
        comment_id=comment.pk, actor_id=admin_user.pk, to_status="approved"
    )
    old.get_model("comments", "ModerationEvent").objects.create(comment_id=comment.pk, to_status="pending")

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert set(ModerationEvent.objects.values_list("actor_name", "comment_author", "article_title")) == {
        ("admin", "Grim", "Peace talks"),
        ("", "Grim", "Peace talks"),
    }


@pytest.mark.django_db(transaction=True)
def test_block_list_ips_saved_before_are_respelled_and_duplicates_merged():
    before = [("comments", "0015_log_and_replies_outlive_deletions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    Rule = executor.loader.project_state(before).apps.get_model("comments", "CommenterRule")
    for value in ["2001:DB8::1", "2001:db8:0:0:0:0:0:1", "::ffff:198.51.100.7", "not an address"]:
        Rule.objects.create(action="block", kind="ip", value=value)

    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(CommenterRule.objects.values_list("value", flat=True)) == [
        "198.51.100.7",
        "2001:db8::1",
        "not an address",
    ]
