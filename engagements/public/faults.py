"""When the database fails or a query runs too long: a short 503, never a traceback.

Three pieces:

- `server_error` is the project's handler500. Django calls it for any uncaught exception,
  including one raised in a middleware (the page cache reads the archive's version before
  any view runs). If that exception is the database being unreachable, or a statement
  cancelled by the time limit, the visitor gets a 503 with `Retry-After` and a page that
  needs no database; anything else is the ordinary 500 page.
- The statement time limit (settings.STATEMENT_TIMEOUT_MS). PostgreSQL enforces it itself
  (settings pass `statement_timeout` when connecting); SQLite has no such setting, so
  `limit_sqlite_statements` interrupts a statement from SQLite's progress handler.
- The request's time budget (the same number of milliseconds for all its statements
  together): `TimeBudgetMiddleware` refuses any statement once it is spent.
"""

from __future__ import annotations

import contextlib
import sys
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views import defaults

RETRY_AFTER_SECONDS = 30
# SQLite calls the progress handler every this many virtual-machine instructions
# (a fraction of a millisecond): often enough to stop on time, rarely enough to cost nothing.
SQLITE_CHECK_EVERY = 20_000


class RequestTooSlow(OperationalError):
    """The request spent its time budget on the database: no further statement is run."""


def timed_out(problem: BaseException) -> bool:
    """Was this statement stopped by the time limit (rather than the database failing)?"""
    if isinstance(problem, RequestTooSlow):
        return True
    cause = problem.__cause__ or problem
    if getattr(cause, "sqlstate", None) == "57014":  # PostgreSQL: query_canceled
        return True
    return "interrupted" in str(cause)  # SQLite: sqlite3_interrupt, from our progress handler


def server_error(request: HttpRequest) -> HttpResponse:
    problem = sys.exception()
    if not isinstance(problem, (OperationalError, InterfaceError)):
        return defaults.server_error(request)
    slow = timed_out(problem)
    # Rendered without the request: context processors would ask the database again.
    response = HttpResponse(render_to_string("503.html", {"timed_out": slow}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def limit_sqlite_statements(sender, connection, **kwargs) -> None:
    """connection_created receiver: give each SQLite statement settings' time limit."""
    if connection.vendor != "sqlite" or not settings.STATEMENT_TIMEOUT_MS:
        # No limit (management commands): SQLite runs as it always does, and a Ctrl-C
        # reaches the command as it always has.
        return
    started = [time.monotonic()]

    def statement_starts(sql: str) -> None:
        started[0] = time.monotonic()

    def too_long() -> int:
        limit = settings.STATEMENT_TIMEOUT_MS
        return int(bool(limit) and (time.monotonic() - started[0]) * 1000 > limit)

    connection.connection.set_trace_callback(statement_starts)
    connection.connection.set_progress_handler(too_long, SQLITE_CHECK_EVERY)


class TimeBudgetMiddleware:
    """Give a whole request, not only each statement, STATEMENT_TIMEOUT_MS of database time.

    Many statements each under the limit can still add up to a hang (a search for a word
    in nearly every readout runs several); once the budget is spent, the next statement
    is refused and the visitor gets the "took too long" page. A statement already running
    is bounded by the per-statement limit, so a request ends within about twice the budget.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.STATEMENT_TIMEOUT_MS
        if not limit:
            return self.get_response(request)
        deadline = time.monotonic() + limit / 1000

        def within_budget(execute, sql, params, many, context):
            if time.monotonic() > deadline:
                raise RequestTooSlow("the request spent its database time budget")
            return execute(sql, params, many, context)

        with contextlib.ExitStack() as stack:
            for alias in settings.DATABASES:  # the primary's and any replica's statements
                stack.enter_context(connections[alias].execute_wrapper(within_budget))
            return self.get_response(request)
