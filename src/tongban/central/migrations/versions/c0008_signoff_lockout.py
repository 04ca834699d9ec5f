"""The audit of 日结 password checks, which is also the service's own lockout for them.

Revision ID: c0008
Revises: c0007
Create Date: 2026-11-28

signoff_audit: one append-only row per step of a sign-off's password check at the service
(central/signoff_guard.py): `checking` before the argon2 check (so guesses sent at the same
moment all count), then `accepted` or `wrong_password`; `locked` for a request refused unchecked
because the clerk is locked out; `not_signer` for a number that is no active account of the
asking workstation's center. Five `checking` rows of a clerk within 15 minutes, with no
`accepted` after them, stop that clerk's sign-offs for 15 minutes. Kept in the database because
the service runs as several stateless instances.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c0008"
down_revision: str | None = "c0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

POSITION = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
MESSAGE = "日结密码审计记录只能追加：不能修改或删除"


def upgrade() -> None:
    op.create_table(
        "signoff_audit",
        sa.Column("position", POSITION, autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=False),
        sa.Column("center_code", sa.String(length=9), nullable=False),
        sa.Column("clerk", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_signoff_audit")),
    )
    op.create_index(op.f("ix_signoff_audit_clerk_at"), "signoff_audit", ["clerk", "at"])
    _append_only()


def _append_only() -> None:
    # tongban_refuse_change() was created by c0001 on PostgreSQL.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER signoff_audit_no_change BEFORE UPDATE OR DELETE ON signoff_audit "
            f"FOR EACH ROW EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        op.execute(
            "CREATE TRIGGER signoff_audit_no_truncate BEFORE TRUNCATE ON signoff_audit "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tongban_refuse_change('{MESSAGE}')"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER signoff_audit_no_{action.lower()} BEFORE {action} ON signoff_audit "
            f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
        )


def downgrade() -> None:
    op.drop_index(op.f("ix_signoff_audit_clerk_at"), table_name="signoff_audit")
    op.drop_table("signoff_audit")
