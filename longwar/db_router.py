"""An optional read replica (DATABASE_REPLICA_URL): anonymous readers' pages read from it, all else the primary.

`ReplicaMiddleware` decides per request: a GET or HEAD outside the admin from a browser without the
cookies that make a page personal (comments.reader.has_own_state) may read from the replica; admin pages,
posting, logged-in staff and readers with their own comments always use the primary. Within a request, once
anything is written every later read goes to the primary too, so a request sees its own writes. Pages
rendered for the shared cache read the primary (`primary_reads`): a cached page is kept until its next
change, so it must never be rendered from a replica that lags behind the change that retired the last one.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.urls import reverse

from comments.reader import has_own_state

REPLICA = "replica"
_replica_allowed: ContextVar[bool] = ContextVar("replica_allowed", default=False)


@contextmanager
def primary_reads():
    token = _replica_allowed.set(False)
    try:
        yield
    finally:
        _replica_allowed.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if _replica_allowed.get() else "default"

    def db_for_write(self, model, **hints):
        _replica_allowed.set(False)  # read your own writes for the rest of the request
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two ways in

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = reverse("admin:index")

    def __call__(self, request):
        anonymous_read = (
            request.method in ("GET", "HEAD")
            and not request.path.startswith(self.admin_prefix)
            and not has_own_state(request)
        )
        token = _replica_allowed.set(anonymous_read)
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)
