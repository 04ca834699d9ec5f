"""Small SQL building blocks the central store uses on both PostgreSQL and SQLite."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.orm import InstrumentedAttribute, Session


def one_of(
    session: Session, column: InstrumentedAttribute[Any], values: Collection[Any]
) -> ColumnElement[bool]:
    """`column IN values`. On PostgreSQL written `column = ANY(:array)`: one parameter, so the
    statement's text is the same whatever the number of values and psycopg parses it once,
    where an IN list of 500 values is parsed afresh on every push (~10 ms each time)."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)
