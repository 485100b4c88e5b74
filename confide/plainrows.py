"""The fixed SELECTs of the pages read all day, and model instances from their rows.

The pages read all day (the signed-in person, a client's file, the lists) are read with fixed
SELECTs rather than querysets: building and compiling a queryset cost five to ten times what the
database took to answer it (bench/RESULTS.md, web). load_instances() turns their rows back into
what the ORM would have given, so the code after them does not know the difference.

On PostgreSQL each fixed SELECT is prepared once per connection and then only executed: planning
them had cost the database more than running them. (So Confide's connections must reach
PostgreSQL directly or through a pooler in session mode, as Django's own pooling does; a
transaction-mode pooler would hand a prepared statement to a connection that never saw it.)
"""

from __future__ import annotations

from functools import cache

import psycopg
from django.db import connection


def fixed_rows(sql: str, params) -> list[tuple]:
    """All rows of one of the fixed SELECTs, run through Django's cursor (so logged, counted and
    watched like any other query)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            _prepared(cursor)
        cursor.execute(sql, params)
        return cursor.fetchall()


def _prepared(wrapper) -> None:
    """Give Django's cursor wrapper a psycopg cursor that binds on the server and prepares what it
    runs. Django's own cursors bind on the client, which psycopg never prepares, so the setting
    on the connection changes nothing else."""
    raw = connection.connection
    if raw.prepare_threshold is None:
        raw.prepare_threshold = 0  # prepared at the first run, kept (psycopg: 100 per connection)
    client_side, wrapper.cursor = wrapper.cursor, _PreparingCursor(raw)
    client_side.close()


class _PreparingCursor(psycopg.Cursor):
    """A server-binding cursor that still tells Django's query log (DEBUG, tests) what it ran,
    with its values, as Django's own cursors do; worked out only when the log asks."""

    __slots__ = ()

    def execute(self, query, params=None, **kwargs):
        super().execute(query, params, **kwargs)
        self._query = _Shown(self.connection, query, params)
        return self


class _Shown:
    def __init__(self, raw, sql: str, params):
        self.raw, self.sql, self.params = raw, sql, params

    @property
    def query(self) -> bytes:
        return psycopg.ClientCursor(self.raw).mogrify(self.sql, self.params).encode()


@cache
def _converters(model, names: tuple[str, ...], vendor: str) -> tuple:
    """For each column read for these fields of this model, the converters the ORM would apply to it
    (SQLite: times made aware, JSON parsed, UUIDs and booleans from text). Worked out once per
    process: they depend on the field and the database, not on the connection or the row."""
    found = []
    for index, name in enumerate(names):
        column = model._meta.get_field(name).get_col(model._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            found.append((index, column, tuple(functions)))
    return tuple(found)


def load_instances(model, names: tuple[str, ...], rows) -> list:
    """Model instances from rows whose first columns are these fields, converted as the ORM would;
    fields not read are deferred, as with .only(). Any columns after them are not looked at."""
    converters = _converters(model, names, connection.vendor)
    db, width = connection.alias, len(names)
    made = []
    for row in rows:
        values = list(row[:width])
        for index, column, functions in converters:
            for function in functions:
                values[index] = function(values[index], column, connection)
        made.append(model.from_db(db, names, values))
    return made
