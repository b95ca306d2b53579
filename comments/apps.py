from django.apps import AppConfig
from django.db.models.signals import post_delete


def rethread_after_delete(*, instance, **kwargs) -> None:
    """Deleting comments (the admin's delete, a cascade) bypasses the services: the replies of a deleted
    comment start threads of their own, the counts change and the page is retired (once per article at the
    end, inside `comments_deleted_together`)."""
    from comments.services import comment_threads_rebuild_after_delete

    comment_threads_rebuild_after_delete(instance.article_id)


class CommentsConfig(AppConfig):
    name = "comments"

    def ready(self):
        post_delete.connect(
            rethread_after_delete, sender="comments.Comment", dispatch_uid="comments-rethread"
        )
        from comments import state

        state.forget_on_writes("comments.ModerationSettings", state.MODERATION_SETTINGS)
        state.forget_on_writes("comments.SurgeLog", state.SURGE)
        state.forget_on_writes("comments.SpamModel", state.SPAM_MODEL)
