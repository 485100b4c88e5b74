"""Model instances from the rows of a fixed SELECT, converted column by column as the ORM would.

The pages read all day (the signed-in person, a client's file, the lists) are read with fixed
SELECTs rather than querysets: building and compiling a queryset cost five to ten times what the
database took to answer it (bench/RESULTS.md, web). This turns their rows back into what the ORM
would have given, so the code after them does not know the difference.
"""

from __future__ import annotations

from functools import cache

from django.db import connection


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
