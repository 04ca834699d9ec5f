"""Opening the central database: URL, engine, sessions, and the schema's migrations.

PostgreSQL (`postgresql://…`, driven by psycopg 3) is the production store; SQLite
(`sqlite:///path`) runs the same service on one machine (demo, one-center trial). `migrate()`
brings a database to the newest schema (`central init` runs it); `serve` only checks that the
schema is current, so several service instances starting at once never race a migration.

SQLite runs as the workstation store does: WAL, synchronous=FULL, foreign keys, a busy timeout,
and BEGIN IMMEDIATE for writes, so writers queue instead of failing half-way; with one writer at
a time the event log's rowid order is its commit order. SQLAlchemy hides statement parameters in
errors and logs (hide_parameters), because events carry identity numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tongban.central.errors import CentralError
from tongban.models.sqlite_engines import READ_ONLY, alembic_config, sqlite_engine

MIGRATIONS = "tongban.central:migrations"
SQLITE_BUSY_TIMEOUT_MS = 10_000
_READ_ONLY = READ_ONLY


@dataclass(frozen=True)
class CentralDatabase:
    """An open central database: `transaction()` to change it, `reading()` to look."""

    engine: Engine
    writers: sessionmaker[Session]
    readers: sessionmaker[Session]
    reader_engine: Engine | None = None  # PostgreSQL: autocommit and read-only at the server

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self.writers.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A session to look with: on PostgreSQL each statement reads committed data as of its
        start and any write fails; on SQLite one read transaction, rolled back at the end."""
        with self.readers() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()
        if self.reader_engine is not None:
            self.reader_engine.dispose()


def database_url(text: str) -> URL:
    """The SQLAlchemy URL for what an administrator typed; CentralError when unusable."""
    try:
        url = make_url(text.strip())
    except ArgumentError:
        raise CentralError("数据库地址格式不正确") from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            raise CentralError("SQLite 数据库须为文件，例如 sqlite:////srv/tongban/central.db")
        if not Path(url.database).parent.is_dir():
            raise CentralError(f"数据库目录不存在：{Path(url.database).parent}")
        return url.set(drivername="sqlite")
    raise CentralError("只支持 postgresql:// 或 sqlite:/// 数据库地址")


def database_problem(error: DBAPIError) -> str:
    """One line (zh_CN) for an administrator whose command the database refused or could not
    take. An operational error (no connection, a server going away, a full disk, a lock) is
    named by the first line of the driver's message, which names the host, never a row; any
    other error only by its type, since its text may quote a row, and rows carry identity
    numbers."""
    if isinstance(error, OperationalError):
        lines = str(error.orig).strip().splitlines()
        detail = lines[0] if lines else type(error.orig).__name__
        return f"中心数据库不可用，命令未完成：{detail}"
    return f"中心数据库拒绝了这次操作（{type(error.orig).__name__}），命令未完成"


def open_database(url: str | URL, *, pool_size: int = 10) -> CentralDatabase:
    """An engine and sessions for the database at `url`; the schema is not touched."""
    resolved = url if isinstance(url, URL) else database_url(url)
    if resolved.get_backend_name() == "sqlite":
        engine = _sqlite_engine(resolved)
        return CentralDatabase(
            engine=engine,
            writers=sessionmaker(engine, expire_on_commit=False),
            readers=sessionmaker(engine.execution_options(**{_READ_ONLY: True})),
        )
    engine = _postgres_engine(resolved, pool_size=pool_size)
    # Reads run in autocommit: each statement is its own snapshot, exactly as in the READ
    # COMMITTED transaction it replaces, without the BEGIN and ROLLBACK round trips. The
    # server holds these connections read-only, so a stray write fails instead of committing.
    reader_engine = _postgres_engine(
        resolved,
        pool_size=pool_size,
        isolation_level="AUTOCOMMIT",
        connect_args={"options": "-c default_transaction_read_only=on"},
    )
    return CentralDatabase(
        engine=engine,
        writers=sessionmaker(engine, expire_on_commit=False),
        readers=sessionmaker(reader_engine),
        reader_engine=reader_engine,
    )


def jsonb_document(value: Any) -> bytes:
    """A JSON(B) column's value as PostgreSQL receives it. PostgreSQL keeps JSONB parsed, so
    the text's key order and spacing do not matter; orjson writes it several times faster than
    the json module (a push of 500 events writes 500 payloads)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


def _postgres_engine(url: URL, *, pool_size: int, **options: Any) -> Engine:
    # pool_pre_ping costs a round trip a checkout; it keeps the service working through a
    # database restart.
    return create_engine(
        url,
        hide_parameters=True,
        json_serializer=jsonb_document,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        **options,
    )


def _sqlite_engine(url: URL) -> Engine:
    return sqlite_engine(
        url,
        busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS,
        not_wal=lambda mode: CentralError(
            f"数据库文件无法使用 WAL 日志模式（当前为 {mode}），请放在本机磁盘上"
        ),
    )


def _alembic_config(connection: Connection | None = None) -> Config:
    return alembic_config(MIGRATIONS, connection)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise CentralError("程序缺少中心数据库迁移脚本")
    return head


def current_revision(database: CentralDatabase) -> str | None:
    with database.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def migrate(database: CentralDatabase) -> None:
    """Bring the schema to the newest revision, in one transaction."""
    scripts = ScriptDirectory.from_config(_alembic_config())
    known = {s.revision for s in scripts.walk_revisions()}
    with database.engine.begin() as connection:
        found = MigrationContext.configure(connection).get_current_revision()
        if found is not None and found not in known:
            raise CentralError(f"数据库结构版本 {found} 不是本程序的中心数据库，或来自更新的版本")
        command.upgrade(_alembic_config(connection), "head")


def require_current_schema(database: CentralDatabase) -> None:
    """Refuse to serve a database that `central init` has not brought up to date."""
    found = current_revision(database)
    if found is None:
        raise CentralError("中心数据库尚未初始化，请先运行 tongban central init")
    if found != head_revision():
        raise CentralError(
            f"中心数据库结构版本为 {found}，本程序需要 {head_revision()}，"
            "请先运行 tongban central init"
        )
