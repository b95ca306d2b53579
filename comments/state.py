"""Rows every post reads and staff rarely write: the moderation settings, the surge in force and the newest
spam model, kept in the shared cache.

Their keys are announced (longwar.cache, with Redis): each process keeps its own copy until a write is
announced, so posting asks neither the database nor Redis for them. Any save or delete of such a row
forgets the copy at once and again when its transaction commits (a reader may have cached the old row in
between). A write that bypasses the models' signals (`QuerySet.update`, raw SQL) shows within SECONDS.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

PREFIX = "site-state:"  # announced in settings (CACHES OPTIONS "ANNOUNCED")
SECONDS = 60
MODERATION_SETTINGS = "moderation-settings"
SURGE = "surge"
SPAM_MODEL = "spam-model"


def remembered(name: str, read):
    """The cached value of `read()` (which may be None), read and cached when missing."""
    key = PREFIX + name
    kept = cache.get(key)
    if kept is None:
        kept = (read(),)  # a tuple, so that None is remembered too
        cache.set(key, kept, SECONDS)
    return kept[0]


def forget(name: str) -> None:
    cache.delete(PREFIX + name)
    transaction.on_commit(lambda: cache.delete(PREFIX + name), robust=True)


def forget_on_writes(sender: str, name: str) -> None:
    """Forget `name` whenever a row of the model `sender` ("app.Model") is saved or deleted."""

    def receiver(**kwargs) -> None:
        forget(name)

    for signal in (post_save, post_delete):
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=f"state-{name}-{signal}")
