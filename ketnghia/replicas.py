"""Reads from a PostgreSQL streaming replica, when one is configured (DATABASE_REPLICA_URL, the
alias "replica"; docs/deploy.md).

Only the reads of a request that asks for them go to the replica: a GET or HEAD outside the admin
(in any language), by a visitor who has not sent a form in the last REPLICA_PIN_SECONDS (the
cookie `ketnghia_primary` says until when), outside a transaction. Everything else reads from the
primary: the admin, forms and their answers, management commands, background jobs, the reads in
a transaction, and the rest of a request once it has written. So a clerk sees their own change
at once, while the public pages and the dashboards, which make most of the load, are read from
the replica, a fraction of a second behind; a page the page cache keeps from such reads is kept
no longer than REPLICA_PIN_SECONDS (ketnghia.pagecache).
"""

import contextvars
import functools
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse
from django.utils import translation

REPLICA = "replica"
PIN_COOKIE = "ketnghia_primary"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")

# The database this request's reads go to: the replica's alias, or None (the primary).
_reads = contextvars.ContextVar("ketnghia_replica_reads", default=None)


def configured():
    return REPLICA in settings.DATABASES


def reads_from_replica():
    """Whether this request's reads go to the replica (so far)."""
    return _reads.get() is not None


@functools.cache
def _admin_prefixes():
    """The admin's address in each language (/admin/, /en/admin/)."""
    prefixes = set()
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            prefixes.add(reverse("admin:index"))
    return tuple(prefixes)


class ReplicaRouter:
    """The replica for the reads of a request ReplicaMiddleware lets read there, the primary for
    every write (and for the reads after it in the same request)."""

    def db_for_read(self, model, **hints):
        # Inside a transaction, the reads are the transaction's: on the primary.
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return _reads.get()

    def db_for_write(self, model, **hints):
        _reads.set(None)
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # The replica is a copy of the primary: their rows relate as the primary's do.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not configured():
            return self.get_response(request)
        if request.method not in SAFE_METHODS:
            response = self.get_response(request)
            # It may have written: its sender reads from the primary for a while.
            seconds = settings.REPLICA_PIN_SECONDS
            response.set_cookie(
                PIN_COOKIE,
                str(int(time.time()) + seconds),
                max_age=seconds,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
            return response
        if self._pinned(request) or request.path.startswith(_admin_prefixes()):
            return self.get_response(request)
        token = _reads.set(REPLICA)
        try:
            return self.get_response(request)
        finally:
            _reads.reset(token)

    @staticmethod
    def _pinned(request):
        try:
            return int(request.COOKIES.get(PIN_COOKIE, "0")) > time.time()
        except ValueError:
            return False
