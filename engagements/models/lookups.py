"""Query helpers both databases share."""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.db.models import BooleanField, F, Func


class Among(Func):
    """`field` is one of `values` (integers), sent as one parameter however many there
    are: `filter(Among("meeting_id", ids))`. `field__in=ids` sends one parameter per value,
    and a thousand of them cost Django and the driver more than the query (the whole
    archive's download reads 100,000 readouts' parts a thousand at a time)."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str, values: Iterable[int]) -> None:
        super().__init__(F(field))
        self.values = [int(value) for value in values]

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL: an array
        column, params = compiler.compile(self.source_expressions[0])
        return f"{column} = ANY(%s)", (*params, self.values)

    def as_sqlite(self, compiler, connection, **extra):  # SQLite: a JSON array, read back
        column, params = compiler.compile(self.source_expressions[0])  # a quoted column
        sql = f"{column} IN (SELECT value FROM json_each(%s))"  # noqa: S608 (no value in it)
        return sql, (*params, json.dumps(self.values))
