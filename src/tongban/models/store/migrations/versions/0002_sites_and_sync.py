"""Sub-center site codes (11 digits) and the workstation's sync bookkeeping.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28

A sub-center's code is its center's code followed by a 2-digit ordinal, so the site columns
(workstation.site_code, cases.accepting_site, visits.site_code) widen from 9 to 11 characters.
SQLite changes a column's type by copying the table (batch mode). Two SQLite rules shape this:
dropping `cases` while foreign keys are on deletes its case_materials (ON DELETE CASCADE), so
they are kept aside and put back; and renaming a table fails while a trigger names a table that
is missing, so the triggers are dropped for the copy and re-created from their stored text.
New tables: sync_state, sync_problems, catalog_revisions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SITE_COLUMNS = (("workstation", "site_code"), ("cases", "accepting_site"), ("visits", "site_code"))


def upgrade() -> None:
    _resize_site_columns(old=9, new=11)
    op.create_table(
        "sync_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("epoch", sa.String(length=64), nullable=True),
        sa.Column("pull_cursor", sa.String(length=128), nullable=True),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("server_offset_ms", sa.BigInteger(), nullable=True),
        sa.Column("clerks_revision", sa.Integer(), nullable=True),
        sa.Column("quarantined", sa.Boolean(), nullable=False),
        sa.Column("quarantine_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("id = 1", name=op.f("ck_sync_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_problems",
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["events.id"], name=op.f("fk_sync_problems_event_id_events")
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_sync_problems")),
    )
    op.create_table(
        "catalog_revisions",
        sa.Column("revision", sa.String(length=64), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("checksum", sa.String(length=128), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("fetched_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("revision", name=op.f("pk_catalog_revisions")),
    )


def downgrade() -> None:
    op.drop_table("catalog_revisions")
    op.drop_table("sync_problems")
    op.drop_table("sync_state")
    _resize_site_columns(old=11, new=9)


def _resize_site_columns(*, old: int, new: int) -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    triggers = _drop_triggers() if sqlite else []
    if sqlite:
        op.execute("CREATE TEMP TABLE kept_case_materials AS SELECT * FROM case_materials")
    for table, column in SITE_COLUMNS:
        with op.batch_alter_table(table) as batch:
            batch.alter_column(
                column,
                existing_type=sa.String(length=old),
                type_=sa.String(length=new),
                existing_nullable=False,
            )
    if sqlite:
        op.execute("DELETE FROM case_materials")
        op.execute("INSERT INTO case_materials SELECT * FROM kept_case_materials")
        op.execute("DROP TABLE kept_case_materials")
        for sql in triggers:
            op.execute(sql)


def _drop_triggers() -> list[str]:
    rows = op.get_bind().execute(
        sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    )
    kept = [(name, sql) for name, sql in rows]
    for name, _sql in kept:
        op.execute(f"DROP TRIGGER {name}")
    return [sql for _name, sql in kept]
