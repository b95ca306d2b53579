"""Rows every post reads and staff rarely write: the moderation settings, the surge in force and the newest
spam model, kept in the shared cache.

Their keys are announced (longwar.cache, with Redis): each process keeps its own copy until a write is
announced, so posting asks neither the database nor Redis for them. Each value is kept with the generation
it was read under; any save or delete of such a row starts a new generation at once and again when its
transaction commits, so a value read from the old row in between (by another process, before the commit)
is never used after it. The commit's new generation comes before the page cache retires pages (pre_save
runs before post_save), so no page is stored with the old row (provided no other write of the same
transaction retired pages first: none in this code does). A write that bypasses the models' signals
(`QuerySet.update`, SQL) shows within SECONDS; so does any write while Redis cannot be reached, or, for a
second (the copies' trust), one made while a process's subscription has silently failed.
"""

import uuid
import zlib
from functools import cache as once

from django.apps import apps
from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import pre_delete, pre_save

PREFIX = "site-state:"  # announced in settings (CACHES OPTIONS "ANNOUNCED")
SECONDS = 60
MODERATION_SETTINGS = "moderation-settings"
SURGE = "surge"
SPAM_MODEL = "spam-model"


@once
def _schema() -> str:
    """The comments app's models' fields: code with other fields reads no value pickled by this code."""
    fields = sorted(
        f"{model._meta.label}.{field.attname}"
        for model in apps.get_app_config("comments").get_models()
        for field in model._meta.concrete_fields
    )
    return f"{zlib.crc32(' '.join(fields).encode()):08x}"


def _keys(name: str) -> tuple[str, str]:
    return f"{PREFIX}{name}:{_schema()}", f"{PREFIX}{name}:generation"


class CachedRow(models.Model):
    """A model whose rows are kept here: a save is a transaction of its own, so the generation set when
    it commits (see forget) comes after the write even when nobody opened a transaction around it."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)


def _pending(connection) -> set[str]:
    """Names this connection's open transaction has written: their values are not cached until it ends
    (it may roll back, and no new generation would then follow the value it cached)."""
    transaction_ = connection.atomic_blocks[0] if connection.atomic_blocks else None
    kept = connection.__dict__.get("state_pending")
    if kept is None or kept[0] is not transaction_:
        kept = connection.__dict__["state_pending"] = (transaction_, set())
    return kept[1]


def remembered(name: str, read):
    """The cached value of `read()` (which may be None), read and cached when missing or of an old
    generation. `read` must read the primary database: a replica may lag behind the last write."""
    value_key, generation_key = _keys(name)
    found = cache.get_many([value_key, generation_key])
    generation = found.get(generation_key)
    if generation is None:
        generation = uuid.uuid4().hex
        if not cache.add(generation_key, generation, None):
            generation = cache.get(generation_key, generation)
    kept = found.get(value_key)
    if kept is not None and kept[0] == generation:
        return kept[1]
    value = read()
    if name not in _pending(transaction.get_connection()):
        cache.set(value_key, (generation, value), SECONDS)
    return value


def forget(name: str) -> None:
    """A new generation now, and again when the current transaction commits."""
    _, generation_key = _keys(name)
    connection = transaction.get_connection()
    _pending(connection).add(name)
    cache.set(generation_key, uuid.uuid4().hex, None)

    def committed() -> None:
        _pending(connection).discard(name)
        cache.set(generation_key, uuid.uuid4().hex, None)

    transaction.on_commit(committed, robust=True)


def forget_on_writes(sender: str, name: str) -> None:
    """Forget `name` whenever a row of the model `sender` ("app.Model") is saved or deleted."""

    def receiver(**kwargs) -> None:
        forget(name)

    for action, signal in (("save", pre_save), ("delete", pre_delete)):
        signal.connect(receiver, sender=sender, weak=False, dispatch_uid=f"state-{name}-{action}")
