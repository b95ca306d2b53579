"""The log rows written before the names were kept get them from the migration, so they survive deletions too."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from comments.models import ModerationEvent
from tests.factories import CommentFactory

BEFORE = [("comments", "0004_featured_edited_and_log_kinds")]


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
