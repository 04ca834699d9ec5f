"""The clerks' audit logs of every workstation, shipped in the sync round (POST /v1/audit).

Revision ID: c0009
Revises: c0008
Create Date: 2026-11-28

One append-only row per audit entry a workstation wrote (central/audit.py): which workstation
(and its center, from the device token), the entry's own id, when, which clerk, what action
about which subject, the outcome and the detail, as the workstation recorded them (identity
numbers masked), and when the service received it. Unique by (device, entry id): an entry sent
again after a lost answer is stored once. `tongban central audit` reads a center's day.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0009"
down_revision: str | None = "c0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TABLE = "audit_entries"
MESSAGE = "审计记录只能追加：不能修改或删除"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("position", POSITION, autoincrement=True, nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("entry_id", sa.String(length=36), nullable=False),
        sa.Column("center_code", sa.String(length=9), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("clerk", sa.String(length=20), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=16), nullable=False),
        sa.Column("subject_ref", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["workstations.device_id"],
            name=op.f("fk_audit_entries_device_id_workstations"),
        ),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_audit_entries")),
        sa.UniqueConstraint(
            "device_id", "entry_id", name=op.f("uq_audit_entries_device_id_entry_id")
        ),
    )
    op.create_index(op.f("ix_audit_entries_center_code_at"), TABLE, ["center_code", "at"])
    _append_only()


def _append_only() -> None:
    # tongban_refuse_change() was created by c0001 on PostgreSQL.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_change BEFORE UPDATE OR DELETE ON {TABLE} "
            f"FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_audit_entries_center_code_at"), table_name=TABLE)
    op.drop_table(TABLE)
