"""Small SQL building blocks the central store uses on both PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Table, any_, bindparam, insert
from sqlalchemy.orm import InstrumentedAttribute, Session

COPY_FROM_ROWS = 20  # from this many rows on, PostgreSQL gets them by COPY (see insert_rows)


def one_of(
    session: Session, column: InstrumentedAttribute[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL written `column = ANY(:array)`: one parameter, so the
    statement's text is the same whatever the number of values and psycopg parses it once,
    where an IN list of 500 values is parsed afresh on every push (~10 ms each time)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


def one_of_each_dialect(
    column: InstrumentedAttribute[Any], name: str
) -> dict[str, ColumnElement[bool]]:
    """`column IN :name` for a statement built once (a push's hot path), per dialect: as in
    one_of() on PostgreSQL, an expanding IN on SQLite. The values go in as `name`, a list."""
    return {
        "postgresql": column == any_(bindparam(name, type_=ARRAY(column.type))),
        "sqlite": column.in_(bindparam(name, expanding=True)),
    }


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """INSERT plain rows (all with the same keys) in one go.

    On PostgreSQL a batch of COPY_FROM_ROWS or more is sent with COPY … FROM STDIN, which costs
    about half of a pipelined executemany; each value still passes through its column's type
    (UTC datetimes, JSONB) exactly as in an INSERT. Smaller batches and SQLite use executemany."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    if dialect.name != "postgresql" or len(rows) < COPY_FROM_ROWS:
        session.execute(insert(table), list(rows))
        return
    names = list(rows[0])
    processors = [
        table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in names
    ]
    pairs = list(zip(names, processors, strict=True))
    statement = f"COPY {table.name} ({', '.join(names)}) FROM STDIN"
    raw = session.connection().connection.driver_connection
    with raw.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row([row[n] if p is None else p(row[n]) for n, p in pairs])
