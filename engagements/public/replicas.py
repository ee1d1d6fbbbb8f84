"""PostgreSQL read replicas: public reads from a replica, everything else from the primary.

DATABASE_REPLICA_URLS adds replicas (settings.py names them `replica-1`, `replica-2`…).
For each request, ReplicaMiddleware picks where its reads go, once:

- the primary for any write (a method other than GET and HEAD), the admin, and a visitor
  who wrote in the last REPLICA_STICKY_SECONDS (a cookie set by their write): staff see
  their own changes at once (read-your-writes);
- otherwise a replica that answers and is at most REPLICA_MAX_LAG_SECONDS behind (asked
  at most once a second per process; one found down is left alone for DOWN_SECONDS);
- the primary when no replica qualifies. A replica that fails during a request (a 503)
  is marked down and the request is answered again from the primary.

Every read of the request goes to that one database (ReplicaRouter), the archive's
version included (upkeep/version.py reads it through the router): a page computed from a
lagging replica is cached under the replica's version, never under the primary's newer
one, so the cache stays right however far behind a replica is.
"""

from __future__ import annotations

import random
import time
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import HttpRequest, HttpResponse

STICKY_COOKIE = "wrote"
DOWN_SECONDS = 5.0
CHECK_EVERY_SECONDS = 1.0

# How far behind the primary a replica is, in seconds: 0 when it has replayed all it
# received (or is no replica at all), else the time since it last replayed a transaction.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 1e9)
END
"""

_read_alias: ContextVar[str] = ContextVar("read_alias", default=DEFAULT_DB_ALIAS)
_health: dict[str, tuple[float, bool]] = {}  # alias: (checked at, usable)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica-")]


class ReplicaRouter:
    """Reads go where the request's middleware said; writes and migrations to the primary."""

    def db_for_read(self, model, **hints) -> str:
        return _read_alias.get()

    def db_for_write(self, model, **hints) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True  # the replicas are copies of the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == DEFAULT_DB_ALIAS


def usable(alias: str) -> bool:
    """Whether the replica answers and is close enough behind (remembered a moment)."""
    now = time.monotonic()
    checked = _health.get(alias)
    if checked is not None:
        at, ok = checked
        if now - at < (CHECK_EVERY_SECONDS if ok else DOWN_SECONDS):
            return ok
    ok = _close_enough(alias)
    _health[alias] = (now, ok)
    return ok


def _close_enough(alias: str) -> bool:
    connection = connections[alias]
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        connection.close()  # a fresh connection next time
        return False
    return float(lag) <= settings.REPLICA_MAX_LAG_SECONDS


def mark_down(alias: str) -> None:
    _health[alias] = (time.monotonic(), False)


def choose(request: HttpRequest) -> str:
    """Where this request's reads go."""
    replicas = replica_aliases()
    if (
        not replicas
        or request.method not in {"GET", "HEAD"}
        or request.path.startswith("/" + settings.ADMIN_PATH)
        or STICKY_COOKIE in request.COOKIES
    ):
        return DEFAULT_DB_ALIAS
    for alias in random.sample(replicas, len(replicas)):  # spread the load
        if usable(alias):
            return alias
    return DEFAULT_DB_ALIAS


class ReplicaMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not replica_aliases():
            return self.get_response(request)
        alias = choose(request)
        response = self._answer(request, alias)
        if alias != DEFAULT_DB_ALIAS and response.status_code == 503:
            mark_down(alias)  # it failed under this request: the primary answers instead
            alias = DEFAULT_DB_ALIAS
            response = self._answer(request, alias)
        if request.method not in {"GET", "HEAD", "OPTIONS"}:
            # Their next pages come from the primary, until the replicas have caught up.
            response.set_cookie(
                STICKY_COOKIE,
                "1",
                max_age=settings.REPLICA_STICKY_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        response["X-Read-From"] = "primary" if alias == DEFAULT_DB_ALIAS else alias
        return response

    def _answer(self, request: HttpRequest, alias: str) -> HttpResponse:
        token = _read_alias.set(alias)
        try:
            return self.get_response(request)
        finally:
            _read_alias.reset(token)
