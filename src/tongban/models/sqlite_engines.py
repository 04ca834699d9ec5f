"""SQLite as both stores use it — the workstation's file and the central service's single-machine
database: WAL, synchronous=FULL, foreign keys, explicit transactions, and Alembic by package.

sqlite3 is told not to open transactions by itself; every transaction starts with BEGIN IMMEDIATE,
so two writers wait for each other instead of failing half-way, except on connections marked
read-only (READ_ONLY execution option), which start a plain BEGIN and never block the counter.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from alembic.config import Config
from sqlalchemy import URL, Connection, Engine, create_engine, event

READ_ONLY = "tongban_read_only"


def json_text(value: Any) -> str:
    # Readable Chinese, and the same text for the same payload on every machine.
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def sqlite_engine(url: URL, *, busy_timeout_ms: int, not_wal: Callable[[str], Exception]) -> Engine:
    """An engine on a SQLite file; `not_wal(mode)` is raised where WAL cannot be used."""
    engine = create_engine(url, hide_parameters=True, json_serializer=json_text)
    event.listen(engine, "connect", _settings(busy_timeout_ms, not_wal))
    event.listen(engine, "begin", _begin)
    return engine


def _settings(busy_timeout_ms: int, not_wal: Callable[[str], Exception]) -> Any:
    def apply(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            mode = cursor.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise not_wal(str(mode))
            cursor.execute("PRAGMA synchronous = FULL")
            cursor.execute("PRAGMA foreign_keys = ON")
        finally:
            cursor.close()

    return apply


def _begin(connection: Connection) -> None:
    read_only = connection.get_execution_options().get(READ_ONLY, False)
    connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def alembic_config(script_location: str, connection: Connection | None = None) -> Config:
    """Alembic's configuration for migrations shipped inside a package ("pkg:folder")."""
    config = Config()
    config.set_main_option("script_location", script_location)
    if connection is not None:
        config.attributes["connection"] = connection
    return config
