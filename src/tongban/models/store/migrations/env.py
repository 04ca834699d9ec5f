"""Alembic environment: migrate the connection the store hands over (config.attributes).

The store opens the file itself (pragmas, transaction control) and passes its connection, so
migrations run under exactly the settings the program uses. Run from the command line (for
`alembic revision --autogenerate` while developing), sqlalchemy.url names the file instead.
"""

from alembic import context
from sqlalchemy import create_engine

from tongban.models.store.schema import Base, UTCDateTime

config = context.config


def render_item(type_, obj, autogen_context):
    """Render our UTC type as a plain DateTime: migrations must not import the program's code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def run_migrations(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite alters tables by copying them; batch mode does that
        transactional_ddl=True,  # the store emits BEGIN itself, so DDL is transactional
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
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        run_migrations(connection)


if context.is_offline_mode():
    raise SystemExit("离线（生成 SQL）模式不受支持")
run()
