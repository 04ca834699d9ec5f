"""Opening a store file: engine, SQLite settings, migrations to the current schema, sessions.

`open_store(path)` creates the file if needed and upgrades it to the newest schema with Alembic
(the scripts ship inside the package), so a new file and a file written by an older version both
come out current. A file written by a newer version is refused instead of being damaged.

Every connection runs with journal_mode=WAL (readers do not block the writer), synchronous=FULL
(a committed case survives a power cut), foreign_keys=ON and a busy timeout. Write transactions
(`Store.transaction()`) start with BEGIN IMMEDIATE: a writer takes the write lock up front, so two
writers on one file wait for each other instead of failing half-way with "database is locked".
Read sessions (`Store.reading()`) start with a plain BEGIN, so a long report never holds up the
counter. SQLAlchemy hides statement parameters in errors and logs (hide_parameters), because
parameters carry identity numbers.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import URL, Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tongban.models.sqlite_engines import READ_ONLY, alembic_config, sqlite_engine
from tongban.models.store.errors import StoreError

MIGRATIONS = "tongban.models.store:migrations"
DEFAULT_BUSY_TIMEOUT_MS = 5000
_READ_ONLY = READ_ONLY


@dataclass(frozen=True)
class Store:
    """An open store file: `transaction()` to change it, `reading()` to look."""

    path: Path
    engine: Engine
    writers: sessionmaker[Session]
    readers: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A write transaction: committed on success, rolled back on any error."""
        with self.writers.begin() as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only snapshot; it never blocks a writer. Anything written is rolled back."""
        with self.readers() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()


def open_store(path: Path | str, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Store:
    """Open (or create) the store file at `path` and bring its schema up to date."""
    path = Path(path)
    if not path.parent.is_dir():
        raise StoreError(f"存储目录不存在：{path.parent}")
    engine = make_engine(path, busy_timeout_ms=busy_timeout_ms)
    try:
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(
        path=path,
        engine=engine,
        writers=sessionmaker(engine, expire_on_commit=False),
        readers=sessionmaker(engine.execution_options(**{_READ_ONLY: True})),
    )


def make_engine(path: Path, *, busy_timeout_ms: int = DEFAULT_BUSY_TIMEOUT_MS) -> Engine:
    return sqlite_engine(
        URL.create("sqlite", database=str(path)),
        busy_timeout_ms=busy_timeout_ms,
        not_wal=lambda mode: StoreError(
            f"存储文件无法使用 WAL 日志模式（当前为 {mode}），请放在本机磁盘上"
        ),
    )


def _alembic_config(connection: Connection | None = None) -> Config:
    return alembic_config(MIGRATIONS, connection)


def head_revision() -> str:
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    if head is None:
        raise StoreError("程序缺少数据库迁移脚本")
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Migrate the file to the newest schema, in one transaction."""
    known = {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}
    with engine.begin() as connection:
        found = current_revision(connection)
        if found is not None and found not in known:
            raise StoreError(
                f"存储文件来自更新版本的程序（结构版本 {found}），请升级本程序后再打开"
            )
        command.upgrade(_alembic_config(connection), "head")
