"""Alembic environment of the central store: migrate the connection handed over by the program.

`tongban.central.database.migrate` passes its connection (config.attributes), so migrations run
under the engine the service uses. Run from the command line while developing (`alembic revision
--autogenerate`), sqlalchemy.url names the database instead.
"""

from typing import Any

from alembic import context
from sqlalchemy import Connection, create_engine

from tongban.central.schema import Base
from tongban.models.store.schema import UTCDateTime

config = context.config


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the UTC type as a plain DateTime: migrations must not import the program's code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that
        transactional_ddl=True,
        compare_type=True,
        render_item=render_item,
    )
    with context.begin_transaction():
        context.run_migrations()


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    raise SystemExit("离线（生成 SQL）模式不受支持")
run()
