"""The audit of status look-ups (GET /v1/lookup/{case_number}, central/lookup.py).

Revision ID: c0004
Revises: c0003
Create Date: 2026-12-01

One append-only row per look-up: when, which workstation and clerk, which case number, and
whether it was answered. Failed look-ups of a case number in the last hour also limit guessing
the last four characters of the applicant's number.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0004"
down_revision: str | None = "c0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MESSAGE = "查询审计记录只能追加：不能修改或删除"


def upgrade() -> None:
    op.create_table(
        "lookup_audit",
        sa.Column("position", POSITION, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("center_code", sa.String(length=9), nullable=False),
        sa.Column("clerk", sa.String(length=20), nullable=False),
        sa.Column("case_number", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_lookup_audit")),
    )
    op.create_index(op.f("ix_lookup_audit_case_number_at"), "lookup_audit", ["case_number", "at"])
    _append_only()


def _append_only() -> None:
    # tongban_refuse_change() was created by c0001 on PostgreSQL.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER lookup_audit_no_change BEFORE UPDATE OR DELETE ON lookup_audit "
            f"FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        op.execute(
            "CREATE TRIGGER lookup_audit_no_truncate BEFORE TRUNCATE ON lookup_audit "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER lookup_audit_no_{action.lower()} BEFORE {action} ON lookup_audit "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_lookup_audit_case_number_at"), table_name="lookup_audit")
    op.drop_table("lookup_audit")
