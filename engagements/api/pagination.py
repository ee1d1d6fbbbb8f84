"""Cursor pagination: each page links to the next by an opaque, signed cursor.

A cursor holds the sort key of the last row served (keyset pagination), so a walk through
the whole archive reads each page by index, however deep, and a readout published during
the walk neither repeats a row nor skips one. A search ranked by relevance has no such
key: its cursor holds the position in the ranking, which is fixed for a version of the
archive. The cursor is signed: one that was altered or made up is a 400, not a guess.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core import signing
from django.db.models import Q, QuerySet
from rest_framework.exceptions import ValidationError

DEFAULT_LIMIT = 25
MAX_LIMIT = 100
_SALT = "engagements.api.cursor"


@dataclass(frozen=True)
class Ordering:
    """A keyset: the fields rows are ordered by, the last a unique one (the id)."""

    name: str  # in the cursor, so that a cursor of one order is refused by another
    fields: tuple[str, ...]  # e.g. ("-date", "-id")

    def key(self, row) -> list:
        return [_plain(getattr(row, f.lstrip("-"))) for f in self.fields]

    def after(self, values: list) -> Q:
        """Rows after the one whose key is `values`: (a, b) > (x, y) spelt out for the ORM,
        as (a > x) or (a = x and b > y), each > a < where the field is descending."""
        names = [field.lstrip("-") for field in self.fields]
        typed = [_typed(name, value) for name, value in zip(names, values, strict=True)]
        condition = Q()
        for index, field in enumerate(self.fields):
            step = Q(**{f"{names[index]}__{'lt' if field.startswith('-') else 'gt'}": typed[index]})
            for name, value in zip(names[:index], typed[:index], strict=True):
                step &= Q(**{name: value})
            condition |= step
        return condition


def _plain(value):
    return value.isoformat() if isinstance(value, dt.date) else value


def _typed(name: str, value):
    return dt.date.fromisoformat(value) if name == "date" else value


def read_limit(params) -> int:
    raw = params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ValidationError({"limit": [f"Give a whole number from 1 to {MAX_LIMIT}."]})
    return int(raw)


# Signed without a timestamp: the same position is always the same cursor, so a second
# walk through a list asks for the very addresses the first did, and the page cache (and
# a cache in front) answers them.
_SIGNER = signing.Signer(salt=_SALT)


def read_cursor(params, ordering_name: str) -> list | int | None:
    """The cursor's position (a keyset or an offset), None on the first page."""
    raw = params.get("cursor")
    if not raw:  # none, or left empty: the first page
        return None
    try:
        name, position = _SIGNER.unsign_object(raw)
    except (signing.BadSignature, ValueError, TypeError, UnicodeDecodeError):
        raise ValidationError({"cursor": ["This cursor is not one the archive gave."]}) from None
    if name != ordering_name:
        raise ValidationError({"cursor": ["This cursor belongs to another order of the list."]})
    return position


def make_cursor(ordering_name: str, position: list | int) -> str:
    return _SIGNER.sign_object([ordering_name, position], compress=True)


def next_link(request, cursor: str) -> str:
    params = [(k, v) for k, values in request.GET.lists() if k != "cursor" for v in values]
    params.append(("cursor", cursor))
    return request.build_absolute_uri(request.path) + "?" + urlencode(params)


def keyset_page(request, rows: QuerySet, ordering: Ordering) -> tuple[list, str | None]:
    """One page of `rows` (already filtered) in `ordering`, and the link to the next."""
    limit = read_limit(request.GET)
    position = read_cursor(request.GET, ordering.name)
    rows = rows.order_by(*ordering.fields)
    if position is not None:
        if not isinstance(position, list) or len(position) != len(ordering.fields):
            raise ValidationError({"cursor": ["This cursor is not one the archive gave."]})
        rows = rows.filter(ordering.after(position))
    page = list(rows[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    link = next_link(request, make_cursor(ordering.name, ordering.key(page[-1]))) if more else None
    return page, link


def offset_page(request, ids: Sequence[int], ordering_name: str) -> tuple[list[int], str | None]:
    """One page of a ranked list of ids, and the link to the next."""
    limit = read_limit(request.GET)
    start = read_cursor(request.GET, ordering_name) or 0
    if not isinstance(start, int) or start < 0:
        raise ValidationError({"cursor": ["This cursor is not one the archive gave."]})
    end = start + limit
    link = next_link(request, make_cursor(ordering_name, end)) if end < len(ids) else None
    return ids[start:end], link
